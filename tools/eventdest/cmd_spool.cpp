#include <iostream>

#include "cli.hpp"
#include "eventdest/spool.hpp"
#include "util/json_util.hpp"

namespace eventdest::cli {

// `eventdest spool --destination F`: what the spool of F's destination holds, without opening it
// (a running publisher may be using it).
int cmd_spool(const Args& args) {
  if (!args.positional.empty()) {
    std::cerr << "eventdest spool: unexpected argument " << args.positional[0] << "\n";
    return kExitUsage;
  }
  auto spec = load_spec(args.destination);
  if (!spec) return kExitUsage;
  const DeliveryOptions options = delivery_options_of(*spec);
  if (!options.spool) {
    std::cerr << "eventdest spool: the destination has no spool (config.spool)\n";
    return kExitUsage;
  }
  try {
    std::cout << "{\"dir\":" << detail::json_string(options.spool->dir) << ","
              << inspect_spool(options.spool->dir).to_json().substr(1) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "eventdest spool: " << e.what() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace eventdest::cli
