// The `kafka_rest` config reader: every problem of a spec's config and credentials, and the typed
// config they give. Used by KafkaRestConfig::from_spec() and by the type's registration.
#pragma once

#include <vector>

#include "eventdest/error.hpp"
#include "eventdest/kafka_rest.hpp"

namespace eventdest::detail {

KafkaRestConfig read_kafka_rest_config(const DestinationSpec& spec,
                                       std::vector<FieldProblem>& problems);
/// A typed config as the spec that would give it (secrets included: never print it).
DestinationSpec spec_of(const KafkaRestConfig& config);
/// `config` checked by the spec rules and normalised as a spec would be (base_url derived from
/// bootstrap_servers); throws ConfigError listing every problem. What
/// make_kafka_rest_destination() builds from.
KafkaRestConfig checked_kafka_rest_config(const KafkaRestConfig& config);

}  // namespace eventdest::detail
