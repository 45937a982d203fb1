// join()'s concatenation, shared by the function and the interpreter's key-template fast paths.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include "jmespath/value.hpp"

namespace eventdest::jmespath::detail {

/// Appends `s` at `p`. Keys are built from short strings: up to 16 bytes are copied with two
/// overlapping word moves inline, where a memcpy call would cost more than the copy.
inline char* append_bytes(char* p, std::string_view s) noexcept {
  const std::size_t n = s.size();
  const char* src = s.data();
  if (n >= 8 && n <= 16) {
    std::uint64_t head, tail;
    std::memcpy(&head, src, 8);
    std::memcpy(&tail, src + n - 8, 8);
    std::memcpy(p, &head, 8);
    std::memcpy(p + n - 8, &tail, 8);
  } else if (n >= 4 && n < 8) {
    std::uint32_t head, tail;
    std::memcpy(&head, src, 4);
    std::memcpy(&tail, src + n - 4, 4);
    std::memcpy(p, &head, 4);
    std::memcpy(p + n - 4, &tail, 4);
  } else if (n > 0 && n < 4) {
    p[0] = src[0];
    p[n / 2] = src[n / 2];
    p[n - 1] = src[n - 1];
  } else if (n > 16) {
    std::memcpy(p, src, n);
  }
  return p + n;
}

/// The n strings part(0..n-1) joined by `sep` into the arena; `total` is the result's length.
/// Throws invalid-value past 4 GiB, as the join() function does.
template <typename Part>
Val join_strings(Arena& arena, std::string_view sep, std::size_t n, std::size_t total, Part part) {
  if (total > std::numeric_limits<std::uint32_t>::max()) {
    throw RuntimeError(RuntimeError::Kind::invalid_value, "join(): result too large");
  }
  if (total == 0) return Val::string("", 0);
  char* out = arena.make<char>(total);
  char* p = out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) p = append_bytes(p, sep);
    p = append_bytes(p, part(i));
  }
  return Val::string(out, total);
}

}  // namespace eventdest::jmespath::detail
