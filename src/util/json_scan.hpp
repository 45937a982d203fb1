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
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// The first byte in [p, end) that is not JSON whitespace, or `end`.
inline const char* skip_json_space(const char* p, const char* end) noexcept {
  while (p != end && is_json_space(*p))
    ++p;
  return p;
}

/// The first byte in [p, end) that a JSON string cannot hold as it is ('"', '\\' or a control
/// character), or `end`.
inline const char* find_json_special(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  // Sixteen bytes at a time (SSE2 is part of x86-64), the first hit located exactly: no byte
  // loop after a hit. Loads never pass `end`.
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1f);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // v <= 0x1f (unsigned) exactly when min(v, 0x1f) == v.
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmpeq_epi8(_mm_min_epu8(v, last_control), v));
    const int mask = _mm_movemask_epi8(hits);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  // Eight bytes at a time up to one that is '"', '\\' or a control character (SWAR tests
  // "has a byte equal to / less than", exact for the word as a whole).
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    const std::uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
    if ((((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | ((w - ones * 0x20) & ~w)) &
        highs)
      break;
    p += 8;
  }
  while (p != end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20)
    ++p;
  return p;
}

/// For a JSON string whose content starts at `p`: the closing quote, if the content has no
/// escape and no control character before it; nullptr otherwise (or if `end` comes first).
inline const char* find_plain_string_end(const char* p, const char* end) noexcept {
  const char* q = find_json_special(p, end);
  return q != end && *q == '"' ? q : nullptr;
}

}  // namespace eventdest::detail
