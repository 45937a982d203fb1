// A hint to start loading memory that will be read soon. Used where a loop walks records that a
// deep queue has pushed out of cache: with a few loads in flight ahead of the loop, their misses
// overlap instead of stalling the loop one by one.
#pragma once

#include <cstddef>

namespace eventdest::detail {

/// How many records ahead the record-walking loops prefetch.
constexpr std::size_t kPrefetchAhead = 8;

inline void prefetch(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p);
#else
  (void)p;
#endif
}

/// As prefetch(), for memory about to be written: fetched for ownership, so the first store does
/// not wait for the line to be taken from another core's cache.
inline void prefetch_for_write(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 1);
#else
  (void)p;
#endif
}

/// prefetch() of each cache line of the `bytes` bytes at `p` (an object a loop will read next).
inline void prefetch_lines(const void* p, std::size_t bytes) noexcept {
  for (std::size_t line = 0; line < bytes; line += 64)
    prefetch(static_cast<const char*>(p) + line);
}

/// prefetch_for_write() of each cache line of the `bytes` bytes at `p`.
inline void prefetch_lines_for_write(const void* p, std::size_t bytes) noexcept {
  for (std::size_t line = 0; line < bytes; line += 64)
    prefetch_for_write(static_cast<const char*>(p) + line);
}

}  // namespace eventdest::detail
