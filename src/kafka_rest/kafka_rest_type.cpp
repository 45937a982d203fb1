// Registers `kafka_rest` with the destination type registry (see spec/destination_registry).
#include "kafka_rest/kafka_rest_config_reader.hpp"
#include "spec/destination_registry.hpp"

namespace eventdest::detail {

void register_kafka_rest_destination_type() {
  DestinationType type;
  type.name = "kafka_rest";
  type.validate = [](const DestinationSpec& spec) {
    std::vector<FieldProblem> problems;
    read_kafka_rest_config(spec, problems);
    return problems;
  };
  type.create = [](const DestinationSpec& spec) {
    return make_kafka_rest_destination(KafkaRestConfig::from_spec(spec), spec.topics, spec.filter);
  };
  register_builtin_destination_type(std::move(type));
}

}  // namespace eventdest::detail
