// Event ids: UUIDv7 (RFC 9562), unique and ordered by creation time.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "event/event_internals.hpp"
#include "eventdest/event.hpp"

namespace eventdest {

std::string generate_event_id() {
  return detail::event_id_at(Clock::now());
}

std::string detail::event_id_at(Clock::time_point now) {
  // UUIDv7 (RFC 9562): 48-bit unix milliseconds, then a 12-bit counter that keeps ids generated
  // in the same millisecond ordered, then 62 random bits. The last (milliseconds, counter) pair
  // is one 64-bit word advanced by compare-and-swap, not under a lock: publishers on many threads
  // make ids at once. Adding one to the word is the counter's step, and its carry borrows the
  // next millisecond when the counter is exhausted.
  static std::atomic<std::uint64_t> last{0};  // ms << 12 | counter
  thread_local std::mt19937_64 rng{
      std::random_device{}() ^ static_cast<std::uint64_t>(Clock::now().time_since_epoch().count())};
  const std::uint64_t now_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  std::uint64_t prev = last.load(std::memory_order_relaxed);
  std::uint64_t next = 0;
  std::uint64_t fresh = 0;  // a new millisecond's word, its counter starting at random (headroom)
  do {
    if ((prev >> 12) >= now_ms) {
      next = prev + 1;
    } else {
      if (fresh >> 12 != now_ms) fresh = now_ms << 12 | (rng() & 0x3ff);
      next = fresh;
    }
  } while (!last.compare_exchange_weak(prev, next, std::memory_order_relaxed));
  // Bytes 0-7: the milliseconds, the version (7) and the counter; 8-15: the variant (10) and
  // 62 random bits.
  const std::uint64_t high = (next >> 12) << 16 | 0x7000 | (next & 0xfff);
  const std::uint64_t low = (rng() & 0x3fffffffffffffffull) | 0x8000000000000000ull;
  unsigned char b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<unsigned char>(high >> (56 - 8 * i));
    b[8 + i] = static_cast<unsigned char>(low >> (56 - 8 * i));
  }
  char text[36];
  write_uuid_text(b, text);
  return std::string(text, sizeof text);
}

void detail::write_uuid_text(const unsigned char* bytes, char* out) noexcept {
  // All 32 hex digits at once, then the groups moved into place: a digit at a time (a table
  // lookup and a dash test each) was half of making an id.
  char hex[32];
#if defined(__SSE2__)
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes));
  const __m128i nibble = _mm_set1_epi8(0x0f);
  const __m128i high = _mm_and_si128(_mm_srli_epi16(v, 4), nibble);
  const __m128i low = _mm_and_si128(v, nibble);
  const auto digits = [](__m128i n) {
    // '0' + n, and 'a' - '0' - 10 more where n > 9.
    const __m128i letter = _mm_cmpgt_epi8(n, _mm_set1_epi8(9));
    return _mm_add_epi8(_mm_add_epi8(n, _mm_set1_epi8('0')),
                        _mm_and_si128(letter, _mm_set1_epi8('a' - '0' - 10)));
  };
  _mm_storeu_si128(reinterpret_cast<__m128i*>(hex), digits(_mm_unpacklo_epi8(high, low)));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(hex + 16), digits(_mm_unpackhi_epi8(high, low)));
#else
  static const char* const kDigits = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
#endif
  std::memcpy(out, hex, 8);
  out[8] = '-';
  std::memcpy(out + 9, hex + 8, 4);
  out[13] = '-';
  std::memcpy(out + 14, hex + 12, 4);
  out[18] = '-';
  std::memcpy(out + 19, hex + 16, 4);
  out[23] = '-';
  std::memcpy(out + 24, hex + 20, 12);
}

}  // namespace eventdest
