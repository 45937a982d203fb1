#include "util/json_skip.hpp"

#include <rapidjson/document.h>

#include <string>

#include "util/json_scan.hpp"

namespace eventdest::detail {

std::size_t skip_json_whitespace(std::string_view t, std::size_t i) {
  while (i < t.size() && is_json_space(t[i]))
    ++i;
  return i;
}

std::size_t skip_json_string(std::string_view t, std::size_t i) {
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == '"') {
      return i + 1;
    }
  }
  return t.size();
}

std::size_t skip_json_value(std::string_view t, std::size_t i) {
  if (i >= t.size()) return i;
  if (t[i] == '"') return skip_json_string(t, i);
  if (t[i] == '{' || t[i] == '[') {
    int depth = 0;
    for (; i < t.size(); ++i) {
      const char c = t[i];
      if (c == '"') {
        i = skip_json_string(t, i) - 1;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return t.size();
  }
  while (i < t.size() && !is_json_space(t[i]) && t[i] != ',' && t[i] != '}' && t[i] != ']') {
    ++i;
  }
  return i;
}

// The exact bytes of the top-level member `name` of `t`, an already validated JSON object, so
// the publisher's JSON reaches Kafka/Kinesis byte for byte (a DOM round trip would re-serialise
// it). Keys written with escapes (e.g. "d\u0061ta") are decoded before comparing.
std::optional<std::string_view> find_json_member(std::string_view t, std::string_view name) {
  std::size_t i = skip_json_whitespace(t, 0);
  if (i >= t.size() || t[i] != '{') return std::nullopt;
  i = skip_json_whitespace(t, i + 1);
  while (i < t.size() && t[i] == '"') {
    const std::size_t key_end = skip_json_string(t, i);
    std::string_view key = t.substr(i + 1, key_end - i - 2);
    bool is_data = key == name;
    if (!is_data && key.find('\\') != std::string_view::npos) {
      rapidjson::Document decoded;
      std::string literal(t.substr(i, key_end - i));
      decoded.Parse(literal.c_str(), literal.size());
      is_data = decoded.IsString() &&
                std::string_view(decoded.GetString(), decoded.GetStringLength()) == name;
    }
    i = skip_json_whitespace(t, key_end);
    if (i < t.size() && t[i] == ':') i = skip_json_whitespace(t, i + 1);
    const std::size_t value_end = skip_json_value(t, i);
    if (is_data) return t.substr(i, value_end - i);
    i = skip_json_whitespace(t, value_end);
    if (i < t.size() && t[i] == ',') i = skip_json_whitespace(t, i + 1);
  }
  return std::nullopt;
}

}  // namespace eventdest::detail
