// The `kafka` config reader: every problem of a spec's config and credentials, and the typed
// config they give. Used by KafkaConfig::from_spec() and by the type's registration.
#pragma once

#include <vector>

#include "eventdest/error.hpp"
#include "eventdest/kafka_config.hpp"
#include "util/adapter_export.hpp"

namespace eventdest::detail {

KafkaConfig read_kafka_config(const DestinationSpec& spec, std::vector<FieldProblem>& problems);
/// A typed config as the spec that would give it (secrets included: never print it).
DestinationSpec spec_of(const KafkaConfig& config);
/// `config` checked by the spec rules and normalised as a spec would be (derived fields filled
/// in); throws ConfigError listing every problem. What make_kafka_destination() builds from.
EVENTDEST_ADAPTER_API KafkaConfig checked_kafka_config(const KafkaConfig& config);

}  // namespace eventdest::detail
