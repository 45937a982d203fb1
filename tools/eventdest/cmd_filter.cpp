#include <iostream>

#include "cli.hpp"
#include "eventdest/filter.hpp"

namespace eventdest::cli {

int cmd_filter(const Args& args) {
  if (!args.positional.empty()) {
    std::cerr << "eventdest filter: unexpected argument " << args.positional[0] << "\n";
    return kExitUsage;
  }
  if (!args.filter) {
    std::cerr << "eventdest filter: --filter JSON|@FILE is required\n";
    return kExitUsage;
  }
  std::optional<Filter> filter;
  std::unique_ptr<std::istream> in;
  try {
    const std::string& f = *args.filter;
    filter = Filter::compile(!f.empty() && f[0] == '@' ? read_file(f.substr(1)) : f);
    in = open_input(args.input);
  } catch (const ConfigError& e) {
    print_problems(e);
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "eventdest filter: " << e.what() << "\n";
    return kExitUsage;
  }
  int status = kExitOk;
  std::string line;
  std::size_t number = 0;
  while (std::getline(*in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      std::cout << (filter->matches(Event::from_json(line)) ? "true\n" : "false\n");
    } catch (const EventError& e) {
      std::cerr << "line " << number << ": " << e.what() << "\n";
      std::cout << "\n";  // keep one output line per input event
      status = kExitFailed;
    }
  }
  return status;
}

}  // namespace eventdest::cli
