// Capped exponential backoff with jitter, shared by every destination's retry loop.
//
// Thread-safety: delay() is const and uses a thread-local generator, so one Backoff may be shared.
#pragma once

#include <chrono>

namespace eventdest::detail {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap) : base_(base), cap_(cap) {}

  /// The wait before retry number `attempt` (1 = first retry): a uniformly random value in
  /// [d/2, d] where d = min(cap, base * 2^(attempt-1)). "Equal jitter" keeps retries of a failed
  /// batch apart without ever retrying immediately.
  std::chrono::milliseconds delay(int attempt) const;

  std::chrono::milliseconds base() const { return base_; }
  std::chrono::milliseconds cap() const { return cap_; }

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds cap_;
};

}  // namespace eventdest::detail
