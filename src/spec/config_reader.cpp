#include "spec/config_reader.hpp"

#include <rapidjson/document.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>

#include "eventdest/jmespath.hpp"
#include "util/printable.hpp"

namespace eventdest::detail {
namespace {

std::string config_field(std::string_view key) {
  return "config." + std::string(key);
}

bool parse_int(const std::string& text, std::int64_t& out) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, out);
  if (ec == std::errc() && ptr == end) return true;
  // Accept integral JSON numbers written as 5000.0 or 5e3.
  try {
    std::size_t used = 0;
    double d = std::stod(text, &used);
    if (used != text.size() || d != static_cast<double>(static_cast<std::int64_t>(d))) return false;
    out = static_cast<std::int64_t>(d);
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace

// DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP sets the process-wide default (as in Outpost).
static bool timestamp_ms_default(ConfigReader& r) {
  const char* env = std::getenv("DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP");
  if (env == nullptr || *env == '\0') return false;
  bool value = false;
  if (parse_bool(env, value)) return value;
  r.problem("DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP", "must be true or false");
  return false;
}

bool parse_bool(std::string_view text, bool& out) {
  static const std::string_view go_true[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::string_view go_false[] = {"0", "f", "F", "FALSE", "false", "False"};
  for (auto t : go_true)
    if (text == t) return out = true, true;
  for (auto f : go_false)
    if (text == f) return out = false, true;
  std::string lower(text);
  for (auto& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "on" || lower == "yes") return out = true, true;
  if (lower == "off" || lower == "no") return out = false, true;
  return false;
}

ConfigReader::ConfigReader(const DestinationSpec& spec, std::vector<FieldProblem>& problems)
    : spec_(spec), problems_(problems) {}

void ConfigReader::problem(std::string field, std::string message) {
  if (refused_.count(field)) return;  // one problem per field: its type is the problem
  problems_.push_back({std::move(field), std::move(message)});
}

std::optional<std::string> ConfigReader::text(std::string_view key) {
  used_config_.emplace(key);
  auto it = spec_.config.find(std::string(key));
  if (it == spec_.config.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

bool ConfigReader::given_as_string(std::string_view key) {
  if (!spec_.native_config.count(std::string(key))) return true;
  std::string field = config_field(key);
  problem(field, "must be a string");
  refused_.insert(std::move(field));
  return false;
}

std::optional<std::string> ConfigReader::string(std::string_view key, bool required) {
  auto value = text(key);
  if (!value) {
    if (required) problem(config_field(key), "is required");
    return std::nullopt;
  }
  if (!given_as_string(key)) return std::nullopt;
  return value;
}

std::optional<std::string> ConfigReader::credential(std::string_view key, bool required,
                                                    bool also_in_config) {
  used_credentials_.emplace(key);
  if (auto it = spec_.credentials.find(std::string(key));
      it != spec_.credentials.end() && !it->second.empty()) {
    return it->second;
  }
  if (also_in_config) {
    if (auto value = text(key)) {
      if (!given_as_string(key)) return std::nullopt;
      return value;
    }
  }
  if (required) problem("credentials." + std::string(key), "is required");
  return std::nullopt;
}

std::pair<std::optional<std::string>, std::optional<std::string>> ConfigReader::credential_pair(
    std::string_view first, std::string_view second, bool also_in_config) {
  auto a = credential(first, false, also_in_config);
  auto b = credential(second, false, also_in_config);
  // A value refused for its type was given: "is required" would be wrong about it.
  const bool refused = refused_.count(config_field(first)) || refused_.count(config_field(second));
  if (a.has_value() != b.has_value() && !refused) {
    const auto missing = a ? second : first;
    const auto given = a ? first : second;
    problem("credentials." + std::string(missing),
            "is required when credentials." + std::string(given) + " is given");
  }
  return {std::move(a), std::move(b)};
}

bool ConfigReader::boolean(std::string_view key, bool fallback) {
  auto value = text(key);
  if (!value) return fallback;
  bool out = fallback;
  if (parse_bool(*value, out)) return out;
  problem(config_field(key), "must be true or false");
  return fallback;
}

std::int64_t ConfigReader::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max) {
  auto value = text(key);
  if (!value) return fallback;
  std::int64_t out = 0;
  if (!parse_int(*value, out)) {
    problem(config_field(key), "must be an integer");
    return fallback;
  }
  if (out < min || out > max) {
    problem(config_field(key),
            "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return fallback;
  }
  return out;
}

std::chrono::milliseconds ConfigReader::millis(std::string_view key,
                                               std::chrono::milliseconds fallback, std::int64_t min,
                                               std::int64_t max) {
  return std::chrono::milliseconds(integer(key, fallback.count(), min, max));
}

std::string ConfigReader::one_of(std::string_view key,
                                 std::initializer_list<std::string_view> choices,
                                 std::string_view fallback) {
  auto value = text(key);
  if (!value) return std::string(fallback);
  for (auto c : choices) {
    if (*value == c) return *value;
  }
  std::string list;
  for (auto c : choices) {
    if (!list.empty()) list += ", ";
    list += c;
  }
  problem(config_field(key), "must be one of " + list);
  return std::string(fallback);
}

void ConfigReader::finish() {
  for (const auto& [key, value] : spec_.config) {
    if (!used_config_.count(key)) problem(config_field(key), "unknown field");
  }
  for (const auto& [key, value] : spec_.credentials) {
    if (!used_credentials_.count(key)) problem("credentials." + key, "unknown field");
  }
}

namespace {

// `config.spool`: {"dir", "max_bytes", "sync_ms", "segment_bytes"}, every problem named
// `config.spool.<field>`.
std::optional<SpoolOptions> read_spool_options(ConfigReader& r) {
  auto text = r.string("spool");
  if (!text) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse(text->data(), text->size());
  if (doc.HasParseError() || !doc.IsObject()) {
    r.problem("config.spool",
              "must be an object: {\"dir\": ..., \"max_bytes\": ..., \"sync_ms\": ...}");
    return std::nullopt;
  }
  SpoolOptions o;
  bool ok = true;
  auto integer = [&](const char* name, std::int64_t min, std::int64_t max, std::int64_t& out) {
    auto it = doc.FindMember(name);
    if (it == doc.MemberEnd()) return;
    std::int64_t v = 0;
    if (it->value.IsInt64()) {
      v = it->value.GetInt64();
    } else if (it->value.IsString()) {  // Outpost's configs carry numbers as text
      const std::string t(it->value.GetString(), it->value.GetStringLength());
      auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || end != t.data() + t.size()) v = min - 1;
    } else {
      v = min - 1;
    }
    if (v < min || v > max) {
      r.problem(std::string("config.spool.") + name,
                "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
      ok = false;
      return;
    }
    out = v;
  };
  for (const auto& m : doc.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key != "dir" && key != "max_bytes" && key != "sync_ms" && key != "segment_bytes") {
      r.problem("config.spool." + printable(std::string(key)), "unknown field");
      ok = false;
    }
  }
  auto dir = doc.FindMember("dir");
  if (dir == doc.MemberEnd() || !dir->value.IsString() || dir->value.GetStringLength() == 0) {
    r.problem("config.spool.dir", "is required (a directory path)");
    ok = false;
  } else {
    o.dir.assign(dir->value.GetString(), dir->value.GetStringLength());
  }
  std::int64_t max_bytes = static_cast<std::int64_t>(o.max_bytes);
  std::int64_t sync_ms = o.sync.count();
  std::int64_t segment_bytes = static_cast<std::int64_t>(o.segment_bytes);
  integer("max_bytes", 1 << 20, std::int64_t{1} << 50, max_bytes);
  integer("sync_ms", 0, 60000, sync_ms);
  integer("segment_bytes", 1 << 16, std::int64_t{1} << 32, segment_bytes);
  o.max_bytes = static_cast<std::uint64_t>(max_bytes);
  o.sync = std::chrono::milliseconds(sync_ms);
  o.segment_bytes = static_cast<std::uint64_t>(segment_bytes);
  if (!ok) return std::nullopt;
  return o;
}

}  // namespace

DeliveryOptions read_delivery_options(ConfigReader& r) {
  DeliveryOptions o;
  constexpr std::int64_t hour = 3600 * 1000;
  o.delivery_timeout = r.millis("delivery_timeout_ms", o.delivery_timeout, 1, 24 * hour);
  o.request_timeout = r.millis("request_timeout_ms", o.request_timeout, 1, hour);
  o.linger = r.millis("linger_ms", o.linger, 0, 60 * 1000);
  o.retry_backoff = r.millis("retry_backoff_ms", o.retry_backoff, 1, 60 * 1000);
  o.retry_backoff_max = r.millis("retry_backoff_max_ms", o.retry_backoff_max, 1, hour);
  if (o.retry_backoff_max < o.retry_backoff) {
    r.problem("config.retry_backoff_max_ms", "must not be less than retry_backoff_ms");
  }
  o.max_buffered_bytes = static_cast<std::size_t>(
      r.integer("max_buffered_bytes", static_cast<std::int64_t>(o.max_buffered_bytes), 1024,
                std::int64_t{1} << 40));
  o.on_queue_full = r.one_of("on_queue_full", {"block", "fail"}, "block") == "fail"
                        ? QueueFullBehavior::fail
                        : QueueFullBehavior::block;
  o.max_in_flight = static_cast<int>(r.integer("max_in_flight_requests", o.max_in_flight, 1, 64));
  auto format = r.one_of("timestamp_format",
                         {"unix", "unix_seconds", "unix_ms", "rfc3339", "rfc3339_ms"}, "unix");
  o.timestamp_format = format == "unix_ms"      ? TimestampFormat::unix_ms
                       : format == "rfc3339"    ? TimestampFormat::rfc3339
                       : format == "rfc3339_ms" ? TimestampFormat::rfc3339_ms
                                                : TimestampFormat::unix_seconds;
  o.timestamp_ms = r.boolean("include_millisecond_timestamp", timestamp_ms_default(r));
  o.delivery_metadata = r.spec().delivery_metadata;
  o.disabled_at = r.spec().disabled_at;
  o.spool = read_spool_options(r);
  return o;
}

HttpTlsOptions read_http_tls_options(ConfigReader& r) {
  HttpTlsOptions o;
  o.verify = r.boolean("tls_verify", true);
  if (auto ca = r.string("ca_file")) {
    if (!std::ifstream(*ca).good()) {
      r.problem("config.ca_file", "cannot read " + printable(*ca));
    } else {
      o.ca_file = *ca;
    }
  }
  return o;
}

KafkaRecordOptions read_kafka_record_options(ConfigReader& r) {
  KafkaRecordOptions o;
  const bool hookstream = r.spec().hookstream_body;
  o.format = r.one_of("record_format", {"outpost", "hookstream"},
                      hookstream ? "hookstream" : "outpost") == "hookstream"
                 ? KafkaRecordFormat::hookstream
                 : KafkaRecordFormat::outpost;
  o.destination_id = r.spec().id.empty() ? r.spec().name : r.spec().id;
  return o;
}

bool valid_kafka_topic(std::string_view topic) {
  if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") return false;
  for (unsigned char c : topic) {
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

std::string read_partition_key_template(ConfigReader& r, std::string_view field) {
  auto text = r.string(field);
  if (!text) return {};
  const std::string name = "config." + std::string(field);
  try {
    jmespath::Expression::compile(*text);
  } catch (const jmespath::SyntaxError& e) {
    // The caret lines are the one line break the message may hold; the expression's line in
    // them has none.
    r.problem(name, "invalid JMESPath at position " + std::to_string(e.position()) + ": " +
                        printable(e.what()) + "\n" + e.caret_lines());
  } catch (const jmespath::RuntimeError& e) {
    r.problem(name, "invalid JMESPath: " + printable(e.what()));
  }
  return *text;
}

}  // namespace eventdest::detail

namespace eventdest {

DeliveryOptions delivery_options_of(const DestinationSpec& spec) {
  std::vector<FieldProblem> ignored;
  detail::ConfigReader r(spec, ignored);
  return detail::read_delivery_options(r);
}

}  // namespace eventdest
