// A stream's open shards by hash-key range (from ListShards), to predict the shard a record lands
// on: aggregated records must only hold user records of one shard, since the Kinesis Client
// Library drops user records found on a shard whose range does not cover them.
//
// Thread-safety: immutable after construction (shared between threads by shared_ptr<const>).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kinesis/hash_key.hpp"

namespace eventdest::detail {

struct ShardRange {
  HashKey start = 0;
  HashKey end = 0;  ///< inclusive
  std::string shard_id;
};

class ShardMap {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  /// `open_shards` in any order.
  explicit ShardMap(std::vector<ShardRange> open_shards);
  /// The index of the shard whose range holds `key`, or npos (a gap: a map read mid-reshard).
  std::size_t find(HashKey key) const noexcept;
  const ShardRange& operator[](std::size_t i) const { return shards_[i]; }
  std::size_t size() const noexcept { return shards_.size(); }

 private:
  std::vector<ShardRange> shards_;  // by start
};

/// The ListShards request body for the first page (`stream_field` is `"StreamName":"x"` or
/// `"StreamARN":"arn:..."`) or, with a token, for the next one (a NextToken excludes the name).
std::string list_shards_body(std::string_view stream_field, std::string_view next_token);

/// Reads one ListShards answer: appends its open shards (no EndingSequenceNumber) to `out` and
/// sets `next_token` (empty on the last page). Returns why the body is not such an answer, or "".
std::string parse_list_shards_page(std::string_view body, std::vector<ShardRange>& out,
                                   std::string& next_token);

}  // namespace eventdest::detail
