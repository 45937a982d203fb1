// Registers `kafka` with the destination type registry (see spec/destination_registry). This file
// is part of the core library so that kafka specs validate without librdkafka; the adapter
// (eventdest::kafka, include eventdest/kafka.hpp) adds the factory when it is linked.
#include "kafka/kafka_config_reader.hpp"
#include "spec/destination_registry.hpp"

namespace eventdest::detail {

void register_kafka_destination_type() {
  DestinationType type;
  type.name = "kafka";
  type.validate = [](const DestinationSpec& spec) {
    std::vector<FieldProblem> problems;
    read_kafka_config(spec, problems);
    return problems;
  };
  type.unavailable =
      "the native Kafka adapter is not linked (build with librdkafka, link eventdest::kafka and "
      "include eventdest/kafka.hpp)";
  type.object_fields = {"librdkafka"};
  register_builtin_destination_type(std::move(type));
}

}  // namespace eventdest::detail
