// The native `kafka` destination (librdkafka), in the optional eventdest::kafka adapter target.
//
// Including this header registers the `kafka` type with make_destination(), so a program that
// links eventdest::kafka and includes it anywhere can build kafka destinations from JSON specs
// (also from a static library: the registration is an inline variable of this header).
//
// Thread-safety: as every Destination, all methods may be called from any thread; delivery
// callbacks run on the destination's poll thread (or on the publishing thread for reports decided
// at once: not_matched, queue_full, closed).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eventdest/destination.hpp"
#include "eventdest/export.hpp"
#include "eventdest/kafka_config.hpp"

namespace eventdest {

/// Creates a kafka destination. Throws ConfigError, including every property librdkafka itself
/// refuses (e.g. `config.librdkafka.no.such.property: No such configuration property`).
EVENTDEST_API std::unique_ptr<Destination> make_kafka_destination(
    const KafkaConfig& config, std::vector<std::string> topics = {},
    std::optional<Filter> filter = std::nullopt);

/// Registers the `kafka` type with make_destination(). Idempotent.
EVENTDEST_API void register_kafka_destination();

/// The librdkafka properties a config maps to, in the order they are set, with secret values
/// replaced by "<redacted>" when `redact` (for logs and tests).
EVENTDEST_API std::vector<std::pair<std::string, std::string>> kafka_properties(
    const KafkaConfig& config, bool redact = false);

namespace detail {
inline const bool kafka_destination_registered = (register_kafka_destination(), true);
}  // namespace detail

}  // namespace eventdest
