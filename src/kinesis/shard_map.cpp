#include "kinesis/shard_map.hpp"

#include <rapidjson/document.h>

#include <algorithm>

#include "util/json_util.hpp"

namespace eventdest::detail {

ShardMap::ShardMap(std::vector<ShardRange> open_shards) : shards_(std::move(open_shards)) {
  std::sort(shards_.begin(), shards_.end(),
            [](const ShardRange& a, const ShardRange& b) { return a.start < b.start; });
}

std::size_t ShardMap::find(HashKey key) const noexcept {
  // The last shard starting at or before `key`.
  auto it = std::upper_bound(shards_.begin(), shards_.end(), key,
                             [](HashKey k, const ShardRange& s) { return k < s.start; });
  if (it == shards_.begin()) return npos;
  --it;
  if (key > it->end) return npos;
  return static_cast<std::size_t>(it - shards_.begin());
}

std::string list_shards_body(std::string_view stream_field, std::string_view next_token) {
  if (!next_token.empty()) return "{\"NextToken\":" + json_string(next_token) + "}";
  return "{" + std::string(stream_field) + "}";
}

std::string parse_list_shards_page(std::string_view body, std::vector<ShardRange>& out,
                                   std::string& next_token) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return "ListShards answer is not a JSON object";
  next_token.clear();
  if (auto token = doc.FindMember("NextToken");
      token != doc.MemberEnd() && !token->value.IsNull()) {
    if (!token->value.IsString()) return "ListShards NextToken is not a string";
    next_token.assign(token->value.GetString(), token->value.GetStringLength());
  }
  auto shards = doc.FindMember("Shards");
  if (shards == doc.MemberEnd() || !shards->value.IsArray()) {
    return "ListShards answer has no Shards array";
  }
  for (const auto& shard : shards->value.GetArray()) {
    if (!shard.IsObject()) return "a ListShards shard is not an object";
    auto id = shard.FindMember("ShardId");
    auto range = shard.FindMember("HashKeyRange");
    if (id == shard.MemberEnd() || !id->value.IsString() || range == shard.MemberEnd() ||
        !range->value.IsObject()) {
      return "a ListShards shard has no ShardId or HashKeyRange";
    }
    // A closed shard (split or merged away) has an ending sequence number: it takes no records.
    auto sequence_range = shard.FindMember("SequenceNumberRange");
    if (sequence_range != shard.MemberEnd() && sequence_range->value.IsObject()) {
      auto ending = sequence_range->value.FindMember("EndingSequenceNumber");
      if (ending != sequence_range->value.MemberEnd() && !ending->value.IsNull()) continue;
    }
    auto start = range->value.FindMember("StartingHashKey");
    auto end = range->value.FindMember("EndingHashKey");
    if (start == range->value.MemberEnd() || end == range->value.MemberEnd() ||
        !start->value.IsString() || !end->value.IsString()) {
      return "a ListShards HashKeyRange has no StartingHashKey or EndingHashKey";
    }
    auto first =
        parse_hash_key(std::string_view(start->value.GetString(), start->value.GetStringLength()));
    auto last =
        parse_hash_key(std::string_view(end->value.GetString(), end->value.GetStringLength()));
    if (!first || !last || *first > *last) return "a ListShards HashKeyRange is not valid";
    out.push_back(
        ShardRange{*first, *last, std::string(id->value.GetString(), id->value.GetStringLength())});
  }
  return {};
}

}  // namespace eventdest::detail
