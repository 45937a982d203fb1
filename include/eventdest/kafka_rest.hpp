// The kafka_rest destination (Confluent REST Proxy v3 produce API).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "eventdest/destination.hpp"
#include "eventdest/spec.hpp"

namespace eventdest {

enum class KafkaRestMode {
  single,  ///< one record per request
  stream,  ///< many records in one request; one report per record streamed back
  batch    ///< `records:batch`, 207 with per-entry results
};

struct KafkaRestConfig {
  std::string bootstrap_servers;  ///< as given
  std::string base_url;           ///< host:port -> https://host:443; a URL with a scheme verbatim
  std::string cluster_id;
  std::string topic;
  std::string partition_key_template;
  KafkaRestMode mode = KafkaRestMode::stream;  ///< `mode`
  std::size_t max_batch_records = 500;         ///< records per stream/batch request
  std::string api_key;                         ///< credentials (or config) `api_key`
  std::string api_secret;                      ///< credentials (or config) `api_secret`
  DeliveryOptions delivery;
  HttpTlsOptions tls;

  static KafkaRestConfig from_spec(const DestinationSpec& spec);
};

std::unique_ptr<Destination> make_kafka_rest_destination(const KafkaRestConfig& config,
                                                         std::vector<std::string> topics = {});

}  // namespace eventdest
