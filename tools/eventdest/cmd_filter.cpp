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
  return for_each_input_event(*in, [&](const Event& event, std::size_t) {
    std::cout << (filter->matches(event) ? "true\n" : "false\n");
    return true;
  });
}

}  // namespace eventdest::cli
