// Configuration of the native `kafka` destination. Parsing and validation are part of the core
// library (so `validate` works without librdkafka); the destination itself is in the
// eventdest::kafka adapter (eventdest/kafka.hpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "eventdest/export.hpp"
#include "eventdest/spec.hpp"

namespace eventdest {

enum class KafkaSaslMechanism { none, plain, scram_sha_256, scram_sha_512 };

struct EVENTDEST_API KafkaConfig {
  std::string brokers;  ///< `brokers`: comma-separated host:port list
  std::string topic;
  KafkaSaslMechanism sasl_mechanism = KafkaSaslMechanism::plain;  ///< `sasl_mechanism`
  bool tls = true;                                                ///< `tls`
  std::string partition_key_template;
  std::string username;         ///< credentials `username`
  std::string password;         ///< credentials `password`
  std::string ca_pem;           ///< `ca_pem`
  std::string ca_location;      ///< `ca_location`
  std::string client_cert_pem;  ///< `client_cert_pem` (mTLS)
  std::string client_cert_location;
  std::string client_key_pem;  ///< `client_key_pem` (secret)
  std::string client_key_location;
  std::string client_key_password;                ///< credentials `client_key_password` (secret)
  std::string partitioner = "murmur2_random";     ///< `partitioner`
  std::string compression = "none";               ///< `compression`: none, gzip, snappy, lz4, zstd
  std::map<std::string, std::string> librdkafka;  ///< `librdkafka`: extra properties
  KafkaRecordOptions record;  ///< `record_format` (and the destination id it may carry)
  DeliveryOptions delivery;   ///< `linger_ms` (delivery.linger) becomes librdkafka's linger.ms

  /// Reads and checks every field; throws ConfigError listing every problem.
  static KafkaConfig from_spec(const DestinationSpec& spec);
  /// Every problem with this config, checked by the rules of the spec fields it mirrors and named
  /// after them (`config.brokers`, ...). Empty: valid. make_kafka_destination() runs it too, then
  /// librdkafka's own check of the properties.
  std::vector<FieldProblem> validate() const;
};

}  // namespace eventdest
