// The parts of JavaScript's semantics that simple-json-match relies on, for JSON values:
// loose equality (==), relational comparison (<, >, ...), ToNumber on strings, Number to string,
// and JSON.stringify (deep $eq compares the stringified texts).
#pragma once

#include <rapidjson/document.h>

#include <cstring>
#include <string>
#include <string_view>

namespace eventdest::filter_detail {

/// A JavaScript primitive as seen by the operators (`undefined` for a missing field).
struct Prim {
  enum Type { undefined, null, boolean, number, string } type = undefined;
  bool b = false;
  double n = 0;
  std::string_view s;
};

/// Whether the first key.size() bytes at `p` are `key` (inline for the short keys of filters).
inline bool same_bytes(const char* p, std::string_view key) {
  const std::size_t n = key.size();
  if (n > 16) return std::memcmp(p, key.data(), n) == 0;
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] != key[i]) return false;
  return true;
}

/// ToNumber(string): NaN when it is not a numeric literal (JavaScript's rules: trimmed, "" is 0,
/// Infinity, 0x/0o/0b).
double js_to_number(std::string_view s);
/// Number::toString (shortest round trip, JavaScript's fixed/exponent choice).
std::string js_number_to_string(double d);
/// a == b.
bool js_loose_equal(const Prim& a, const Prim& b);
/// The relational comparison a < b for strings and numbers (false when a NaN is involved).
/// Strings compare by UTF-16 code units, as JavaScript does.
bool js_less(const Prim& a, const Prim& b);
/// a <= b under the same rules (false when a NaN is involved).
bool js_less_or_equal(const Prim& a, const Prim& b);
/// JSON.stringify of a parsed JSON value (own-key order: integer-like keys ascending first).
void js_stringify(const rapidjson::Value& v, std::string& out);
/// JSON.stringify of a string.
void js_quote(std::string_view s, std::string& out);
/// Whether `key` is an array index in JavaScript's sense ("0" or no leading zero, < 2^32 - 1).
bool js_is_index_key(std::string_view key, unsigned long& value);

}  // namespace eventdest::filter_detail
