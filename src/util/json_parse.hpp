// Full-precision JSON parsing that works around RapidJSON 1.1.0 (Debian 12): with
// kParseFullPrecisionFlag, numbers whose exponent underflows (e.g. 1e-324) come back as NaN, which
// JSON cannot even express (found by fuzz_jmespath). Such documents are parsed again at normal
// precision, which rounds them to 0 as it should.
#pragma once

#include <rapidjson/document.h>

#include <cmath>
#include <cstddef>
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

/// doc.Parse<kParseFullPrecisionFlag | ExtraFlags>(s, n), without the NaN bug above.
template <unsigned ExtraFlags = 0, typename Document>
void parse_full_precision(Document& doc, const char* s, std::size_t n) {
  doc.template Parse<rapidjson::kParseFullPrecisionFlag | ExtraFlags>(s, n);
  if (!doc.HasParseError() && may_have_exponent(s, n) && has_non_finite_number(doc)) {
    doc.template Parse<ExtraFlags>(s, n);
  }
}

}  // namespace eventdest::detail
