#include <rapidjson/document.h>

#include <regex>

#include "kafka/kafka_config_reader.hpp"
#include "spec/config_reader.hpp"
#include "spec/config_writer.hpp"
#include "util/json_util.hpp"

namespace eventdest {
namespace detail {
namespace {

// host:port, optionally prefixed by one of librdkafka's security protocols (any other scheme,
// e.g. http://, is dropped by librdkafka with a log line, leaving events waiting until they time
// out); spaces around a comma are fine, other whitespace is not.
bool valid_brokers(const std::string& brokers) {
  static const std::regex broker(
      R"(^ *((plaintext|ssl|sasl_plaintext|sasl_ssl)://)?([A-Za-z0-9._\-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5} *$)",
      std::regex::icase);
  std::size_t start = 0;
  while (true) {
    auto end = brokers.find(',', start);
    std::string one = brokers.substr(start, end == std::string::npos ? end : end - start);
    if (!std::regex_match(one, broker)) return false;
    if (end == std::string::npos) return true;
    start = end + 1;
  }
}

}  // namespace

KafkaConfig read_kafka_config(const DestinationSpec& spec, std::vector<FieldProblem>& problems) {
  ConfigReader r(spec, problems);
  KafkaConfig c;
  if (auto brokers = r.string("brokers", true)) {
    if (!valid_brokers(*brokers)) {
      r.problem("config.brokers",
                "must be a comma-separated list of host:port (optionally prefixed by plaintext://, "
                "ssl://, sasl_plaintext:// or sasl_ssl://)");
    } else {
      c.brokers = *brokers;
    }
  }
  if (auto topic = r.string("topic", true)) {
    if (!valid_kafka_topic(*topic)) {
      r.problem("config.topic", "must be 1 to 249 letters, digits, '.', '_' or '-'");
    } else {
      c.topic = *topic;
    }
  }
  auto username = r.credential("username");
  auto password = r.credential("password");
  // Without an explicit mechanism: PLAIN when credentials are given, else no SASL.
  const std::size_t problems_before = problems.size();
  auto mechanism = r.one_of("sasl_mechanism", {"plain", "scram-sha-256", "scram-sha-512", "none"},
                            username ? "plain" : "none");
  // With an invalid mechanism, checking credentials against a guessed one would only mislead.
  const bool mechanism_valid = problems.size() == problems_before;
  c.sasl_mechanism = mechanism == "plain"           ? KafkaSaslMechanism::plain
                     : mechanism == "scram-sha-256" ? KafkaSaslMechanism::scram_sha_256
                     : mechanism == "scram-sha-512" ? KafkaSaslMechanism::scram_sha_512
                                                    : KafkaSaslMechanism::none;
  if (!mechanism_valid) {
    // reported above
  } else if (c.sasl_mechanism != KafkaSaslMechanism::none) {
    if (!username)
      r.problem("credentials.username", "is required with sasl_mechanism " + mechanism);
    if (!password)
      r.problem("credentials.password", "is required with sasl_mechanism " + mechanism);
  } else if (username || password) {
    r.problem(username ? "credentials.username" : "credentials.password",
              "is given but sasl_mechanism is none");
  }
  c.username = username.value_or("");
  c.password = password.value_or("");
  c.tls = r.boolean("tls", true);
  c.partition_key_template = read_partition_key_template(r);
  c.record = read_kafka_record_options(r);
  c.ca_pem = r.string("ca_pem").value_or("");
  c.ca_location = r.string("ca_location").value_or("");
  c.client_cert_pem = r.string("client_cert_pem").value_or("");
  c.client_cert_location = r.string("client_cert_location").value_or("");
  c.client_key_pem = r.credential("client_key_pem", false, true).value_or("");
  c.client_key_location = r.string("client_key_location").value_or("");
  c.client_key_password = r.credential("client_key_password", false, true).value_or("");
  if (!c.ca_pem.empty() && !c.ca_location.empty()) {
    r.problem("config.ca_pem", "give ca_pem or ca_location, not both");
  }
  const bool has_cert = !c.client_cert_pem.empty() || !c.client_cert_location.empty();
  const bool has_key = !c.client_key_pem.empty() || !c.client_key_location.empty();
  if (has_cert != has_key) {
    r.problem(has_cert ? "config.client_key_pem" : "config.client_cert_pem",
              "client certificate and key must be given together");
  }
  if (!c.tls && (has_cert || !c.ca_pem.empty() || !c.ca_location.empty())) {
    r.problem("config.tls", "is false but TLS settings (CA or client certificate) are given");
  }
  c.partitioner = r.one_of("partitioner",
                           {"murmur2_random", "murmur2", "fnv1a_random", "fnv1a",
                            "consistent_random", "consistent", "random"},
                           "murmur2_random");
  c.compression = r.one_of("compression", {"none", "gzip", "snappy", "lz4", "zstd"}, "none");
  c.delivery = read_delivery_options(r);
  if (auto extra = r.string("librdkafka")) {
    rapidjson::Document doc;
    doc.Parse(extra->c_str(), extra->size());
    if (doc.HasParseError() || !doc.IsObject()) {
      r.problem("config.librdkafka", "must be an object of librdkafka properties");
    } else {
      for (const auto& m : doc.GetObject()) {
        std::string key = m.name.GetString();
        if (m.value.IsString()) {
          c.librdkafka[key] = m.value.GetString();
        } else if (m.value.IsNumber() || m.value.IsBool()) {
          c.librdkafka[key] =
              m.value.IsBool() ? (m.value.GetBool() ? "true" : "false") : compact_json(m.value);
        } else {
          r.problem("config.librdkafka." + key, "must be a string, number or boolean");
        }
      }
    }
  }
  r.finish();
  return c;
}

}  // namespace detail

KafkaConfig KafkaConfig::from_spec(const DestinationSpec& spec) {
  return detail::read_or_throw(&detail::read_kafka_config, spec);
}

namespace detail {

DestinationSpec spec_of(const KafkaConfig& c) {
  DestinationSpec spec;
  spec.type = "kafka";
  set_config(spec, "brokers", c.brokers);
  set_config(spec, "topic", c.topic);
  const char* mechanism = "none";
  switch (c.sasl_mechanism) {
    case KafkaSaslMechanism::none:
      break;
    case KafkaSaslMechanism::plain:
      mechanism = "plain";
      break;
    case KafkaSaslMechanism::scram_sha_256:
      mechanism = "scram-sha-256";
      break;
    case KafkaSaslMechanism::scram_sha_512:
      mechanism = "scram-sha-512";
      break;
  }
  set_config(spec, "sasl_mechanism", std::string(mechanism));
  set_config(spec, "tls", c.tls);
  set_config(spec, "partition_key_template", c.partition_key_template);
  set_credential(spec, "username", c.username);
  set_credential(spec, "password", c.password);
  set_config(spec, "ca_pem", c.ca_pem);
  set_config(spec, "ca_location", c.ca_location);
  set_config(spec, "client_cert_pem", c.client_cert_pem);
  set_config(spec, "client_cert_location", c.client_cert_location);
  set_credential(spec, "client_key_pem", c.client_key_pem);
  set_config(spec, "client_key_location", c.client_key_location);
  set_credential(spec, "client_key_password", c.client_key_password);
  set_config(spec, "partitioner", c.partitioner);
  set_config(spec, "compression", c.compression);
  if (!c.librdkafka.empty()) {
    std::string object = "{";
    for (const auto& [name, value] : c.librdkafka) {
      if (object.size() > 1) object += ',';
      append_json_string(object, name);
      object += ':';
      append_json_string(object, value);
    }
    spec.config["librdkafka"] = object + "}";
  }
  write_kafka_record_options(spec, c.record);
  write_delivery_options(spec, c.delivery);
  return spec;
}

KafkaConfig checked_kafka_config(const KafkaConfig& config) {
  return read_or_throw(&read_kafka_config, spec_of(config));
}

}  // namespace detail

std::vector<FieldProblem> KafkaConfig::validate() const {
  std::vector<FieldProblem> problems;
  detail::read_kafka_config(detail::spec_of(*this), problems);
  return problems;
}

}  // namespace eventdest
