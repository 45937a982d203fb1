#include <algorithm>

#include "eventdest/kafka.hpp"
#include "eventdest/spec.hpp"

namespace eventdest {
namespace {

const char* mechanism_name(KafkaSaslMechanism m) {
  switch (m) {
    case KafkaSaslMechanism::plain:
      return "PLAIN";
    case KafkaSaslMechanism::scram_sha_256:
      return "SCRAM-SHA-256";
    case KafkaSaslMechanism::scram_sha_512:
      return "SCRAM-SHA-512";
    case KafkaSaslMechanism::none:
      break;
  }
  return "";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> kafka_properties(const KafkaConfig& c,
                                                                  bool redact) {
  std::vector<std::pair<std::string, std::string>> p;
  auto secret = [redact](const std::string& v) { return redact ? std::string("<redacted>") : v; };
  const bool sasl = c.sasl_mechanism != KafkaSaslMechanism::none;
  p.emplace_back("bootstrap.servers", c.brokers);
  p.emplace_back("security.protocol",
                 sasl ? (c.tls ? "SASL_SSL" : "SASL_PLAINTEXT") : (c.tls ? "SSL" : "PLAINTEXT"));
  if (sasl) {
    p.emplace_back("sasl.mechanisms", mechanism_name(c.sasl_mechanism));
    p.emplace_back("sasl.username", c.username);
    p.emplace_back("sasl.password", secret(c.password));
  }
  if (!c.ca_pem.empty()) p.emplace_back("ssl.ca.pem", c.ca_pem);
  if (!c.ca_location.empty()) p.emplace_back("ssl.ca.location", c.ca_location);
  if (!c.client_cert_pem.empty()) p.emplace_back("ssl.certificate.pem", c.client_cert_pem);
  if (!c.client_cert_location.empty())
    p.emplace_back("ssl.certificate.location", c.client_cert_location);
  if (!c.client_key_pem.empty()) p.emplace_back("ssl.key.pem", secret(c.client_key_pem));
  if (!c.client_key_location.empty()) p.emplace_back("ssl.key.location", c.client_key_location);
  if (!c.client_key_password.empty())
    p.emplace_back("ssl.key.password", secret(c.client_key_password));
  p.emplace_back("partitioner", c.partitioner);
  p.emplace_back("compression.codec", c.compression);
  p.emplace_back("linger.ms", std::to_string(c.delivery.linger.count()));
  // Acknowledged by all in-sync replicas, without duplicates from producer retries.
  p.emplace_back("acks", "all");
  p.emplace_back("enable.idempotence", "true");
  p.emplace_back("message.timeout.ms", std::to_string(c.delivery.delivery_timeout.count()));
  // A topic that does not exist fails its events (not_found) after this long instead of
  // waiting out message.timeout.ms; librdkafka's 30 s default allows for a topic being created.
  p.emplace_back("topic.metadata.propagation.max.ms",
                 std::to_string(std::min<long long>(5000, c.delivery.delivery_timeout.count())));
  p.emplace_back("queue.buffering.max.kbytes",
                 std::to_string(std::max<std::size_t>(1, c.delivery.max_buffered_bytes / 1024)));
  for (const auto& [k, v] : c.librdkafka)
    p.emplace_back(k, is_secret_field(k) ? secret(v) : v);
  return p;
}

}  // namespace eventdest
