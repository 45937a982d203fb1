// Event ids: UUIDv7 (RFC 9562), unique and ordered by creation time.
#include <cstdint>
#include <mutex>
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
  // in the same millisecond ordered, then 62 random bits.
  static std::mutex mutex;
  static std::uint64_t last_ms = 0;
  static std::uint32_t counter = 0;
  thread_local std::mt19937_64 rng{
      std::random_device{}() ^ static_cast<std::uint64_t>(Clock::now().time_since_epoch().count())};
  std::uint64_t ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  std::uint32_t seq;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (ms <= last_ms) {
      ms = last_ms;
      if (++counter > 0xfff) {  // counter exhausted: borrow the next millisecond
        ++ms;
        counter = 0;
      }
    } else {
      counter = static_cast<std::uint32_t>(rng() & 0x3ff);  // random start leaves headroom
    }
    last_ms = ms;
    seq = counter;
  }
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
