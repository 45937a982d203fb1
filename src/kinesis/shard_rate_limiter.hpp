// Per-shard token buckets at Kinesis' write limits (1,000 records/s and 1 MiB/s per shard, a
// second's worth held), for `shard_rate_limit`: a hot shard's records wait before Kinesis would
// throttle them, while the other shards' records go at once.
//
// Thread-safety: none; the Kinesis destination uses it on its pipeline's worker only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace eventdest::detail {

class ShardRateLimiter {
 public:
  static constexpr double kRecordsPerSecond = 1000;
  static constexpr double kBytesPerSecond = 1 << 20;

  /// Starts deciding one batch: the records deferred in it are spread over the time the shard
  /// needs for all of them, rather than all retried a millisecond later.
  void begin_batch() { ++batch_; }
  /// Takes one record of `bytes` (data + partition key) for `shard` at `now`: zero when it may
  /// go now, else how long until it could, after the batch's records deferred before it (nothing
  /// is taken then). Waits are at least kMinWait, so held records are not re-examined in a spin.
  std::chrono::milliseconds take(const std::string& shard, std::size_t bytes,
                                 std::chrono::steady_clock::time_point now);

  static constexpr std::chrono::milliseconds kMinWait{10};

 private:
  struct Bucket {
    double records = kRecordsPerSecond;
    double bytes = kBytesPerSecond;
    std::chrono::steady_clock::time_point last;
    // What this batch deferred for the shard so far.
    std::uint64_t batch = 0;
    double deferred_records = 0;
    double deferred_bytes = 0;
  };
  std::unordered_map<std::string, Bucket> buckets_;
  std::uint64_t batch_ = 0;
};

}  // namespace eventdest::detail
