// Event ids: UUIDv7 (RFC 9562), unique and ordered by creation time.
#include <atomic>
#include <cstdint>
#include <random>
#include <string>

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
  const std::uint64_t ms = next >> 12;
  const auto seq = static_cast<std::uint32_t>(next & 0xfff);
  std::uint64_t rand_b = rng();
  unsigned char b[16];
  for (int i = 0; i < 6; ++i)
    b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>(0x70 | ((seq >> 8) & 0x0f));
  b[7] = static_cast<unsigned char>(seq & 0xff);
  b[8] = static_cast<unsigned char>(0x80 | ((rand_b >> 56) & 0x3f));
  for (int i = 9; i < 16; ++i)
    b[i] = static_cast<unsigned char>(rand_b >> (8 * (15 - i)));
  // Written into a buffer, then made a string once (appending a character at a time checked the
  // capacity 36 times).
  static const char* hex = "0123456789abcdef";
  char text[36];
  std::size_t n = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text[n++] = '-';
    text[n++] = hex[b[i] >> 4];
    text[n++] = hex[b[i] & 0xf];
  }
  return std::string(text, sizeof text);
}

}  // namespace eventdest
