#include "util/json_scan.hpp"

namespace eventdest::detail {
namespace {

// SWAR "has a byte that is '"', '\\' or below 0x20", for a word of 4 or 8 bytes: bit 7 of each
// such byte is set. A borrow may also mark bytes more significant than a marked one, never less:
// on a little-endian machine the lowest set bit is the first such byte in memory.
template <class Word>
inline Word special_bits(Word w) noexcept {
  constexpr Word ones = static_cast<Word>(0x0101010101010101ull);
  const Word quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
  return (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
          ((w - ones * 0x20) & ~w)) &
         (ones * 0x80);
}

inline bool is_special(char c) noexcept {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}

// The first special byte of the word at `at`, whose special_bits() are `bits` (not zero).
template <class Word>
inline const char* first_special(const char* at, Word bits) noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return at + (sizeof(Word) == 8 ? __builtin_ctzll(bits) : __builtin_ctz(bits)) / 8;
#else
  (void)bits;  // borrows run towards earlier bytes here: find it byte by byte
  while (!is_special(*at))
    ++at;
  return at;
#endif
}

// [p, end) holds one to two words: the first word, then the last one, which overlaps the first
// unless the length is twice a word's. The overlap is clean when the last word is read, so no
// borrow starts there and its first marked byte is exact.
template <class Word>
inline const char* find_in_two_words(const char* p, const char* end) noexcept {
  Word w;
  std::memcpy(&w, p, sizeof w);
  if (const Word bits = special_bits(w)) return first_special(p, bits);
  const char* const last = end - sizeof(Word);
  std::memcpy(&w, last, sizeof w);
  if (const Word bits = special_bits(w)) return first_special(last, bits);
  return end;
}

}  // namespace

const char* find_json_special_after_first(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  // Sixteen bytes at a time (SSE2 is part of x86-64), the first hit located exactly; the last
  // block ends at `end`, its bytes already checked masked off, instead of a byte loop.
  if (end - p >= 16) {
    const char* const last = end - 16;
    while (p < last) {
      const unsigned mask = json_special_mask16(p);
      if (mask != 0) return p + __builtin_ctz(mask);
      p += 16;
    }
    const unsigned mask = json_special_mask16(last) & (~0u << (p - last));
    return mask != 0 ? last + __builtin_ctz(mask) : end;
  }
#else
  while (end - p > 16) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    if (const std::uint64_t bits = special_bits(w)) return first_special(p, bits);
    p += 8;
  }
#endif
  // A short string, or the end of a long one: one or two words, a byte loop below 4 bytes.
  if (end - p >= 8) return find_in_two_words<std::uint64_t>(p, end);
  if (end - p >= 4) return find_in_two_words<std::uint32_t>(p, end);
  while (p != end && !is_special(*p))
    ++p;
  return p;
}

}  // namespace eventdest::detail
