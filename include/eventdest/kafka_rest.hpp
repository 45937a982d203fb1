// The kafka_rest destination (Confluent REST Proxy v3 produce API).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "eventdest/destination.hpp"
#include "eventdest/export.hpp"
#include "eventdest/spec.hpp"

namespace eventdest {

enum class KafkaRestMode {
  single,  ///< one record per request
  stream,  ///< many records in one request; one report per record streamed back
  batch    ///< `records:batch`, 207 with per-entry results
};

struct EVENTDEST_API KafkaRestConfig {
  std::string bootstrap_servers;  ///< as given
  std::string base_url;           ///< host:port -> https://host:443; a URL with a scheme verbatim
  std::string cluster_id;
  std::string topic;
  std::string partition_key_template;
  KafkaRestMode mode = KafkaRestMode::stream;  ///< `mode`
  /// `max_batch_records`: records per request; default 500 in stream mode, 10 in batch mode
  /// (REST Proxy's default records:batch entry limit).
  std::size_t max_batch_records = 500;
  std::size_t max_batch_bytes = 5u << 20;   ///< `max_batch_bytes`: request body limit
  std::size_t max_record_bytes = 1u << 20;  ///< `max_record_bytes`: larger records fail at once
  std::string api_key;                      ///< credentials (or config) `api_key`
  std::string api_secret;                   ///< credentials (or config) `api_secret`
  KafkaRecordOptions record;  ///< `record_format` (and the destination id it may carry)
  DeliveryOptions delivery;
  HttpTlsOptions tls;

  /// Reads and checks every field; throws ConfigError listing every problem.
  static KafkaRestConfig from_spec(const DestinationSpec& spec);
  /// Every problem with this config, checked by the rules of the spec fields it mirrors and named
  /// after them (`config.topic`, ...). Empty: valid. `base_url` is derived from
  /// `bootstrap_servers` (a value set here is replaced). make_kafka_rest_destination() runs it.
  std::vector<FieldProblem> validate() const;
};

/// Creates a kafka_rest destination. Throws ConfigError listing every problem validate() finds.
EVENTDEST_API std::unique_ptr<Destination> make_kafka_rest_destination(
    const KafkaRestConfig& config, std::vector<std::string> topics = {},
    std::optional<Filter> filter = std::nullopt);

}  // namespace eventdest
