#include "kinesis/aggregated_record.hpp"

#include <cstdint>

#include "util/md5.hpp"

namespace eventdest::detail {
namespace {

// Protobuf wire types.
constexpr int kVarint = 0;
constexpr int kFixed64 = 1;
constexpr int kLengthDelimited = 2;
constexpr int kFixed32 = 5;

std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>(static_cast<unsigned char>(v) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

char tag(int field, int wire_type) {
  return static_cast<char>(field << 3 | wire_type);
}

// A length-delimited field of `size` bytes (field numbers here are below 16: a one-byte tag).
std::size_t delimited_size(std::size_t size) {
  return 1 + varint_size(size) + size;
}

}  // namespace

std::pair<std::size_t, std::size_t> AggregatedRecordBuilder::KeyTable::lookup(
    std::string_view key) const {
  // A heterogeneous find would need C++20; these keys are short, the copy is cheap.
  auto it = index.find(std::string(key));
  if (it != index.end()) return {it->second, 0};
  return {index.size(), delimited_size(key.size())};
}

std::size_t AggregatedRecordBuilder::KeyTable::add(std::string_view key, int field) {
  auto [it, fresh] = index.try_emplace(std::string(key), index.size());
  if (fresh) {
    encoded += tag(field, kLengthDelimited);
    put_varint(encoded, key.size());
    encoded.append(key.data(), key.size());
  }
  return it->second;
}

std::size_t AggregatedRecordBuilder::record_field_size(std::size_t pk_index,
                                                       std::optional<std::size_t> ehk_index,
                                                       std::size_t data_size) {
  std::size_t inner = 1 + varint_size(pk_index) + delimited_size(data_size);
  if (ehk_index) inner += 1 + varint_size(*ehk_index);
  return delimited_size(inner);
}

std::size_t AggregatedRecordBuilder::size_with(std::string_view partition_key,
                                               std::string_view explicit_hash_key,
                                               std::size_t data_size) const {
  auto [pk_index, pk_added] = partition_keys_.lookup(partition_key);
  std::size_t added = pk_added;
  std::optional<std::size_t> ehk_index;
  if (!explicit_hash_key.empty()) {
    auto [index, ehk_added] = explicit_hash_keys_.lookup(explicit_hash_key);
    ehk_index = index;
    added += ehk_added;
  }
  return size() + added + record_field_size(pk_index, ehk_index, data_size);
}

void AggregatedRecordBuilder::add(std::string_view partition_key,
                                  std::string_view explicit_hash_key, std::string_view data) {
  const std::size_t before =
      partition_keys_.encoded.size() + explicit_hash_keys_.encoded.size() + records_encoded_.size();
  const std::size_t pk_index = partition_keys_.add(partition_key, 1);
  std::optional<std::size_t> ehk_index;
  if (!explicit_hash_key.empty()) ehk_index = explicit_hash_keys_.add(explicit_hash_key, 2);
  std::size_t inner = 1 + varint_size(pk_index) + delimited_size(data.size());
  if (ehk_index) inner += 1 + varint_size(*ehk_index);
  records_encoded_ += tag(3, kLengthDelimited);
  put_varint(records_encoded_, inner);
  records_encoded_ += tag(1, kVarint);
  put_varint(records_encoded_, pk_index);
  if (ehk_index) {
    records_encoded_ += tag(2, kVarint);
    put_varint(records_encoded_, *ehk_index);
  }
  records_encoded_ += tag(3, kLengthDelimited);
  put_varint(records_encoded_, data.size());
  records_encoded_.append(data.data(), data.size());
  protobuf_size_ += partition_keys_.encoded.size() + explicit_hash_keys_.encoded.size() +
                    records_encoded_.size() - before;
  ++records_;
}

void AggregatedRecordBuilder::finish(std::string& out) {
  out.reserve(out.size() + size());
  out.append(kAggregationMagic.data(), kAggregationMagic.size());
  const std::size_t start = out.size();
  out += partition_keys_.encoded;
  out += explicit_hash_keys_.encoded;
  out += records_encoded_;
  const Md5Digest digest = md5(std::string_view(out).substr(start));
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  clear();
}

void AggregatedRecordBuilder::clear() {
  partition_keys_.index.clear();
  partition_keys_.encoded.clear();
  explicit_hash_keys_.index.clear();
  explicit_hash_keys_.encoded.clear();
  records_encoded_.clear();
  protobuf_size_ = 0;
  records_ = 0;
}

namespace {

class ProtobufReader {
 public:
  explicit ProtobufReader(std::string_view bytes) : p_(bytes.data()), end_(p_ + bytes.size()) {}
  bool done() const { return p_ == end_; }

  bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      const auto byte = static_cast<unsigned char>(*p_++);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;  // more than ten bytes
  }
  bool delimited(std::string_view& out) {
    std::uint64_t size = 0;
    if (!varint(size) || size > static_cast<std::uint64_t>(end_ - p_)) return false;
    out = std::string_view(p_, static_cast<std::size_t>(size));
    p_ += size;
    return true;
  }
  // Skips a field of an unknown number (tags, fields of later versions).
  bool skip(int wire_type) {
    std::uint64_t ignored = 0;
    std::string_view ignored_bytes;
    switch (wire_type) {
      case kVarint:
        return varint(ignored);
      case kFixed64:
        return advance(8);
      case kLengthDelimited:
        return delimited(ignored_bytes);
      case kFixed32:
        return advance(4);
      default:
        return false;  // groups are not used by this format
    }
  }

 private:
  bool advance(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }
  const char* p_;
  const char* end_;
};

struct RecordFields {
  std::uint64_t pk_index = 0;
  bool has_pk_index = false;
  std::optional<std::uint64_t> ehk_index;
  std::string_view data;
  bool has_data = false;
};

bool read_record(std::string_view bytes, RecordFields& out) {
  ProtobufReader r(bytes);
  while (!r.done()) {
    std::uint64_t key = 0;
    if (!r.varint(key)) return false;
    const auto field = key >> 3;
    const int wire_type = static_cast<int>(key & 7);
    if (field == 1 && wire_type == kVarint) {
      if (!r.varint(out.pk_index)) return false;
      out.has_pk_index = true;
    } else if (field == 2 && wire_type == kVarint) {
      std::uint64_t index = 0;
      if (!r.varint(index)) return false;
      out.ehk_index = index;
    } else if (field == 3 && wire_type == kLengthDelimited) {
      if (!r.delimited(out.data)) return false;
      out.has_data = true;
    } else if (!r.skip(wire_type)) {
      return false;
    }
  }
  return out.has_pk_index && out.has_data;
}

bool fail(std::string* error, const char* why) {
  if (error) *error = why;
  return false;
}

}  // namespace

std::optional<std::vector<UserRecord>> read_aggregated_record(std::string_view bytes,
                                                              std::string* error) {
  if (bytes.size() < kAggregationOverhead || bytes.substr(0, 4) != kAggregationMagic) {
    fail(error, "not an aggregated record (no magic bytes)");
    return std::nullopt;
  }
  const std::string_view protobuf = bytes.substr(4, bytes.size() - kAggregationOverhead);
  const Md5Digest digest = md5(protobuf);
  if (bytes.substr(bytes.size() - 16) !=
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size())) {
    fail(error, "the MD5 trailer does not match the protobuf");
    return std::nullopt;
  }
  std::vector<std::string_view> partition_keys;
  std::vector<std::string_view> explicit_hash_keys;
  std::vector<RecordFields> records;
  ProtobufReader r(protobuf);
  while (!r.done()) {
    std::uint64_t key = 0;
    if (!r.varint(key)) {
      fail(error, "malformed protobuf (field key)");
      return std::nullopt;
    }
    const auto field = key >> 3;
    const int wire_type = static_cast<int>(key & 7);
    std::string_view value;
    if (field >= 1 && field <= 3 && wire_type == kLengthDelimited) {
      if (!r.delimited(value)) {
        fail(error, "malformed protobuf (field length)");
        return std::nullopt;
      }
      if (field == 1) {
        partition_keys.push_back(value);
      } else if (field == 2) {
        explicit_hash_keys.push_back(value);
      } else if (!read_record(value, records.emplace_back())) {
        fail(error, "malformed record (partition_key_index or data missing, or bad bytes)");
        return std::nullopt;
      }
    } else if (!r.skip(wire_type)) {
      fail(error, "malformed protobuf (unknown field)");
      return std::nullopt;
    }
  }
  std::vector<UserRecord> out;
  out.reserve(records.size());
  for (const auto& record : records) {
    if (record.pk_index >= partition_keys.size() ||
        (record.ehk_index && *record.ehk_index >= explicit_hash_keys.size())) {
      fail(error, "a record's key index is outside its table");
      return std::nullopt;
    }
    UserRecord& user = out.emplace_back();
    user.partition_key = std::string(partition_keys[record.pk_index]);
    if (record.ehk_index)
      user.explicit_hash_key = std::string(explicit_hash_keys[*record.ehk_index]);
    user.data = std::string(record.data);
  }
  return out;
}

}  // namespace eventdest::detail
