// KPL aggregation's building blocks: MD5, hash keys, the aggregated record format, the shard map
// and the packing of a batch by shard. The format is also checked against AWS's own
// aws-kinesis-agg deaggregator (tests/kinesis/aggregation_test.py), on kinesis-local.
#include <set>

#include "kinesis/aggregated_record.hpp"
#include "kinesis/hash_key.hpp"
#include "kinesis/record_aggregation.hpp"
#include "kinesis/shard_map.hpp"
#include "support/catch.hpp"
#include "util/base64.hpp"
#include "util/md5.hpp"

using namespace eventdest;
using namespace eventdest::detail;

namespace {

std::string hex(const Md5Digest& d) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (auto b : d) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

const std::string kMaxHashKey = "340282366920938463463374607431768211455";  // 2^128 - 1

// The blob inside a PutRecords entry written by append_put_records_entry.
std::string entry_data(const std::string& entry) {
  const std::string prefix = "{\"Data\":\"";
  REQUIRE(entry.rfind(prefix, 0) == 0);
  const auto end = entry.find('"', prefix.size());
  std::string out;
  REQUIRE(decode_base64(entry.substr(prefix.size(), end - prefix.size()), out));
  return out;
}

RecordPtr user_record(std::string key, std::string data, std::string hash_key = {}) {
  auto r = std::make_unique<Record>();
  r->partition_key = std::move(key);
  r->payload = std::move(data);
  r->explicit_hash_key = std::move(hash_key);
  return r;
}

// Four shards splitting the hash key space evenly, as CreateStream makes them.
ShardMap four_shards() {
  std::vector<ShardRange> shards;
  const HashKey quarter = (~HashKey(0) / 4) + 1;
  for (int i = 0; i < 4; ++i) {
    const HashKey start = quarter * static_cast<unsigned>(i);
    const HashKey end = i == 3 ? ~HashKey(0) : start + quarter - 1;
    shards.push_back({start, end, "shardId-00000000000" + std::to_string(i)});
  }
  return ShardMap(std::move(shards));
}

}  // namespace

TEST_CASE("MD5 gives RFC 1321's digests, across block boundaries", "[kinesis][aggregation]") {
  CHECK(hex(md5("")) == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(hex(md5("abc")) == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(hex(md5("message digest")) == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(hex(md5("1234567890123456789012345678901234567890123456789012345678901234567890123456"
                "7890")) == "57edf4a22be3c955ac49da2e2107b67a");
  // Python's hashlib for the lengths where padding takes one block more.
  CHECK(hex(md5(std::string(55, 'a'))) == "ef1772b6dff9a122358552954ad0df65");
  CHECK(hex(md5(std::string(56, 'a'))) == "3b0c8ac703f828b04c6c197006d17218");
  CHECK(hex(md5(std::string(63, 'a'))) == "b06521f39153d618550606be297466d5");
  CHECK(hex(md5(std::string(64, 'a'))) == "014842d480b571495a4a0363793f7367");
  CHECK(hex(md5(std::string(65, 'a'))) == "c743a45e0d2e6a95cb859adae0248435");
  CHECK(hex(md5(std::string(1000, 'a'))) == "cabe45dcc9ae5b66ba86600cca6b8ba8");
}

TEST_CASE("hash keys: the partition key's MD5 as a number, decimal text both ways",
          "[kinesis][aggregation]") {
  CHECK(to_decimal(hash_key_of_partition_key("orders-1")) ==
        "275742163156300388328381283674763886708");
  CHECK(to_decimal(hash_key_of_partition_key("ключ-🔑")) ==
        "310955279035442261340063556077498676343");
  CHECK(to_decimal(*parse_hash_key(kMaxHashKey)) == kMaxHashKey);
  CHECK(to_decimal(*parse_hash_key("0")) == "0");
  CHECK(*parse_hash_key("007") == 7);
  CHECK_FALSE(parse_hash_key("340282366920938463463374607431768211456"));  // 2^128
  CHECK_FALSE(parse_hash_key("1000000000000000000000000000000000000000"));
  CHECK_FALSE(parse_hash_key(""));
  CHECK_FALSE(parse_hash_key("-1"));
  CHECK_FALSE(parse_hash_key("12 "));
  CHECK_FALSE(parse_hash_key("1e5"));
  CHECK(check_explicit_hash_key("42").empty());
  CHECK(check_explicit_hash_key("x42") ==
        "explicit hash key \"x42\" is not a decimal number from 0 to 2^128-1");
}

TEST_CASE("an aggregated record reads back exactly, and its size is known before it is written",
          "[kinesis][aggregation]") {
  AggregatedRecordBuilder builder;
  struct In {
    std::string key, hash_key, data;
  };
  const std::vector<In> in{{"a", "", "first"},
                           {"ключ-🔑", "12345", ""},           // unicode key, empty data
                           {"a", "", std::string(300, 'x')},  // a repeated key: one table entry
                           {"b", "12345", std::string("\0\xff\x01", 3)}};
  for (const auto& r : in) {
    const std::size_t predicted = builder.size_with(r.key, r.hash_key, r.data.size());
    builder.add(r.key, r.hash_key, r.data);
    CHECK(builder.size() == predicted);
  }
  CHECK(builder.count() == 4);
  std::string out = "prefix";
  const std::size_t expected = builder.size();
  builder.finish(out);
  CHECK(builder.count() == 0);
  REQUIRE(out.size() == 6 + expected);
  const std::string record = out.substr(6);
  CHECK(record.substr(0, 4) == "\xF3\x89\x9A\xC2");
  std::string error;
  auto read = read_aggregated_record(record, &error);
  REQUIRE(read);
  REQUIRE(read->size() == in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    CHECK((*read)[i].partition_key == in[i].key);
    CHECK((*read)[i].data == in[i].data);
    if (in[i].hash_key.empty()) {
      CHECK_FALSE((*read)[i].explicit_hash_key);
    } else {
      CHECK((*read)[i].explicit_hash_key == in[i].hash_key);
    }
  }
  // The tables hold each key once: "a", "ключ-🔑", "b" and one hash key.
  CHECK(record.find("12345") == record.rfind("12345"));

  SECTION("a record of one user record") {
    builder.add("k", "", "v");
    std::string one;
    builder.finish(one);
    auto single = read_aggregated_record(one);
    REQUIRE(single);
    REQUIRE(single->size() == 1);
    CHECK((*single)[0].data == "v");
  }
  SECTION("a damaged record is refused, never misread") {
    std::string flipped = record;
    flipped[10] ^= 0x01;
    CHECK_FALSE(read_aggregated_record(flipped, &error));
    CHECK(error == "the MD5 trailer does not match the protobuf");
    CHECK_FALSE(read_aggregated_record(record.substr(0, record.size() - 1), &error));
    CHECK_FALSE(read_aggregated_record("plain data", &error));
    CHECK(error == "not an aggregated record (no magic bytes)");
    // A valid digest over a protobuf whose record points outside the key table.
    std::string protobuf =
        std::string("\x0a\x01k", 3) + std::string("\x1a\x05\x08\x05\x1a\x01x", 7);
    const Md5Digest digest = md5(protobuf);
    std::string bad = std::string(kAggregationMagic) + protobuf +
                      std::string(reinterpret_cast<const char*>(digest.data()), 16);
    CHECK_FALSE(read_aggregated_record(bad, &error));
    CHECK(error == "a record's key index is outside its table");
  }
}

TEST_CASE("ListShards pages give the open shards' ranges", "[kinesis][aggregation]") {
  std::vector<ShardRange> shards;
  std::string token;
  CHECK(parse_list_shards_page(
            R"({"Shards":[
      {"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"170141183460469231731687303715884105727"},
       "SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":"9"}},
      {"ShardId":"shardId-000000000002","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"85070591730234615865843651857942052863"},
       "SequenceNumberRange":{"StartingSequenceNumber":"10"}}],
      "NextToken":"page2"})",
            shards, token) == "");
  CHECK(token == "page2");
  REQUIRE(shards.size() == 1);  // the closed parent is left out
  CHECK(shards[0].shard_id == "shardId-000000000002");
  CHECK(
      parse_list_shards_page(
          R"({"Shards":[{"ShardId":"shardId-000000000003","HashKeyRange":{"StartingHashKey":"85070591730234615865843651857942052864","EndingHashKey":"340282366920938463463374607431768211455"}}]})",
          shards, token) == "");
  CHECK(token.empty());
  // kinesis-local writes absent fields as null.
  CHECK(
      parse_list_shards_page(
          R"({"Shards":[{"ShardId":"shardId-000000000004","HashKeyRange":{"StartingHashKey":"1","EndingHashKey":"1"},"SequenceNumberRange":{"EndingSequenceNumber":null}}],"NextToken":null})",
          shards, token) == "");
  CHECK(token.empty());
  REQUIRE(shards.size() == 3);
  shards.pop_back();
  CHECK(token.empty());
  ShardMap map(std::move(shards));
  REQUIRE(map.size() == 2);
  CHECK(map[map.find(0)].shard_id == "shardId-000000000002");
  CHECK(map[map.find(*parse_hash_key("85070591730234615865843651857942052864"))].shard_id ==
        "shardId-000000000003");
  CHECK(map[map.find(*parse_hash_key(kMaxHashKey))].shard_id == "shardId-000000000003");

  CHECK(list_shards_body(R"("StreamName":"s")", "") == R"({"StreamName":"s"})");
  CHECK(list_shards_body(R"("StreamName":"s")", "t\"1") == R"({"NextToken":"t\"1"})");
  CHECK(parse_list_shards_page("[]", shards, token) == "ListShards answer is not a JSON object");
  CHECK(
      parse_list_shards_page(
          R"({"Shards":[{"ShardId":"s","HashKeyRange":{"StartingHashKey":"9","EndingHashKey":"1"}}]})",
          shards, token) == "a ListShards HashKeyRange is not valid");
}

TEST_CASE("a batch is packed by predicted shard, each carrier pinned to its shard",
          "[kinesis][aggregation]") {
  const ShardMap map = four_shards();
  Batch batch;
  for (int i = 0; i < 200; ++i)
    batch.push_back(user_record("key-" + std::to_string(i), "d" + std::to_string(i)));
  auto carriers = aggregate_records(batch, &map, 1 << 20, 100000);
  REQUIRE(carriers.size() == 4);  // one per shard: every key hashes somewhere
  std::set<std::uint32_t> seen;
  for (const auto& carrier : carriers) {
    CHECK(carrier.aggregated);
    const auto& entry = carrier.entry;
    auto users = read_aggregated_record(entry_data(entry));
    REQUIRE(users);
    REQUIRE(users->size() == carrier.members.size());
    for (std::size_t k = 0; k < users->size(); ++k) {
      const Record& r = *batch[carrier.members[k]];
      CHECK((*users)[k].partition_key == r.partition_key);
      CHECK((*users)[k].data == r.payload);
      CHECK(map.find(hash_key_of_partition_key(r.partition_key)) == carrier.shard);
      if (k) CHECK(carrier.members[k] > carrier.members[k - 1]);  // arrival order
      seen.insert(carrier.members[k]);
    }
    // Pinned: the carrier's ExplicitHashKey is its first member's hash key.
    const auto first_hash =
        to_decimal(hash_key_of_partition_key(batch[carrier.members[0]]->partition_key));
    CHECK(entry.find("\"ExplicitHashKey\":\"" + first_hash + "\"") != std::string::npos);
  }
  CHECK(seen.size() == 200);

  SECTION("the size limit starts a new carrier; a lone record goes plain") {
    Batch big;
    for (int i = 0; i < 5; ++i)
      big.push_back(user_record("same", std::string(400, 'a' + i)));
    big.push_back(user_record("other", "alone"));
    auto limited = aggregate_records(big, nullptr, 1000, 100000);
    // 400-byte records, 1000 bytes a carrier: two per carrier, then the fifth alone (plain).
    REQUIRE(limited.size() == 4);
    CHECK(limited[0].members == std::vector<std::uint32_t>{0, 1});
    CHECK(limited[1].members == std::vector<std::uint32_t>{2, 3});
    CHECK(limited[2].members == std::vector<std::uint32_t>{4});
    CHECK(limited[3].members == std::vector<std::uint32_t>{5});
    for (const auto& c : limited) {
      CHECK(c.request_bytes <= 1000);
      CHECK(c.aggregated == (c.members.size() > 1));
    }
    CHECK(entry_data(limited[3].entry) == "alone");
    CHECK(limited[3].entry.find("ExplicitHashKey") == std::string::npos);
  }
  SECTION("without a map, only records of one key (or explicit hash key) share a carrier") {
    Batch mixed;
    mixed.push_back(user_record("a", "1"));
    mixed.push_back(user_record("b", "2"));
    mixed.push_back(user_record("a", "3"));
    mixed.push_back(user_record("c", "4", "42"));
    mixed.push_back(user_record("d", "5", "42"));
    auto grouped = aggregate_records(mixed, nullptr, 1 << 20, 100000);
    REQUIRE(grouped.size() == 3);
    CHECK(grouped[0].members == std::vector<std::uint32_t>{0, 2});
    CHECK(grouped[1].members == std::vector<std::uint32_t>{1});
    CHECK(grouped[2].members == std::vector<std::uint32_t>{3, 4});
    CHECK(grouped[2].entry.find("\"ExplicitHashKey\":\"42\"") != std::string::npos);
  }
  SECTION("aggregation_max_records") {
    auto counted = aggregate_records(batch, nullptr, 1 << 20, 1);
    CHECK(counted.size() == 200);
  }
}

TEST_CASE("user records take their carrier's outcome; a misplaced carrier's others are retried",
          "[kinesis][aggregation]") {
  const ShardMap map = four_shards();
  Batch batch;
  for (int i = 0; i < 40; ++i)
    batch.push_back(user_record("k" + std::to_string(i), "x"));
  auto carriers = aggregate_records(batch, &map, 1 << 20, 100000);
  std::vector<Outcome> outcomes(carriers.size());
  for (std::size_t c = 0; c < carriers.size(); ++c) {
    // The first carrier lands elsewhere than predicted, as after a split.
    outcomes[c].set_delivered(c == 0 ? "shardId-000000000009" : map[carriers[c].shard].shard_id,
                              "seq-" + std::to_string(c));
  }
  CHECK(any_misplaced(carriers, outcomes, &map));
  auto users = user_outcomes(carriers, outcomes, batch, &map, nullptr);
  for (std::size_t c = 0; c < carriers.size(); ++c) {
    for (std::size_t k = 0; k < carriers[c].members.size(); ++k) {
      const Outcome& u = users[carriers[c].members[k]];
      if (c == 0 && k > 0) {
        CHECK(u.kind == Outcome::Kind::retry);
        CHECK(u.error == errc::resharded);
        CHECK(u.maybe_sent);
      } else {
        CHECK(u.kind == Outcome::Kind::delivered);
        CHECK(u.sequence_number == "seq-" + std::to_string(c));
        CHECK(u.sub_sequence_number == static_cast<std::int64_t>(k));
      }
    }
  }

  SECTION("with the fresh map, the members the shard it landed on covers are delivered") {
    // shardId-000000000009 took the lower half of the first carrier's shard.
    const ShardRange& predicted = map[carriers[0].shard];
    const HashKey middle = predicted.start + (predicted.end - predicted.start) / 2;
    std::vector<ShardRange> after;
    for (std::size_t s = 0; s < map.size(); ++s) {
      if (s != carriers[0].shard) after.push_back(map[s]);
    }
    after.push_back({predicted.start, middle, "shardId-000000000009"});
    after.push_back({middle + 1, predicted.end, "shardId-000000000010"});
    const ShardMap fresh(after);
    auto resolved = user_outcomes(carriers, outcomes, batch, &map, &fresh);
    int kept = 0, resent = 0;
    for (std::size_t k = 0; k < carriers[0].members.size(); ++k) {
      const std::uint32_t m = carriers[0].members[k];
      const bool covered = record_hash_key(*batch[m]) <= middle;
      const Outcome& u = resolved[m];
      if (k == 0 || covered) {
        CHECK(u.kind == Outcome::Kind::delivered);
        CHECK(u.sub_sequence_number == static_cast<std::int64_t>(k));
        ++kept;
      } else {
        CHECK(u.kind == Outcome::Kind::retry);
        ++resent;
      }
    }
    CHECK(kept > 1);
    CHECK(resent > 0);
  }
  SECTION("carriers where predicted: nothing misplaced") {
    outcomes[0].shard_id = map[carriers[0].shard].shard_id;
    CHECK_FALSE(any_misplaced(carriers, outcomes, &map));
  }
}
