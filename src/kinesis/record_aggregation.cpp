#include "kinesis/record_aggregation.hpp"

#include <unordered_map>

#include "kinesis/aggregated_record.hpp"
#include "kinesis/kinesis_records.hpp"

namespace eventdest::detail {

HashKey record_hash_key(const Record& record) {
  if (!record.explicit_hash_key.empty()) {
    if (auto key = parse_hash_key(record.explicit_hash_key)) return *key;
  }
  return hash_key_of_partition_key(record.partition_key);
}

namespace {

// The carrier being filled for one group, and its builder.
struct OpenCarrier {
  std::size_t carrier = 0;
  AggregatedRecordBuilder builder;
  std::string partition_key;      // the carrier's own: its first member's
  std::string explicit_hash_key;  // the carrier's own (decimal), or empty
};

class Packer {
 public:
  Packer(const Batch& batch, const ShardMap* map, std::size_t max_record_bytes,
         std::size_t max_records)
      : batch_(batch), map_(map), max_record_bytes_(max_record_bytes), max_records_(max_records) {}

  std::vector<KinesisCarrier> run() {
    for (std::uint32_t i = 0; i < batch_.size(); ++i)
      add(i);
    for (auto& open : open_)
      finish(open);
    return std::move(carriers_);
  }

 private:
  void add(std::uint32_t i) {
    const Record& r = *batch_[i];
    std::size_t shard = ShardMap::npos;
    HashKey hash = 0;
    std::string group;
    if (map_) {
      hash = record_hash_key(r);
      shard = map_->find(hash);
    }
    if (shard != ShardMap::npos) {
      // Records with and without an explicit hash key are not mixed: a deaggregator such as
      // aws-kinesis-agg's reads a missing index as 0 when the table is not empty.
      group.assign(r.explicit_hash_key.empty() ? "s" : "S").append(std::to_string(shard));
    } else if (!r.explicit_hash_key.empty()) {
      group.assign(1, 'e').append(r.explicit_hash_key);
    } else {
      group.assign(1, 'p').append(r.partition_key);
    }
    auto [it, fresh] = group_index_.try_emplace(std::move(group), open_.size());
    if (fresh) {
      open_.emplace_back();
      start(open_.back(), i, shard, hash);
      return;
    }
    OpenCarrier& open = open_[it->second];
    const std::size_t size =
        open.builder.size_with(r.partition_key, r.explicit_hash_key, r.payload.size()) +
        open.partition_key.size();
    if (size > max_record_bytes_ || open.builder.count() >= max_records_) {
      finish(open);
      start(open, i, shard, hash);
      return;
    }
    open.builder.add(r.partition_key, r.explicit_hash_key, r.payload);
    carriers_[open.carrier].members.push_back(i);
  }

  void start(OpenCarrier& open, std::uint32_t i, std::size_t shard, HashKey hash) {
    const Record& r = *batch_[i];
    open.carrier = carriers_.size();
    KinesisCarrier& carrier = carriers_.emplace_back();
    carrier.shard = shard;
    carrier.members.push_back(i);
    open.partition_key = r.partition_key;
    // With a shard map, the carrier is pinned to the predicted shard by its first member's hash
    // key; without one, all members share the key that places them.
    open.explicit_hash_key =
        shard != ShardMap::npos ? to_decimal(hash) : std::string(r.explicit_hash_key);
    open.builder.clear();
    open.builder.add(r.partition_key, r.explicit_hash_key, r.payload);
  }

  void finish(OpenCarrier& open) {
    KinesisCarrier& carrier = carriers_[open.carrier];
    if (carrier.members.size() == 1) {
      const Record& r = *batch_[carrier.members.front()];
      append_put_records_entry(carrier.entry, r.payload, r.partition_key, r.explicit_hash_key);
      carrier.request_bytes = r.payload.size() + r.partition_key.size();
    } else {
      scratch_.clear();
      open.builder.finish(scratch_);
      carrier.aggregated = true;
      append_put_records_entry(carrier.entry, scratch_, open.partition_key, open.explicit_hash_key);
      carrier.request_bytes = scratch_.size() + open.partition_key.size();
    }
    open.builder.clear();
  }

  const Batch& batch_;
  const ShardMap* map_;
  const std::size_t max_record_bytes_;
  const std::size_t max_records_;
  std::vector<KinesisCarrier> carriers_;
  std::vector<OpenCarrier> open_;
  std::unordered_map<std::string, std::size_t> group_index_;
  std::string scratch_;
};

}  // namespace

std::vector<KinesisCarrier> aggregate_records(const Batch& batch, const ShardMap* map,
                                              std::size_t max_record_bytes,
                                              std::size_t max_records_per_carrier) {
  return Packer(batch, map, max_record_bytes, max_records_per_carrier).run();
}

namespace {

bool misplaced(const KinesisCarrier& carrier, const Outcome& outcome, const ShardMap* map) {
  return outcome.kind == Outcome::Kind::delivered && map && carrier.shard != ShardMap::npos &&
         outcome.shard_id != (*map)[carrier.shard].shard_id;
}

}  // namespace

bool any_misplaced(const std::vector<KinesisCarrier>& carriers,
                   const std::vector<Outcome>& carrier_outcomes, const ShardMap* map) {
  for (std::size_t c = 0; c < carriers.size() && c < carrier_outcomes.size(); ++c) {
    if (misplaced(carriers[c], carrier_outcomes[c], map)) return true;
  }
  return false;
}

std::vector<Outcome> user_outcomes(const std::vector<KinesisCarrier>& carriers,
                                   const std::vector<Outcome>& carrier_outcomes, const Batch& users,
                                   const ShardMap* map, const ShardMap* fresh_map) {
  std::vector<Outcome> out(users.size(), Outcome::failure(Outcome::Kind::fail, errc::internal,
                                                          "no carrier record held this event"));
  for (std::size_t c = 0; c < carriers.size() && c < carrier_outcomes.size(); ++c) {
    const KinesisCarrier& carrier = carriers[c];
    const Outcome& outcome = carrier_outcomes[c];
    const bool moved = misplaced(carrier, outcome, map);
    // The range of the shard it landed on, when the fresh map has it.
    const ShardRange* landed = nullptr;
    if (moved && fresh_map) {
      for (std::size_t s = 0; s < fresh_map->size(); ++s) {
        if ((*fresh_map)[s].shard_id == outcome.shard_id) landed = &(*fresh_map)[s];
      }
    }
    for (std::size_t k = 0; k < carrier.members.size(); ++k) {
      Outcome& user = out[carrier.members[k]];
      if (moved && k > 0) {
        const HashKey hash = record_hash_key(*users[carrier.members[k]]);
        if (!landed || hash < landed->start || hash > landed->end) {
          user = Outcome::failure(
              Outcome::Kind::retry, errc::resharded,
              "its aggregated record landed on " + outcome.shard_id + ", not on " +
                  (*map)[carrier.shard].shard_id +
                  " as the shard map said (the stream's shards changed), and that shard does "
                  "not cover its hash key: sent again",
              {}, 0, /*maybe_sent=*/true);
          continue;
        }
      }
      user = outcome;
      if (carrier.aggregated && outcome.kind == Outcome::Kind::delivered) {
        user.sub_sequence_number = static_cast<std::int64_t>(k);
      }
    }
  }
  return out;
}

}  // namespace eventdest::detail
