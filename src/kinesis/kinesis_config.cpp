#include <cctype>
#include <cstdlib>
#include <regex>

#include "http/url.hpp"
#include "kinesis/kinesis_config_reader.hpp"
#include "spec/config_reader.hpp"
#include "spec/config_writer.hpp"

namespace eventdest {
namespace detail {
namespace {

constexpr std::int64_t kMiB = 1 << 20;

bool valid_stream_name(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (unsigned char c : s) {
    if (!std::isalnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

bool valid_region(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s) {
    if (!std::islower(c) && !std::isdigit(c) && c != '-') return false;
  }
  return true;
}

// DESTINATIONS_AWS_KINESIS_METADATA_IN_PAYLOAD sets the process-wide default (as in Outpost).
bool metadata_in_payload_default(ConfigReader& r) {
  const char* env = std::getenv("DESTINATIONS_AWS_KINESIS_METADATA_IN_PAYLOAD");
  if (env == nullptr || *env == '\0') return true;
  bool value = true;
  if (parse_bool(env, value)) return value;
  r.problem("DESTINATIONS_AWS_KINESIS_METADATA_IN_PAYLOAD", "must be true or false");
  return true;
}

}  // namespace

KinesisConfig read_kinesis_config(const DestinationSpec& spec,
                                  std::vector<FieldProblem>& problems) {
  ConfigReader r(spec, problems);
  KinesisConfig c;
  auto name = r.string("stream_name");
  auto arn = r.string("stream_arn");
  auto region = r.string("region");
  if (arn) {
    // arn:<partition>:kinesis:<region>:<account>:stream/<name>
    static const std::regex arn_pattern(
        R"(^arn:aws[a-z\-]*:kinesis:([a-z0-9\-]+):([0-9]{12}):stream/([A-Za-z0-9_.\-]{1,128})$)");
    std::smatch m;
    if (!std::regex_match(*arn, m, arn_pattern)) {
      r.problem("config.stream_arn",
                "must look like arn:aws:kinesis:<region>:<account>:stream/<name>");
    } else {
      c.stream_arn = *arn;
      if (name && *name != m[3].str()) {
        r.problem("config.stream_name", "does not match the stream name in stream_arn");
      }
      if (region && *region != m[1].str()) {
        r.problem("config.region", "does not match the region in stream_arn");
      }
      c.stream_name = m[3].str();
      c.region = m[1].str();
    }
  } else if (!name) {
    r.problem("config.stream_name", "is required (or give config.stream_arn)");
  }
  if (name && !valid_stream_name(*name)) {
    r.problem("config.stream_name", "must be 1 to 128 letters, digits, '_', '.' or '-'");
  } else if (name) {
    c.stream_name = *name;
  }
  if (region) {
    if (!valid_region(*region)) {
      r.problem("config.region", "must be an AWS region such as us-east-1");
    } else {
      c.region = *region;
    }
  } else if (!arn) {
    r.problem("config.region", "is required");
  }
  if (auto endpoint = r.string("endpoint")) {
    if (auto problem = http::check_base_url(*endpoint, c.endpoint); !problem.empty()) {
      r.problem("config.endpoint", std::move(problem));
    }
  }
  c.partition_key_template = read_partition_key_template(r);
  c.api = r.one_of("api", {"put_records", "put_record"}, "put_records") == "put_record"
              ? KinesisApi::put_record
              : KinesisApi::put_records;
  c.metadata_in_payload = r.boolean("metadata_in_payload", metadata_in_payload_default(r));
  c.max_batch_records = static_cast<std::size_t>(r.integer("max_batch_records", 500, 1, 500));
  c.max_record_bytes = static_cast<std::size_t>(r.integer("max_record_bytes", kMiB, 1, 10 * kMiB));
  c.max_batch_bytes =
      static_cast<std::size_t>(r.integer("max_batch_bytes", 5 * kMiB, 1, 10 * kMiB));
  if (c.max_batch_bytes < c.max_record_bytes) {
    r.problem("config.max_batch_bytes", "must not be less than max_record_bytes");
  }
  c.aggregation = r.boolean("aggregation", false);
  c.aggregation_max_bytes = static_cast<std::size_t>(r.integer(
      "aggregation_max_bytes", static_cast<std::int64_t>(c.max_record_bytes), 64, 10 * kMiB));
  if (c.aggregation_max_bytes > c.max_record_bytes) {
    r.problem("config.aggregation_max_bytes", "must not be more than max_record_bytes");
  }
  c.aggregation_max_records =
      static_cast<std::size_t>(r.integer("aggregation_max_records", 100000, 1, 10000000));
  c.explicit_hash_key_template = read_partition_key_template(r, "explicit_hash_key_template");
  c.shard_rate_limit = r.boolean("shard_rate_limit", false);
  // credential_pair reports a key without its secret (and the reverse) itself.
  auto [key, secret] = r.credential_pair("key", "secret");
  auto session = r.credential("session");
  if (session && !key) r.problem("credentials.session", "needs credentials.key and secret");
  c.access_key_id = key.value_or("");
  c.secret_access_key = secret.value_or("");
  c.session_token = session.value_or("");
  c.delivery = read_delivery_options(r);
  c.tls = read_http_tls_options(r);
  r.finish();
  return c;
}

}  // namespace detail

KinesisConfig KinesisConfig::from_spec(const DestinationSpec& spec) {
  return detail::read_or_throw(&detail::read_kinesis_config, spec);
}

namespace detail {

DestinationSpec spec_of(const KinesisConfig& c) {
  DestinationSpec spec;
  spec.type = "aws_kinesis";
  set_config(spec, "stream_name", c.stream_name);
  set_config(spec, "stream_arn", c.stream_arn);
  set_config(spec, "region", c.region);
  set_config(spec, "endpoint", c.endpoint);
  set_config(spec, "partition_key_template", c.partition_key_template);
  set_config(spec, "api",
             std::string(c.api == KinesisApi::put_record ? "put_record" : "put_records"));
  set_config(spec, "metadata_in_payload", c.metadata_in_payload);
  set_config(spec, "max_batch_records", static_cast<std::int64_t>(c.max_batch_records));
  set_config(spec, "max_batch_bytes", static_cast<std::int64_t>(c.max_batch_bytes));
  set_config(spec, "max_record_bytes", static_cast<std::int64_t>(c.max_record_bytes));
  set_config(spec, "aggregation", c.aggregation);
  if (c.aggregation_max_bytes != 0) {
    set_config(spec, "aggregation_max_bytes", static_cast<std::int64_t>(c.aggregation_max_bytes));
  }
  set_config(spec, "aggregation_max_records", static_cast<std::int64_t>(c.aggregation_max_records));
  set_config(spec, "explicit_hash_key_template", c.explicit_hash_key_template);
  set_config(spec, "shard_rate_limit", c.shard_rate_limit);
  set_credential(spec, "key", c.access_key_id);
  set_credential(spec, "secret", c.secret_access_key);
  set_credential(spec, "session", c.session_token);
  write_delivery_options(spec, c.delivery);
  write_http_tls_options(spec, c.tls);
  return spec;
}

namespace {

// The spec rules, then what only a typed config can get wrong.
KinesisConfig read_typed(const KinesisConfig& config, std::vector<FieldProblem>& problems) {
  KinesisConfig checked = read_kinesis_config(spec_of(config), problems);
  if (config.credentials_provider && !config.access_key_id.empty()) {
    problems.push_back(
        {"credentials_provider", "give credentials_provider or credentials.key, not both"});
  }
  checked.credentials_provider = config.credentials_provider;
  return checked;
}

}  // namespace

KinesisConfig checked_kinesis_config(const KinesisConfig& config) {
  std::vector<FieldProblem> problems;
  KinesisConfig checked = read_typed(config, problems);
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return checked;
}

}  // namespace detail

std::vector<FieldProblem> KinesisConfig::validate() const {
  std::vector<FieldProblem> problems;
  detail::read_typed(*this, problems);
  return problems;
}

}  // namespace eventdest
