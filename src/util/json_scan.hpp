// Scanning helpers for the hand-written JSON readers and writers of the hot paths (the readers
// fall back to rapidjson for anything they do not accept).
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace eventdest::detail {

/// JSON's insignificant whitespace (RFC 8259): space, tab, LF, CR.
inline bool is_json_space(char c) noexcept {
  // One comparison for the usual byte (above ' '), then a bit test among the 33 below it.
  constexpr std::uint64_t kSpaces =
      (1ull << ' ') | (1ull << '\t') | (1ull << '\n') | (1ull << '\r');
  const auto u = static_cast<unsigned char>(c);
  return u <= ' ' && ((kSpaces >> u) & 1u) != 0;
}

/// The first byte in [p, end) that is not JSON whitespace, or `end`.
inline const char* skip_json_space(const char* p, const char* end) noexcept {
  while (p != end && is_json_space(*p))
    ++p;
  return p;
}

#if defined(__SSE2__)
/// Bit i set: byte p[i] is '"', '\\' or a control character (p[0..15] must be readable).
inline unsigned json_special_mask16(const char* p) noexcept {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // v <= 0x1f (unsigned) exactly when min(v, 0x1f) == v.
  const __m128i hits = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
      _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v));
  return static_cast<unsigned>(_mm_movemask_epi8(hits));
}
#endif

/// find_json_special() from its second block on: out of line, as most strings a reader meets
/// end within sixteen bytes and the inline part stays a handful of instructions.
const char* find_json_special_after_first(const char* p, const char* end) noexcept;

/// The first byte in [p, end) that a JSON string cannot hold as it is ('"', '\\' or a control
/// character), or `end`.
inline const char* find_json_special(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  if (end - p >= 16) {
    const unsigned mask = json_special_mask16(p);
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  return find_json_special_after_first(p, end);
}

/// For a JSON string whose content starts at `p`: the closing quote, if the content has no
/// escape and no control character before it; nullptr otherwise (or if `end` comes first).
inline const char* find_plain_string_end(const char* p, const char* end) noexcept {
  const char* q = find_json_special(p, end);
  return q != end && *q == '"' ? q : nullptr;
}

}  // namespace eventdest::detail
