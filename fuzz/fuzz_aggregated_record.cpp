// The KPL aggregated record reader (used by the tests to unpack what Kinesis stores) and the
// ListShards page reader, on arbitrary bytes: never a crash or an out-of-bounds read. The first
// byte picks what the rest is:
//   0: an aggregated record as is;
//   1: a protobuf, framed with the magic and its correct MD5 (so the protobuf reader is reached);
//   2: user records to aggregate ('\n'-separated "key\tdata"), which must read back exactly and
//      at the sizes the builder predicted;
//   3: a ListShards answer.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "kinesis/aggregated_record.hpp"
#include "kinesis/shard_map.hpp"
#include "util/md5.hpp"

using namespace eventdest::detail;

namespace {

void round_trip(std::string_view rest) {
  struct In {
    std::string key, hash_key, data;
  };
  std::vector<In> in;
  while (!rest.empty() && in.size() < 64) {
    auto line_end = rest.find('\n');
    std::string_view line = rest.substr(0, line_end);
    rest = line_end == std::string_view::npos ? std::string_view() : rest.substr(line_end + 1);
    auto tab = line.find('\t');
    In r;
    r.key = std::string(line.substr(0, tab));
    if (tab != std::string_view::npos) r.data = std::string(line.substr(tab + 1));
    if (!r.key.empty() && (static_cast<unsigned char>(r.key[0]) & 1)) r.hash_key = "42";
    in.push_back(std::move(r));
  }
  if (in.empty()) return;
  AggregatedRecordBuilder builder;
  for (const auto& r : in) {
    const std::size_t predicted = builder.size_with(r.key, r.hash_key, r.data.size());
    builder.add(r.key, r.hash_key, r.data);
    if (builder.size() != predicted) std::abort();
  }
  const std::size_t size = builder.size();
  std::string out;
  builder.finish(out);
  if (out.size() != size) std::abort();
  auto read = read_aggregated_record(out);
  if (!read || read->size() != in.size()) std::abort();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto& u = (*read)[i];
    if (u.partition_key != in[i].key || u.data != in[i].data) std::abort();
    if (u.explicit_hash_key.value_or("") != in[i].hash_key) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  std::string error;
  switch (bytes[0] % 4) {
    case 0:
      (void)read_aggregated_record(rest, &error);
      break;
    case 1: {
      const Md5Digest digest = md5(rest);
      std::string framed(kAggregationMagic);
      framed.append(rest.data(), rest.size());
      framed.append(reinterpret_cast<const char*>(digest.data()), digest.size());
      (void)read_aggregated_record(framed, &error);
      break;
    }
    case 2:
      round_trip(rest);
      break;
    case 3: {
      std::vector<ShardRange> shards;
      std::string token;
      if (parse_list_shards_page(rest, shards, token).empty() && !shards.empty()) {
        ShardMap map(std::move(shards));
        (void)map.find(map[0].start);
      }
      break;
    }
  }
  return 0;
}
