// A fixed-size log-linear histogram of latencies (microseconds) for the metrics snapshot:
// constant memory, O(1) record, percentiles within ~6% of the true value.
//
// Thread-safety: not synchronised; the pipeline records under its own mutex.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "util/adapter_export.hpp"

namespace eventdest::detail {

class EVENTDEST_ADAPTER_API LatencyHistogram {
 public:
  void record(std::chrono::microseconds latency) noexcept;
  /// The latency below which `p` (0..1) of the recorded values fall; 0 when empty.
  std::chrono::microseconds percentile(double p) const noexcept;
  std::chrono::microseconds max() const noexcept { return std::chrono::microseconds(max_); }
  std::uint64_t count() const noexcept { return count_; }

 private:
  // 16 sub-buckets per power of two from 1 µs to ~2^40 µs (12 days).
  static constexpr int kSub = 16;
  static constexpr int kPowers = 41;
  static int bucket_of(std::uint64_t us) noexcept;
  static std::uint64_t upper_bound_of(int bucket) noexcept;

  std::array<std::uint64_t, kSub * kPowers> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace eventdest::detail
