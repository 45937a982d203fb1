// Reads typed fields out of a DestinationSpec while collecting every problem, so a spec with
// five mistakes yields one ConfigError listing five `field: problem` lines.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventdest/error.hpp"
#include "eventdest/spec.hpp"

namespace eventdest::detail {

/// A boolean as Go's strconv.ParseBool reads it (1 t T TRUE true True, 0 f F FALSE false False),
/// plus on/off/yes/no in any case, as Outpost's config accepts. False if `text` is none of them.
bool parse_bool(std::string_view text, bool& out);

class ConfigReader {
 public:
  ConfigReader(const DestinationSpec& spec, std::vector<FieldProblem>& problems);

  /// `config.<key>` for a field that takes text; records a problem if `required` and
  /// absent/empty, or if the spec gave a JSON number or boolean (then nothing else is reported
  /// for the field).
  std::optional<std::string> string(std::string_view key, bool required = false);
  /// A secret in `credentials.<key>` (or, when `also_in_config`, `config.<key>`).
  std::optional<std::string> credential(std::string_view key, bool required = false,
                                        bool also_in_config = false);
  /// Two credentials that only make sense together (key and secret): a problem names the missing
  /// one when just the other is given.
  std::pair<std::optional<std::string>, std::optional<std::string>> credential_pair(
      std::string_view first, std::string_view second, bool also_in_config = false);
  bool boolean(std::string_view key, bool fallback);
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max);
  std::chrono::milliseconds millis(std::string_view key, std::chrono::milliseconds fallback,
                                   std::int64_t min, std::int64_t max);
  /// One of `choices` (the problem lists them all); `fallback` if absent.
  std::string one_of(std::string_view key, std::initializer_list<std::string_view> choices,
                     std::string_view fallback);

  /// Records `field: message`, unless the field was already refused for its JSON type.
  void problem(std::string field, std::string message);
  /// Reports config and credential keys nobody asked for (typos) as "unknown field".
  void finish();

  const DestinationSpec& spec() const { return spec_; }
  std::vector<FieldProblem>& problems() { return problems_; }

 private:
  const DestinationSpec& spec_;
  std::vector<FieldProblem>& problems_;
  std::set<std::string, std::less<>> used_config_;
  std::set<std::string, std::less<>> used_credentials_;
  std::set<std::string, std::less<>> refused_;  // fields reported as "must be a string"

  /// The value as given (any JSON scalar), marked used; nullopt when absent or empty.
  std::optional<std::string> text(std::string_view key);
  /// False (with a problem) when `config.<key>` was given as a number or boolean.
  bool given_as_string(std::string_view key);
};

/// The options every destination type accepts (timeouts, buffer, backoff, ...).
DeliveryOptions read_delivery_options(ConfigReader& reader);
/// `tls_verify` and `ca_file` of the HTTP destinations.
HttpTlsOptions read_http_tls_options(ConfigReader& reader);
/// `record_format` of the Kafka destinations (default hookstream for hookstream's body) and the
/// destination id its hookstream headers carry.
KafkaRecordOptions read_kafka_record_options(ConfigReader& reader);
/// A Kafka topic name as Kafka accepts it: 1 to 249 of [A-Za-z0-9._-], not "." or "..".
bool valid_kafka_topic(std::string_view topic);
/// Checks `config.<field>` (by default partition_key_template) is a JMESPath expression that
/// compiles; returns it (empty when absent).
std::string read_partition_key_template(ConfigReader& reader,
                                        std::string_view field = "partition_key_template");

/// Runs a type's config reader and throws one ConfigError with every problem it found.
template <typename Config>
Config read_or_throw(Config (*read)(const DestinationSpec&, std::vector<FieldProblem>&),
                     const DestinationSpec& spec) {
  std::vector<FieldProblem> problems;
  Config config = read(spec, problems);
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return config;
}

}  // namespace eventdest::detail
