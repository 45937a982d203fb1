// Destination specs: the Outpost-style JSON body (`type`, `topics`, `config`, `credentials`)
// and hookstream's Kafka body, validated field by field, and the factory that builds
// destinations from them.
//
// Thread-safety: parse/validate functions are reentrant. The factory registry may be used from
// any thread; registering concurrently with make_destination() is safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "eventdest/destination.hpp"
#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "eventdest/export.hpp"
#include "eventdest/filter.hpp"

namespace eventdest {

/// A parsed spec. Config values are normalised to text: JSON strings as is, numbers and booleans
/// as their JSON text, objects and arrays as compact JSON (e.g. the kafka `librdkafka` object).
struct EVENTDEST_API DestinationSpec {
  std::string type;  ///< a registered type: "aws_kinesis", "kafka_rest", "kafka", ...
  std::string id;    ///< optional, as Outpost's `id`
  std::string name;  ///< optional, as hookstream's `name`
  std::vector<std::string> topics;  ///< empty or {"*"}: all topics
  std::map<std::string, std::string> config;
  /// Config keys whose JSON value was a number or boolean (kept as text in `config`): fields that
  /// take text (names, regions, URLs) refuse them rather than take "5" or "true" for a name.
  std::set<std::string> native_config;
  std::map<std::string, std::string> credentials;  ///< secret values: never printed
  Metadata delivery_metadata;  ///< added to every event's metadata (user metadata wins)
  /// Outpost's `filter` (an object at the top level of the body), compiled when parsed: events
  /// it does not match are reported `not_matched`. None: every event of the topics.
  std::optional<Filter> filter;
  /// Outpost's `disabled_at` (RFC 3339), empty when absent or null. Set: the destination publishes
  /// nothing; every event is reported `not_matched` saying it is disabled.
  std::string disabled_at;
  /// True when the body was hookstream's (`type: kafka` with `cluster_id`): its Kafka records
  /// default to `record_format: hookstream`.
  bool hookstream_body = false;

  /// True if the topics take `topic` (the filter, if any, is checked per event).
  bool matches_topic(std::string_view topic) const noexcept;
  /// The spec as JSON with every credential value (and secret config value) redacted.
  std::string to_string() const;
};

/// True for config/credential field names whose values are secrets (never echoed).
EVENTDEST_API bool is_secret_field(std::string_view name) noexcept;

/// Parses the JSON body and checks its shape and every field of its type.
/// hookstream's `{"name", "type": "kafka", "config": {"bootstrap_servers", "cluster_id", ...}}`
/// becomes a `kafka_rest` spec. Throws ConfigError listing every problem.
EVENTDEST_API DestinationSpec parse_spec(std::string_view json);
/// A list of destination bodies: a JSON array of them (Outpost's list-destinations response) or a
/// single body. Problems are prefixed with the body's index (`[1].config.topic: is required`).
/// Throws ConfigError listing every problem of every body.
EVENTDEST_API std::vector<DestinationSpec> parse_specs(std::string_view json);
/// Every problem with `spec` (empty if valid). Does not throw.
EVENTDEST_API std::vector<FieldProblem> validate_spec(const DestinationSpec& spec);

/// `config.spool`: a durable on-disk spool in front of the destination. An accepted event is
/// written to it before publish() returns, fsynced at most `sync` later (group commit), and
/// released once it has its final report; a destination opened on a spool that holds events
/// publishes them first (see Destination::replay). Guarantee: at-least-once across crashes for
/// events whose publish() returned at least `sync` before the crash.
struct EVENTDEST_API SpoolOptions {
  std::string dir;                          ///< `dir`: the spool's directory (created if needed)
  std::uint64_t max_bytes = 1ull << 30;     ///< `max_bytes`: unreleased records on disk
  std::chrono::milliseconds sync{5};        ///< `sync_ms`: 0 = fsync before publish() returns
  std::uint64_t segment_bytes = 64u << 20;  ///< `segment_bytes`: size at which a file is closed
};

/// Options every destination type accepts in `config`.
enum class QueueFullBehavior { block, fail };
struct EVENTDEST_API DeliveryOptions {
  std::chrono::milliseconds delivery_timeout{120000};          ///< `delivery_timeout_ms`
  std::chrono::milliseconds request_timeout{30000};            ///< `request_timeout_ms`
  std::chrono::milliseconds linger{5};                         ///< `linger_ms`
  std::chrono::milliseconds retry_backoff{100};                ///< `retry_backoff_ms` (first retry)
  std::chrono::milliseconds retry_backoff_max{5000};           ///< `retry_backoff_max_ms`
  std::size_t max_buffered_bytes = 64u << 20;                  ///< `max_buffered_bytes`
  QueueFullBehavior on_queue_full = QueueFullBehavior::block;  ///< `on_queue_full`
  int max_in_flight = 4;  ///< `max_in_flight_requests`: concurrent requests per destination
  TimestampFormat timestamp_format = TimestampFormat::unix_seconds;  ///< `timestamp_format`
  /// `include_millisecond_timestamp`: Outpost's `timestamp-ms` system metadata (unix ms); the
  /// process-wide default comes from `DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP`.
  bool timestamp_ms = false;
  Metadata delivery_metadata;  ///< from the spec's top-level `delivery_metadata`
  std::string disabled_at;     ///< from the spec's top-level `disabled_at`: set, publish nothing
  /// `spool`: none by default (events are buffered in memory only).
  std::optional<SpoolOptions> spool;
};

/// The headers of the Kafka records (native and REST alike), `config.record_format`.
enum class KafkaRecordFormat {
  outpost,    ///< content-type, event-id, topic, timestamp, then the metadata
  hookstream  ///< hookstream-event-id, hookstream-destination-id, then the event's metadata
};
struct EVENTDEST_API KafkaRecordOptions {
  KafkaRecordFormat format = KafkaRecordFormat::outpost;
  std::string destination_id;  ///< the spec's `id`, else its `name` (hookstream-destination-id)
};

/// The DeliveryOptions `spec` gives (its problems are validate_spec()'s to report).
EVENTDEST_API DeliveryOptions delivery_options_of(const DestinationSpec& spec);

/// TLS settings of the HTTP destinations.
struct EVENTDEST_API HttpTlsOptions {
  bool verify = true;   ///< `tls_verify`; false logs a warning at creation
  std::string ca_file;  ///< `ca_file`: PEM bundle used instead of the system store
};

/// Builds a destination from a valid spec of its type.
using DestinationFactory = std::function<std::unique_ptr<Destination>(const DestinationSpec&)>;
/// Every problem with a spec's `config` and `credentials` for its type (empty: valid).
using SpecValidator = std::function<std::vector<FieldProblem>(const DestinationSpec&)>;

/// A destination type as parse_spec(), validate_spec() and make_destination() know it. The
/// built-in types (aws_kinesis, kafka_rest, kafka) are registered this way too, each from its own
/// folder under src/; a type registered by a user is parsed, validated and created like them.
struct EVENTDEST_API DestinationType {
  std::string name;        ///< the spec's `type`
  SpecValidator validate;  ///< required
  /// Empty: the type is known (specs validate) but this build cannot create it; make_destination()
  /// then fails with `unavailable` (e.g. `kafka` without the librdkafka adapter linked).
  DestinationFactory create;
  std::string unavailable;
  /// Config keys whose value may be a JSON object (kept as compact JSON text and redacted whole by
  /// DestinationSpec::to_string()), e.g. kafka's `librdkafka`.
  std::vector<std::string> object_fields;
};

/// Registers `type`, replacing a type of the same name (the position in
/// destination_type_names() is kept). Throws std::invalid_argument without a name or validator.
EVENTDEST_API void register_destination_type(DestinationType type);
/// The registered type names, built-in ones first, in registration order.
EVENTDEST_API std::vector<std::string> destination_type_names();

/// Sets the factory of a registered type, or registers a type that accepts any config (no
/// validation) with it. Kept for programs written before register_destination_type().
EVENTDEST_API void register_destination_factory(const std::string& type,
                                                DestinationFactory factory);
/// True if make_destination() can create `type` in this program.
EVENTDEST_API bool has_destination_factory(const std::string& type);

/// parse_spec() then the type's factory. Throws ConfigError.
EVENTDEST_API std::unique_ptr<Destination> make_destination(std::string_view json);
EVENTDEST_API std::unique_ptr<Destination> make_destination(const DestinationSpec& spec);

}  // namespace eventdest
