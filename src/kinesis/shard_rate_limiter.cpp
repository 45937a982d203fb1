#include "kinesis/shard_rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace eventdest::detail {

std::chrono::milliseconds ShardRateLimiter::take(const std::string& shard, std::size_t bytes,
                                                 std::chrono::steady_clock::time_point now) {
  auto [it, fresh] = buckets_.try_emplace(shard);
  Bucket& b = it->second;
  if (fresh) b.last = now;
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.last = now;
  b.records = std::min(kRecordsPerSecond, b.records + elapsed * kRecordsPerSecond);
  b.bytes = std::min(kBytesPerSecond, b.bytes + elapsed * kBytesPerSecond);
  // A record larger than a full bucket (1 MiB of data and a key) goes when the bucket is full,
  // leaving it in debt.
  const double need = std::min(static_cast<double>(bytes), kBytesPerSecond);
  if (b.records >= 1 && b.bytes >= need) {
    b.records -= 1;
    b.bytes -= static_cast<double>(bytes);
    return std::chrono::milliseconds(0);
  }
  const double wait =
      std::max((1 - b.records) / kRecordsPerSecond, (need - b.bytes) / kBytesPerSecond);
  return std::chrono::milliseconds(
      std::max<long long>(1, static_cast<long long>(std::ceil(wait * 1000))));
}

}  // namespace eventdest::detail
