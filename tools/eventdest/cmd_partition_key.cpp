#include <iostream>

#include "cli.hpp"
#include "eventdest/partition_key.hpp"

namespace eventdest::cli {

int cmd_partition_key(const Args& args) {
  if (!args.positional.empty()) {
    std::cerr << "eventdest partition-key: unexpected argument " << args.positional[0] << "\n";
    return kExitUsage;
  }
  auto spec = load_spec(args.destination);
  if (!spec) return kExitUsage;
  const auto tpl = spec->config.count("partition_key_template")
                       ? spec->config.at("partition_key_template")
                       : std::string();
  const PartitionKeyTemplate key_template(tpl);  // validated by load_spec
  const auto options = delivery_options_of(*spec);
  std::unique_ptr<std::istream> in;
  try {
    in = open_input(args.input);
  } catch (const std::exception& e) {
    std::cerr << "eventdest partition-key: " << e.what() << "\n";
    return kExitUsage;
  }
  return for_each_input_event(*in, [&](const Event& event, std::size_t number) {
    const auto key =
        key_template.key(event, merged_metadata(event, options.timestamp_format,
                                                options.delivery_metadata, options.timestamp_ms));
    std::cout << key << "\n";
    if (spec->type == "aws_kinesis") {
      if (auto problem = check_kinesis_partition_key(key); !problem.empty()) {
        std::cerr << "line " << number << ": " << problem << "\n";
        return false;
      }
    }
    return true;
  });
}

}  // namespace eventdest::cli
