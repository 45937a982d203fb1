// Registers `aws_kinesis` with the destination type registry (see spec/destination_registry).
#include "kinesis/kinesis_config_reader.hpp"
#include "spec/destination_registry.hpp"

namespace eventdest::detail {

void register_kinesis_destination_type() {
  DestinationType type;
  type.name = "aws_kinesis";
  type.validate = [](const DestinationSpec& spec) {
    std::vector<FieldProblem> problems;
    read_kinesis_config(spec, problems);
    return problems;
  };
  type.create = [](const DestinationSpec& spec) {
    return make_kinesis_destination(KinesisConfig::from_spec(spec), spec.topics, spec.filter);
  };
  register_builtin_destination_type(std::move(type));
}

}  // namespace eventdest::detail
