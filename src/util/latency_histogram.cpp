#include "util/latency_histogram.hpp"

#include <algorithm>

namespace eventdest::detail {

int LatencyHistogram::bucket_of(std::uint64_t us) noexcept {
  if (us < kSub) return static_cast<int>(us);
  int power = 63 - __builtin_clzll(us);  // us >= 16, so power >= 4
  const int shift = power - 4;
  const int sub = static_cast<int>((us >> shift) & (kSub - 1));
  const int bucket = (power - 3) * kSub + sub;
  return std::min(bucket, kSub * kPowers - 1);
}

std::uint64_t LatencyHistogram::upper_bound_of(int bucket) noexcept {
  if (bucket < kSub) return static_cast<std::uint64_t>(bucket);
  const int power = bucket / kSub + 3;
  const int sub = bucket % kSub;
  const int shift = power - 4;
  return ((static_cast<std::uint64_t>(kSub + sub) + 1) << shift) - 1;
}

void LatencyHistogram::record(std::chrono::microseconds latency) noexcept {
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(0, latency.count()));
  ++buckets_[static_cast<std::size_t>(bucket_of(us))];
  ++count_;
  max_ = std::max(max_, us);
}

std::chrono::microseconds LatencyHistogram::percentile(double p) const noexcept {
  if (count_ == 0) return std::chrono::microseconds(0);
  const auto rank =
      static_cast<std::uint64_t>(std::clamp(p, 0.0, 1.0) * static_cast<double>(count_ - 1)) + 1;
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    seen += buckets_[b];
    if (seen >= rank) {
      return std::chrono::microseconds(
          static_cast<std::int64_t>(std::min(upper_bound_of(static_cast<int>(b)), max_)));
    }
  }
  return std::chrono::microseconds(static_cast<std::int64_t>(max_));
}

}  // namespace eventdest::detail
