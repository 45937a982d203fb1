// The `kafka` config reader: every problem of a spec's config and credentials, and the typed
// config they give. Used by KafkaConfig::from_spec() and by the type's registration.
#pragma once

#include <vector>

#include "eventdest/error.hpp"
#include "eventdest/kafka_config.hpp"

namespace eventdest::detail {

KafkaConfig read_kafka_config(const DestinationSpec& spec, std::vector<FieldProblem>& problems);

}  // namespace eventdest::detail
