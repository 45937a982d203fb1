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
  if (b.batch != batch_) {
    b.batch = batch_;
    b.deferred_records = b.deferred_bytes = 0;
  }
  if (b.deferred_records == 0 && b.records >= 1 && b.bytes >= need) {
    b.records -= 1;
    b.bytes -= static_cast<double>(bytes);
    return std::chrono::milliseconds(0);
  }
  // Room for this record after the ones already deferred in this batch.
  b.deferred_records += 1;
  b.deferred_bytes += need;
  const double wait = std::max((b.deferred_records - b.records) / kRecordsPerSecond,
                               (b.deferred_bytes - b.bytes) / kBytesPerSecond);
  return std::max(kMinWait,
                  std::chrono::milliseconds(static_cast<long long>(std::ceil(wait * 1000))));
}

}  // namespace eventdest::detail
