// Small JSON helpers used across the library: building JSON text directly into a std::string
// (the hot paths build request bodies without a DOM).
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "util/json_scan.hpp"

namespace eventdest::detail {

/// Appends `s` as a JSON string literal (quotes included) to `out`.
void append_json_string(std::string& out, std::string_view s);
/// What escaping adds to the JSON text of [p, end) (`p` may be its first special byte).
std::size_t json_string_size_escaped(const char* p, const char* end);
/// Writes [p, end) escaped at `out`; returns the end.
char* write_json_escaped(char* out, const char* p, const char* end);

/// The length of `s` as a JSON string literal, quotes included.
inline std::size_t json_string_size(std::string_view s) {
  const char* const end = s.data() + s.size();
  const char* const special = find_json_special(s.data(), end);
  return s.size() + 2 + (special == end ? 0 : json_string_size_escaped(special, end));
}

/// Writes `s` as a JSON string literal at `out`, given `size` = json_string_size(s) (the bytes it
/// writes); returns the end. For writers that size a whole record first and then fill it in one
/// pass: the size already tells whether anything needs escaping, so the usual string (an id, a
/// topic, a key) is copied without being scanned again.
inline char* write_json_string(char* out, std::string_view s, std::size_t size) {
  *out++ = '"';
  if (size == s.size() + 2) {
    std::memcpy(out, s.data(), s.size());
    out += s.size();
  } else {
    out = write_json_escaped(out, s.data(), s.data() + s.size());
  }
  *out++ = '"';
  return out;
}
/// `s` as a JSON string literal.
std::string json_string(std::string_view s);
/// Appends `{"name":"value",...}` for the string pairs `each_pair(f)` gives, calling
/// `f(name, value)` for each in order (pairs visited without a container holding them).
template <typename EachPair>
void append_json_string_object_with(std::string& out, EachPair&& each_pair) {
  out += '{';
  bool first = true;
  each_pair([&out, &first](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    out += ':';
    append_json_string(out, value);
  });
  out += '}';
}
/// Appends `{"name":"value",...}` for (name, value) string pairs (a metadata map or list).
template <typename Pairs>
void append_json_string_object(std::string& out, const Pairs& pairs) {
  append_json_string_object_with(out, [&pairs](const auto& add) {
    for (const auto& [name, value] : pairs)
      add(name, value);
  });
}
/// Compact JSON text of `v`.
std::string compact_json(const rapidjson::Value& v);

}  // namespace eventdest::detail
