#include "eventdest/spec.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <unordered_map>

#include "spec/destination_registry.hpp"
#include "spec/event_selector.hpp"
#include "util/json_util.hpp"

namespace eventdest {
namespace {

// "aws_kinesis, kafka_rest, kafka": the registered types, for error messages.
std::string type_list() {
  std::string out;
  for (const auto& name : destination_type_names())
    out += (out.empty() ? "" : ", ") + name;
  return out;
}

// Config keys whose value is a JSON object for `type` (kept as compact JSON text): the type's
// own, and `spool`, which every type takes.
bool takes_object(const std::optional<DestinationType>& type, std::string_view key) {
  if (key == "spool") return true;
  if (!type) return false;
  for (const auto& field : type->object_fields) {
    if (field == key) return true;
  }
  return false;
}

std::string value_text(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  return detail::compact_json(v);
}

void read_string_map(const rapidjson::Value& object, const std::string& field,
                     std::map<std::string, std::string>& out, std::vector<FieldProblem>& problems) {
  for (const auto& m : object.GetObject()) {
    std::string key(m.name.GetString(), m.name.GetStringLength());
    if (!m.value.IsString()) {
      problems.push_back({field + "." + key, "must be a string"});
    } else {
      out[key] = value_text(m.value);
    }
  }
}

}  // namespace

bool DestinationSpec::matches_topic(std::string_view topic) const noexcept {
  return detail::topics_take(topics, topic);
}

bool is_secret_field(std::string_view name) noexcept {
  static const std::string_view secret_parts[] = {"secret",  "password", "session", "token",
                                                  "api_key", "key_pem",  "key.pem"};
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (auto part : secret_parts) {
    if (lower.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string DestinationSpec::to_string() const {
  std::string out = "{\"type\":";
  detail::append_json_string(out, type);
  if (!id.empty()) {
    out += ",\"id\":";
    detail::append_json_string(out, id);
  }
  if (!name.empty()) {
    out += ",\"name\":";
    detail::append_json_string(out, name);
  }
  out += ",\"topics\":[";
  for (std::size_t i = 0; i < topics.size(); ++i) {
    if (i) out += ',';
    detail::append_json_string(out, topics[i]);
  }
  out += ']';
  if (filter) out += ",\"filter\":" + filter->text();
  if (!disabled_at.empty()) {
    out += ",\"disabled_at\":";
    detail::append_json_string(out, disabled_at);
  }
  out += ",\"config\":{";
  const auto registered = detail::find_destination_type(type);
  bool first = true;
  for (const auto& [k, v] : config) {
    if (!first) out += ',';
    first = false;
    detail::append_json_string(out, k);
    out += ':';
    // Objects (librdkafka passthrough) may carry passwords: redact them whole.
    detail::append_json_string(
        out,
        is_secret_field(k) || (takes_object(registered, k) && k != "spool") ? "<redacted>" : v);
  }
  out += "},\"credentials\":{";
  first = true;
  for (const auto& [k, v] : credentials) {
    if (!first) out += ',';
    first = false;
    detail::append_json_string(out, k);
    out += ":\"<redacted>\"";
  }
  out += "}}";
  return out;
}

DestinationSpec parse_spec(std::string_view json) {
  std::string text(json);
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError()) {
    // Never echo the text: it may hold secrets.
    throw ConfigError("spec", std::string("not valid JSON: ") +
                                  rapidjson::GetParseError_En(doc.GetParseError()) +
                                  " (at offset " + std::to_string(doc.GetErrorOffset()) + ")");
  }
  if (!doc.IsObject()) throw ConfigError("spec", "must be a JSON object");

  std::vector<FieldProblem> problems;
  DestinationSpec spec;
  static const std::set<std::string_view> top_level = {"type",
                                                       "topics",
                                                       "config",
                                                       "credentials",
                                                       "id",
                                                       "name",
                                                       "delivery_metadata",
                                                       "metadata",
                                                       "disabled_at",
                                                       "created_at",
                                                       "updated_at",
                                                       "tenant_id",
                                                       "target",
                                                       "target_url"};
  for (const auto& m : doc.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key == "filter") {
      if (m.value.IsNull()) continue;  // no filter
      if (!m.value.IsObject()) {
        problems.push_back({"filter", "must be an object (Outpost's filter syntax)"});
        continue;
      }
      rapidjson::StringBuffer text;
      rapidjson::Writer<rapidjson::StringBuffer> writer(text);
      m.value.Accept(writer);
      try {
        spec.filter = Filter::compile(std::string_view(text.GetString(), text.GetSize()), "filter");
      } catch (const ConfigError& e) {
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
      }
    } else if (!top_level.count(key)) {
      problems.push_back({std::string(key), "unknown field"});
    }
  }

  auto type = doc.FindMember("type");
  std::optional<DestinationType> registered;
  if (type != doc.MemberEnd() && type->value.IsString()) {
    registered = detail::find_destination_type(type->value.GetString());
  }
  if (type == doc.MemberEnd()) {
    problems.push_back({"type", "is required (" + type_list() + ")"});
  } else if (!registered) {
    problems.push_back({"type", "must be one of " + type_list()});
  } else {
    spec.type = registered->name;
  }
  for (const char* field : {"id", "name"}) {
    if (auto it = doc.FindMember(field); it != doc.MemberEnd()) {
      if (!it->value.IsString()) {
        problems.push_back({field, "must be a string"});
      } else {
        (std::string_view(field) == "id" ? spec.id : spec.name) = it->value.GetString();
      }
    }
  }
  if (auto it = doc.FindMember("topics"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (it->value.IsString() && std::string_view(it->value.GetString()) == "*") {
      spec.topics = {"*"};  // Outpost also accepts the bare string "*"
    } else if (!it->value.IsArray()) {
      problems.push_back({"topics", "must be a list of topic names or [\"*\"]"});
    } else {
      std::size_t i = 0;
      for (const auto& t : it->value.GetArray()) {
        std::string field = "topics[" + std::to_string(i++) + "]";
        if (!t.IsString() || t.GetStringLength() == 0) {
          problems.push_back({field, "must be a non-empty string"});
        } else {
          spec.topics.emplace_back(t.GetString(), t.GetStringLength());
        }
      }
      const bool wildcard = std::count(spec.topics.begin(), spec.topics.end(), "*") > 0;
      if (wildcard && spec.topics.size() > 1) {
        problems.push_back({"topics", "\"*\" cannot be combined with topic names"});
      }
    }
  }
  auto config = doc.FindMember("config");
  if (config == doc.MemberEnd()) {
    problems.push_back({"config", "is required"});
  } else if (!config->value.IsObject()) {
    problems.push_back({"config", "must be an object"});
  } else {
    for (const auto& m : config->value.GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      if (m.value.IsNull()) continue;  // null means "not set", as in Outpost's API
      const bool object_field = takes_object(registered, key);
      if ((m.value.IsObject() || m.value.IsArray()) && !object_field) {
        problems.push_back({"config." + key, "must be a string, number or boolean"});
        continue;
      }
      if (object_field && !m.value.IsObject() && !m.value.IsString()) {
        problems.push_back({"config." + key, "must be an object"});
        continue;
      }
      if (m.value.IsNumber() || m.value.IsBool()) spec.native_config.insert(key);
      spec.config[key] = value_text(m.value);
    }
  }
  if (auto it = doc.FindMember("credentials"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsObject()) {
      problems.push_back({"credentials", "must be an object"});
    } else {
      read_string_map(it->value, "credentials", spec.credentials, problems);
    }
  }
  for (const char* field : {"delivery_metadata", "metadata"}) {
    if (auto it = doc.FindMember(field); it != doc.MemberEnd() && !it->value.IsNull()) {
      if (!it->value.IsObject()) {
        problems.push_back({field, "must be an object of string values"});
      } else if (std::string_view(field) == "delivery_metadata") {
        read_string_map(it->value, field, spec.delivery_metadata, problems);
      } else {
        Metadata ignored;  // Outpost's destination metadata is descriptive only
        read_string_map(it->value, field, ignored, problems);
      }
    }
  }

  // Outpost's bookkeeping fields: text (or null) when given; only disabled_at changes anything.
  for (const char* field : {"tenant_id", "created_at", "updated_at", "target", "target_url"}) {
    if (auto it = doc.FindMember(field);
        it != doc.MemberEnd() && !it->value.IsNull() && !it->value.IsString()) {
      problems.push_back({field, "must be a string or null"});
    }
  }
  if (auto it = doc.FindMember("disabled_at"); it != doc.MemberEnd() && !it->value.IsNull()) {
    Clock::time_point ignored;
    if (!it->value.IsString() ||
        !parse_rfc3339(std::string_view(it->value.GetString(), it->value.GetStringLength()),
                       ignored)) {
      problems.push_back({"disabled_at", "must be an RFC 3339 time or null"});
    } else {
      spec.disabled_at = it->value.GetString();
    }
  }

  // hookstream's body: a "kafka" destination configured with a REST cluster id.
  if (spec.type == "kafka" && spec.config.count("cluster_id")) {
    spec.type = "kafka_rest";
    spec.hookstream_body = true;
  }

  if (!spec.type.empty() && config != doc.MemberEnd() && config->value.IsObject()) {
    auto more = validate_spec(spec);
    problems.insert(problems.end(), more.begin(), more.end());
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return spec;
}

std::vector<DestinationSpec> parse_specs(std::string_view json) {
  std::string text(json);
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsArray()) return {parse_spec(json)};  // one body (or its error)
  std::vector<DestinationSpec> specs;
  std::vector<FieldProblem> problems;
  std::size_t index = 0;
  for (const auto& body : doc.GetArray()) {
    const std::string prefix = "[" + std::to_string(index++) + "]";
    try {
      specs.push_back(parse_spec(detail::compact_json(body)));
    } catch (const ConfigError& e) {
      for (const auto& p : e.problems())
        problems.push_back(
            {prefix + (p.field.empty() || p.field[0] == '[' ? "" : ".") + p.field, p.problem});
    }
  }
  if (doc.Empty()) problems.push_back({"destinations", "the list is empty"});
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return specs;
}

std::vector<FieldProblem> validate_spec(const DestinationSpec& spec) {
  const auto registered = detail::find_destination_type(spec.type);
  if (!registered) return {{"type", "must be one of " + type_list()}};
  return registered->validate(spec);
}

std::unique_ptr<Destination> make_destination(std::string_view json) {
  return make_destination(parse_spec(json));
}

std::unique_ptr<Destination> make_destination(const DestinationSpec& spec) {
  const auto registered = detail::find_destination_type(spec.type);
  if (!registered) throw ConfigError("type", "must be one of " + type_list());
  auto problems = registered->validate(spec);
  if (!problems.empty()) throw ConfigError(std::move(problems));
  if (!registered->create) {
    throw ConfigError("type", registered->unavailable.empty()
                                  ? "no destination is registered for " + spec.type
                                  : registered->unavailable);
  }
  return registered->create(spec);
}

}  // namespace eventdest
