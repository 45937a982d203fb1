// Packs a batch of user records into the Kinesis records that carry them (aggregation: true).
// User records are grouped by the shard their hash key maps to (with a shard map), or by their
// explicit hash key / partition key (without one), each group in arrival order, and each group
// packed into KPL aggregated records of at most `max_record_bytes` (data + partition key). A
// group of one record is sent as that plain record, as the KPL does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kinesis/hash_key.hpp"
#include "kinesis/shard_map.hpp"
#include "pipeline/record.hpp"

namespace eventdest::detail {

/// One Kinesis record to send for some user records of a batch.
struct KinesisCarrier {
  std::string entry;                   ///< its PutRecords entry (`{"Data":...,"PartitionKey":...}`)
  std::size_t shard = ShardMap::npos;  ///< the predicted shard's index in the map, if any
  std::vector<std::uint32_t> members;  ///< batch indexes, in sub-sequence order
  bool aggregated = false;             ///< false: members[0] sent as a plain record
  std::size_t request_bytes = 0;       ///< data + partition key (Kinesis' request limit)
};

/// In aggregation mode a Record's `payload` holds its data blob (not yet base64) and
/// `explicit_hash_key` its decimal ExplicitHashKey, if any.
std::vector<KinesisCarrier> aggregate_records(const Batch& batch, const ShardMap* map,
                                              std::size_t max_record_bytes,
                                              std::size_t max_records_per_carrier);

/// True when a carrier was delivered to another shard than `map` predicted (a split or merge).
bool any_misplaced(const std::vector<KinesisCarrier>& carriers,
                   const std::vector<Outcome>& carrier_outcomes, const ShardMap* map);

/// The outcome of each user record of `users` from its carriers' outcomes: a delivered carrier
/// delivers its members (with their sub-sequence numbers). A carrier that landed on another
/// shard than `map` predicted delivers its first member (whose hash key placed it) and, when
/// `fresh_map` knows the shard it landed on, the members that shard covers; the others are
/// retried as possible duplicates (errc::resharded): the KCL would drop them there.
std::vector<Outcome> user_outcomes(const std::vector<KinesisCarrier>& carriers,
                                   const std::vector<Outcome>& carrier_outcomes, const Batch& users,
                                   const ShardMap* map, const ShardMap* fresh_map);

/// The hash key that decides a record's shard.
HashKey record_hash_key(const Record& record);

}  // namespace eventdest::detail
