// Scanning helpers for the hand-written fast readers of hot JSON responses and requests (each of
// which falls back to rapidjson for anything they do not accept).
#pragma once

#include <cstdint>
#include <cstring>

namespace eventdest::detail {

/// For a JSON string whose content starts at `p`: the closing quote, if the content has no
/// escape and no control character before it; nullptr otherwise (or if `end` comes first).
inline const char* find_plain_string_end(const char* p, const char* end) noexcept {
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
  while (p != end && *p != '"') {
    if (static_cast<unsigned char>(*p) < 0x20 || *p == '\\') return nullptr;
    ++p;
  }
  return p == end ? nullptr : p;
}

}  // namespace eventdest::detail
