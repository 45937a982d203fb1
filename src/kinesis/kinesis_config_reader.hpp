// The `aws_kinesis` config reader: every problem of a spec's config and credentials, and the typed
// config they give. Used by KinesisConfig::from_spec() and by the type's registration.
#pragma once

#include <vector>

#include "eventdest/error.hpp"
#include "eventdest/kinesis.hpp"

namespace eventdest::detail {

KinesisConfig read_kinesis_config(const DestinationSpec& spec, std::vector<FieldProblem>& problems);

}  // namespace eventdest::detail
