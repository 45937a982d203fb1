// The `kafka_rest` config reader: every problem of a spec's config and credentials, and the typed
// config they give. Used by KafkaRestConfig::from_spec() and by the type's registration.
#pragma once

#include <vector>

#include "eventdest/error.hpp"
#include "eventdest/kafka_rest.hpp"

namespace eventdest::detail {

KafkaRestConfig read_kafka_rest_config(const DestinationSpec& spec,
                                       std::vector<FieldProblem>& problems);

}  // namespace eventdest::detail
