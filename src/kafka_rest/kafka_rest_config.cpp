#include <regex>

#include "http/url.hpp"
#include "kafka_rest/kafka_rest_config_reader.hpp"
#include "spec/config_reader.hpp"
#include "spec/config_writer.hpp"

namespace eventdest {
namespace detail {
namespace {

// "host:port" (Confluent Cloud's bootstrap address) -> "https://host:443", the REST endpoint on
// the same host; a value with a scheme is the REST base URL as is. Returns the problem, if any.
std::string rest_base_url(const std::string& bootstrap, std::string& out) {
  std::string first = bootstrap.substr(0, bootstrap.find(','));
  if (first.find("://") != std::string::npos) return http::check_base_url(first, out);
  static const std::regex host_port(R"(^([A-Za-z0-9_.\-]+)(:[0-9]{1,5})?$)");
  std::smatch m;
  if (!std::regex_match(first, m, host_port)) {
    return "must be host:port or a URL such as http://127.0.0.1:8082";
  }
  out = "https://" + m[1].str() + ":443";
  return {};
}

// Kafka cluster ids are base64url UUIDs (MkU3OEVBNTcwNTJENDM2Qg), Confluent Cloud's lkc-abc123:
// nothing that could be a path separator, a dot segment, a query or whitespace.
bool valid_cluster_id(const std::string& id) {
  static const std::regex pattern(R"(^[A-Za-z0-9_\-]{1,64}$)");
  return std::regex_match(id, pattern);
}

}  // namespace

KafkaRestConfig read_kafka_rest_config(const DestinationSpec& spec,
                                       std::vector<FieldProblem>& problems) {
  ConfigReader r(spec, problems);
  KafkaRestConfig c;
  if (auto bootstrap = r.string("bootstrap_servers", true)) {
    c.bootstrap_servers = *bootstrap;
    if (auto problem = rest_base_url(*bootstrap, c.base_url); !problem.empty()) {
      r.problem("config.bootstrap_servers", std::move(problem));
    }
  }
  if (auto cluster = r.string("cluster_id", true)) {
    if (!valid_cluster_id(*cluster)) {
      r.problem("config.cluster_id", "must be 1 to 64 letters, digits, '_' or '-'");
    } else {
      c.cluster_id = *cluster;
    }
  }
  if (auto topic = r.string("topic", true)) {
    if (!valid_kafka_topic(*topic)) {
      r.problem("config.topic", "must be 1 to 249 letters, digits, '.', '_' or '-'");
    } else {
      c.topic = *topic;
    }
  }
  c.partition_key_template = read_partition_key_template(r);
  c.record = read_kafka_record_options(r);
  auto mode = r.one_of("mode", {"single", "stream", "batch"}, "stream");
  c.mode = mode == "single"  ? KafkaRestMode::single
           : mode == "batch" ? KafkaRestMode::batch
                             : KafkaRestMode::stream;
  c.max_batch_records = static_cast<std::size_t>(
      r.integer("max_batch_records", c.mode == KafkaRestMode::batch ? 10 : 500, 1, 10000));
  constexpr std::int64_t kMiB = 1 << 20;
  c.max_record_bytes = static_cast<std::size_t>(r.integer("max_record_bytes", kMiB, 1, 64 * kMiB));
  c.max_batch_bytes =
      static_cast<std::size_t>(r.integer("max_batch_bytes", 5 * kMiB, 1, 64 * kMiB));
  if (c.max_batch_bytes < c.max_record_bytes) {
    r.problem("config.max_batch_bytes", "must not be less than max_record_bytes");
  }
  // hookstream puts api_key/api_secret inside config; Outpost style puts them in credentials.
  auto [key, secret] = r.credential_pair("api_key", "api_secret", true);
  c.api_key = key.value_or("");
  c.api_secret = secret.value_or("");
  c.delivery = read_delivery_options(r);
  c.tls = read_http_tls_options(r);
  r.finish();
  return c;
}

}  // namespace detail

KafkaRestConfig KafkaRestConfig::from_spec(const DestinationSpec& spec) {
  return detail::read_or_throw(&detail::read_kafka_rest_config, spec);
}

namespace detail {

DestinationSpec spec_of(const KafkaRestConfig& c) {
  DestinationSpec spec;
  spec.type = "kafka_rest";
  set_config(spec, "bootstrap_servers", c.bootstrap_servers);
  set_config(spec, "cluster_id", c.cluster_id);
  set_config(spec, "topic", c.topic);
  set_config(spec, "partition_key_template", c.partition_key_template);
  const char* mode = c.mode == KafkaRestMode::single  ? "single"
                     : c.mode == KafkaRestMode::batch ? "batch"
                                                      : "stream";
  set_config(spec, "mode", std::string(mode));
  set_config(spec, "max_batch_records", static_cast<std::int64_t>(c.max_batch_records));
  set_config(spec, "max_batch_bytes", static_cast<std::int64_t>(c.max_batch_bytes));
  set_config(spec, "max_record_bytes", static_cast<std::int64_t>(c.max_record_bytes));
  set_credential(spec, "api_key", c.api_key);
  set_credential(spec, "api_secret", c.api_secret);
  write_kafka_record_options(spec, c.record);
  write_delivery_options(spec, c.delivery);
  write_http_tls_options(spec, c.tls);
  return spec;
}

KafkaRestConfig checked_kafka_rest_config(const KafkaRestConfig& config) {
  return read_or_throw(&read_kafka_rest_config, spec_of(config));
}

}  // namespace detail

std::vector<FieldProblem> KafkaRestConfig::validate() const {
  std::vector<FieldProblem> problems;
  detail::read_kafka_rest_config(detail::spec_of(*this), problems);
  return problems;
}

}  // namespace eventdest
