// Full-precision JSON parsing that works around two bugs of RapidJSON 1.1.0 (Debian 12) with
// kParseFullPrecisionFlag: numbers whose exponent underflows (e.g. 1e-324) come back as NaN, which
// JSON cannot even express (found by fuzz_jmespath); and a number far below 1e-300 written with
// leading zeros in its fraction (0.000…5 with 330 zeros, or 0.000…1e-300) reads out of bounds of
// its table of powers of ten and crashes (found by fuzz_event, through a partition key reading
// the data). Such documents are parsed at normal precision, which rounds them to 0 as it should.
#pragma once

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <vector>

namespace eventdest::detail {

/// True when some number in `v` is NaN or infinite (iterative: documents may be deep).
template <typename Encoding, typename Allocator>
bool has_non_finite_number(const rapidjson::GenericValue<Encoding, Allocator>& root) {
  using Value = rapidjson::GenericValue<Encoding, Allocator>;
  std::vector<const Value*> stack{&root};
  while (!stack.empty()) {
    const Value* v = stack.back();
    stack.pop_back();
    if (v->IsDouble()) {
      if (!std::isfinite(v->GetDouble())) return true;
    } else if (v->IsArray()) {
      for (const auto& e : v->GetArray())
        stack.push_back(&e);
    } else if (v->IsObject()) {
      for (const auto& m : v->GetObject())
        stack.push_back(&m.value);
    }
  }
  return false;
}

/// A digit followed by an exponent marker: only then can the RapidJSON bug strike.
inline bool may_have_exponent(const char* s, std::size_t n) {
  for (std::size_t i = 1; i < n; ++i) {
    if ((s[i] == 'e' || s[i] == 'E') && s[i - 1] >= '0' && s[i - 1] <= '9') return true;
  }
  return false;
}

/// True when `s` may hold a number that crashes the full-precision parse: a fraction with 300 or
/// more leading zeros, or whose leading zeros and exponent put it below 1e-300. Any text that
/// looks so counts (even inside a string): that document only loses full precision.
inline bool may_crash_full_precision(const char* s, std::size_t n) {
  // Runs before every full-precision parse (a partition key per event): memchr to each '.'.
  for (std::size_t i = 1; i < n; ++i) {
    const void* dot = std::memchr(s + i, '.', n - i);
    if (dot == nullptr) return false;
    i = static_cast<std::size_t>(static_cast<const char*>(dot) - s);
    if (s[i - 1] < '0' || s[i - 1] > '9') continue;
    std::size_t j = i + 1;
    long zeros = 0;
    while (j < n && s[j] == '0') {
      ++zeros;
      ++j;
    }
    while (j < n && s[j] >= '0' && s[j] <= '9')
      ++j;
    long exponent = 0;
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
      ++j;
      const bool negative = j < n && s[j] == '-';
      if (j < n && (s[j] == '-' || s[j] == '+')) ++j;
      for (; j < n && s[j] >= '0' && s[j] <= '9'; ++j)
        exponent = std::min(exponent * 10 + (s[j] - '0'), 100000L);
      if (negative) exponent = -exponent;
    }
    if (zeros >= 300 || exponent - zeros < -300) return true;
    i = j;
  }
  return false;
}

/// doc.Parse<kParseFullPrecisionFlag | ExtraFlags>(s, n), without the bugs above.
template <unsigned ExtraFlags = 0, typename Document>
void parse_full_precision(Document& doc, const char* s, std::size_t n) {
  if (may_crash_full_precision(s, n)) {
    doc.template Parse<ExtraFlags>(s, n);
    return;
  }
  doc.template Parse<rapidjson::kParseFullPrecisionFlag | ExtraFlags>(s, n);
  if (!doc.HasParseError() && may_have_exponent(s, n) && has_non_finite_number(doc)) {
    doc.template Parse<ExtraFlags>(s, n);
  }
}

}  // namespace eventdest::detail
