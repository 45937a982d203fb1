// The Kinesis Producer Library's aggregated record format, written and read by hand: magic bytes
// F3 89 9A C2, the protobuf `AggregatedRecord` (partition-key table, explicit-hash-key table,
// records), then the MD5 of the protobuf. The protobuf is three small messages, so a hand-written
// encoder costs less than a generated one (no protoc at build time, no libprotobuf at run time)
// and writes straight into the request's buffer.
//
//   message AggregatedRecord { repeated string partition_key_table = 1;
//                              repeated string explicit_hash_key_table = 2;
//                              repeated Record records = 3; }
//   message Record { required uint64 partition_key_index = 1;
//                    optional uint64 explicit_hash_key_index = 2;
//                    required bytes data = 3; repeated Tag tags = 4; }
//
// Thread-safety: an AggregatedRecordBuilder is used by one thread at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace eventdest::detail {

inline constexpr std::string_view kAggregationMagic{"\xF3\x89\x9A\xC2", 4};
/// Magic and MD5 trailer around the protobuf.
inline constexpr std::size_t kAggregationOverhead = 4 + 16;

class AggregatedRecordBuilder {
 public:
  /// The size of the finished record (magic + protobuf + MD5) if a record with these keys and
  /// `data_size` bytes of data were added.
  std::size_t size_with(std::string_view partition_key, std::string_view explicit_hash_key,
                        std::size_t data_size) const;
  /// The size of the finished record so far.
  std::size_t size() const { return kAggregationOverhead + protobuf_size_; }
  std::size_t count() const { return records_; }
  /// Adds one user record (an empty explicit_hash_key: none).
  void add(std::string_view partition_key, std::string_view explicit_hash_key,
           std::string_view data);
  /// The finished record, appended to `out`; the builder is then empty again.
  void finish(std::string& out);
  void clear();

 private:
  struct KeyTable {
    std::unordered_map<std::string, std::size_t> index;
    std::string encoded;  // the table's fields, in order
    // The index `key` has or would get, and the bytes adding it would take (0 if present).
    std::pair<std::size_t, std::size_t> lookup(std::string_view key) const;
    std::size_t add(std::string_view key, int field);
  };
  static std::size_t record_field_size(std::size_t pk_index, std::optional<std::size_t> ehk_index,
                                       std::size_t data_size);

  KeyTable partition_keys_;
  KeyTable explicit_hash_keys_;
  std::string records_encoded_;
  std::size_t protobuf_size_ = 0;
  std::size_t records_ = 0;
};

/// One user record read back from an aggregated record.
struct UserRecord {
  std::string partition_key;
  std::optional<std::string> explicit_hash_key;
  std::string data;
};

/// Reads an aggregated record. Returns nullopt and sets `error` when `bytes` is not one: no
/// magic, an MD5 that does not match, malformed protobuf, or an index outside its table. Never
/// reads outside `bytes`, whatever they hold (a fuzz target checks it).
std::optional<std::vector<UserRecord>> read_aggregated_record(std::string_view bytes,
                                                              std::string* error = nullptr);

}  // namespace eventdest::detail
