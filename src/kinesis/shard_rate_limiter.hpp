// Per-shard token buckets at Kinesis' write limits (1,000 records/s and 1 MiB/s per shard, a
// second's worth held), for `shard_rate_limit`: a hot shard's records wait before Kinesis would
// throttle them, while the other shards' records go at once.
//
// Thread-safety: none; the Kinesis destination uses it on its pipeline's worker only.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace eventdest::detail {

class ShardRateLimiter {
 public:
  static constexpr double kRecordsPerSecond = 1000;
  static constexpr double kBytesPerSecond = 1 << 20;

  /// Takes one record of `bytes` (data + partition key) for `shard` at `now`: zero when it may
  /// go now, else how long until it could (nothing is taken then).
  std::chrono::milliseconds take(const std::string& shard, std::size_t bytes,
                                 std::chrono::steady_clock::time_point now);

 private:
  struct Bucket {
    double records = kRecordsPerSecond;
    double bytes = kBytesPerSecond;
    std::chrono::steady_clock::time_point last;
  };
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace eventdest::detail
