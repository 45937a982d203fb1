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

/// Runs a reader and throws one ConfigError with every problem it found.
template <typename Config>
Config read_or_throw(Config (*read)(const DestinationSpec&, std::vector<FieldProblem>&),
                     const DestinationSpec& spec) {
  std::vector<FieldProblem> problems;
  Config config = read(spec, problems);
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return config;
}

}  // namespace eventdest::detail
