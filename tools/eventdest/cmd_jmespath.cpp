#include <iostream>

#include "cli.hpp"
#include "eventdest/jmespath.hpp"

namespace eventdest::cli {

int cmd_jmespath(const Args& args) {
  if (args.positional.size() != 1) {
    std::cerr << "eventdest jmespath: expected exactly one EXPRESSION\n";
    return kExitUsage;
  }
  std::string document;
  try {
    document = read_file(args.input.value_or("-"));
  } catch (const std::exception& e) {
    std::cerr << "eventdest jmespath: " << e.what() << "\n";
    return kExitUsage;
  }
  try {
    std::cout << jmespath::search(args.positional[0], document) << "\n";
    return kExitOk;
  } catch (const jmespath::SyntaxError& e) {
    std::cerr << "syntax error: " << e.what() << "\n" << e.caret_lines() << "\n";
  } catch (const jmespath::RuntimeError& e) {
    std::cerr << e.kind_name() << ": " << e.what() << "\n";
  } catch (const std::invalid_argument& e) {
    std::cerr << "invalid JSON input: " << e.what() << "\n";
  }
  return kExitFailed;
}

}  // namespace eventdest::cli
