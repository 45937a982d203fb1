#include "util/json_scan.hpp"

namespace eventdest::detail {

const char* find_json_special_after_first(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  // Sixteen bytes at a time (SSE2 is part of x86-64), the first hit located exactly: no byte
  // loop after a hit. Loads never pass `end`.
  while (end - p >= 16) {
    const unsigned mask = json_special_mask16(p);
    if (mask != 0) return p + __builtin_ctz(mask);
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

}  // namespace eventdest::detail
