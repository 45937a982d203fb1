// The per-type config readers behind validate_spec() and the *Config::from_spec() functions.
// Each appends every problem it finds instead of stopping at the first.
#pragma once

#include <vector>

#include "eventdest/error.hpp"
#include "eventdest/kafka_config.hpp"
#include "eventdest/kafka_rest.hpp"
#include "eventdest/kinesis.hpp"

namespace eventdest::detail {

KinesisConfig read_kinesis_config(const DestinationSpec& spec, std::vector<FieldProblem>& problems);
KafkaRestConfig read_kafka_rest_config(const DestinationSpec& spec,
                                       std::vector<FieldProblem>& problems);
KafkaConfig read_kafka_config(const DestinationSpec& spec, std::vector<FieldProblem>& problems);

}  // namespace eventdest::detail
