#include <iostream>

#include "cli.hpp"
#include "eventdest/router.hpp"
#include "util/printable.hpp"

namespace eventdest::cli {

int cmd_validate(const Args& args) {
  if (!args.positional.empty()) {
    std::cerr << "eventdest validate: unexpected argument " << args.positional[0] << "\n";
    return kExitUsage;
  }
  if (several_destinations(args)) {
    const auto json = destinations_json(args);
    if (!json) return kExitUsage;
    const auto problems = Router::validate_json(*json);
    if (!problems.empty()) {
      std::cerr << "eventdest: invalid destination specs:\n";
      print_problems(ConfigError(problems));
      return kExitUsage;
    }
    std::cout << "valid destinations\n";
    return kExitOk;
  }
  auto spec = load_spec(args.destination);
  if (!spec) return kExitUsage;
  std::cout << "valid " << spec->type << " destination";
  if (!spec->name.empty()) std::cout << " \"" << detail::printable(spec->name) << "\"";
  if (!has_destination_factory(spec->type)) {
    std::cout << " (note: this build cannot publish to " << spec->type << ")";
  }
  std::cout << "\n";
  return kExitOk;
}

}  // namespace eventdest::cli
