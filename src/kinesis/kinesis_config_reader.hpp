// The `aws_kinesis` config reader: every problem of a spec's config and credentials, and the typed
// config they give. Used by KinesisConfig::from_spec() and by the type's registration.
#pragma once

#include <vector>

#include "eventdest/error.hpp"
#include "eventdest/kinesis.hpp"

namespace eventdest::detail {

KinesisConfig read_kinesis_config(const DestinationSpec& spec, std::vector<FieldProblem>& problems);
/// A typed config as the spec that would give it (secrets included: never print it).
DestinationSpec spec_of(const KinesisConfig& config);
/// `config` checked by the spec rules and normalised as a spec would be (derived fields filled
/// in); throws ConfigError listing every problem. What make_kinesis_destination() builds from.
KinesisConfig checked_kinesis_config(const KinesisConfig& config);

}  // namespace eventdest::detail
