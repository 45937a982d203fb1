// Aggregation against the scriptable Kinesis sink (kinesis-local has no IAM and never throttles):
// ListShards denied, PutRecord only, a throttled carrier, and explicit hash keys.
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <vector>

#include "eventdest/kinesis.hpp"
#include "eventdest/log.hpp"
#include "kinesis/aggregated_record.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "kinesis/hash_key.hpp"
#include "support/captured_warnings.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

std::unique_ptr<Destination> aggregating(FakeKinesis& sink, const std::string& extra = "") {
  return make_destination(
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":")" +
      sink.url() +
      R"(","aggregation":true,"metadata_in_payload":false,"partition_key_template":"data.k",)"
      R"("linger_ms":20,"retry_backoff_ms":2,"retry_backoff_max_ms":20)" +
      extra + R"(},"credentials":{"key":"AKIDEXAMPLE","secret":"secret"}})");
}

void publish_n(Destination& d, ReportCollector& reports, int n, int keys) {
  for (int i = 0; i < n; ++i) {
    Event e("orders",
            R"({"k":"key)" + std::to_string(i % keys) + R"(","i":)" + std::to_string(i) + "}");
    e.set_id("e" + std::to_string(i));
    d.publish(std::move(e), reports.callback());
  }
}

// The user records the sink stored, unpacked ("i" of each data -> times seen).
std::map<std::string, int> unpacked(FakeKinesis& sink, int* aggregated_records = nullptr) {
  std::map<std::string, int> out;
  for (const auto& entry : sink.stored()) {
    auto users = detail::read_aggregated_record(entry.data);
    if (!users) {
      ++out[entry.data];
      continue;
    }
    if (aggregated_records) ++*aggregated_records;
    for (const auto& u : *users) {
      CHECK(entry.partition_key == u.partition_key);  // grouped by key: the carrier's key
      ++out[u.data];
    }
  }
  return out;
}

void expect_all_delivered_once(ReportCollector& reports, FakeKinesis& sink, int n, int keys) {
  REQUIRE(reports.total() == static_cast<std::size_t>(n));
  const auto stored = unpacked(sink);
  for (int i = 0; i < n; ++i) {
    const std::string id = "e" + std::to_string(i);
    INFO(id);
    REQUIRE(reports.by_id[id].size() == 1);
    const auto& r = reports.by_id[id][0];
    CHECK(r.delivered());
    CHECK(r.partition_key == "key" + std::to_string(i % keys));
    const std::string data =
        R"({"k":"key)" + std::to_string(i % keys) + R"(","i":)" + std::to_string(i) + "}";
    CHECK(stored.count(data) == 1);
    if (stored.count(data)) CHECK(stored.at(data) == 1);
  }
}

}  // namespace

TEST_CASE("ListShards denied: records are aggregated by partition key, with one warning",
          "[kinesis][aggregation]") {
  FakeKinesis sink;
  sink.deny_action("ListShards");
  CapturedWarnings warnings;
  ReportCollector reports;
  auto d = aggregating(sink);
  publish_n(*d, reports, 500, 3);
  d->close();
  expect_all_delivered_once(reports, sink, 500, 3);
  int aggregated = 0;
  unpacked(sink, &aggregated);
  CHECK(aggregated >= 3);
  CHECK(sink.stored().size() <= 30);  // 3 keys: a few carriers per batch, not 500 records
  for (int i = 0; i < 500; ++i) {
    CHECK(reports.by_id["e" + std::to_string(i)][0].sub_sequence_number >= 0);
  }
  const auto per_action = sink.requests_per_action();
  CHECK(per_action.at("ListShards") == 1);  // denied: never asked again
  const auto lines = warnings.get();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("kinesis:ListShards") != std::string::npos);
}

TEST_CASE("aggregation with api put_record: each carrier is one PutRecord request",
          "[kinesis][aggregation]") {
  FakeKinesis sink;
  sink.deny_action("ListShards");
  ReportCollector reports;
  auto d = aggregating(sink, R"(,"api":"put_record")");
  publish_n(*d, reports, 300, 2);
  d->close();
  expect_all_delivered_once(reports, sink, 300, 2);
  const auto per_action = sink.requests_per_action();
  CHECK(per_action.count("PutRecords") == 0);
  CHECK(per_action.at("PutRecord") == static_cast<int>(sink.stored().size()));
  CHECK(per_action.at("PutRecord") < 300);
}

TEST_CASE("a throttled carrier: its user records are retried and delivered once",
          "[kinesis][aggregation]") {
  FakeKinesis sink;
  sink.deny_action("ListShards");
  // The first attempt of every carrier holding key0's records is throttled.
  std::map<std::string, int> seen;
  std::mutex mutex;
  sink.script_records([&](const KinesisEntry& e, int) -> std::string {
    std::lock_guard<std::mutex> lock(mutex);
    if (e.partition_key == "key0" && seen[e.partition_key]++ == 0) {
      return "ProvisionedThroughputExceededException";
    }
    return "";
  });
  ReportCollector reports;
  auto d = aggregating(sink);
  publish_n(*d, reports, 200, 2);
  d->close();
  expect_all_delivered_once(reports, sink, 200, 2);
  int retried = 0;
  for (int i = 0; i < 200; i += 2)
    retried += reports.by_id["e" + std::to_string(i)][0].attempts > 1;
  CHECK(retried > 0);
  CHECK(d->metrics().retried >= static_cast<std::uint64_t>(retried));
}

TEST_CASE("explicit_hash_key_template: the record's ExplicitHashKey, checked",
          "[kinesis][aggregation]") {
  FakeKinesis sink;
  ReportCollector reports;
  auto d = make_destination(
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":")" +
      sink.url() +
      R"(","explicit_hash_key_template":"data.h","linger_ms":2},"credentials":{"key":"AKIDEXAMPLE","secret":"secret"}})");
  const std::vector<std::string> data{
      R"({"h":"340282366920938463463374607431768211455"})",  // 2^128-1
      R"({"h":12345})",                                      // a number is its digits
      R"({"x":1})",                                          // none: the partition key places it
      R"({"h":"340282366920938463463374607431768211456"})",  // 2^128: refused
      R"({"h":"12a"})"};
  for (std::size_t i = 0; i < data.size(); ++i) {
    Event e("orders", data[i]);
    e.set_id("e" + std::to_string(i));
    d->publish(std::move(e), reports.callback());
  }
  d->close();
  REQUIRE(reports.total() == data.size());
  CHECK(reports.by_id["e0"][0].delivered());
  CHECK(reports.by_id["e1"][0].delivered());
  CHECK(reports.by_id["e2"][0].delivered());
  for (const char* id : {"e3", "e4"}) {
    const auto& r = reports.by_id[id][0];
    CHECK(r.status == DeliveryStatus::failed);
    CHECK(r.error == make_error_code(errc::invalid_partition_key));
    CHECK(r.message.find("is not a decimal number from 0 to 2^128-1") != std::string::npos);
    CHECK(r.attempts == 0);
  }
  std::string bodies;
  for (const auto& r : sink.requests())
    bodies += r.body;
  CHECK(bodies.find(R"("ExplicitHashKey":"340282366920938463463374607431768211455")") !=
        std::string::npos);
  CHECK(bodies.find(R"("ExplicitHashKey":"12345")") != std::string::npos);
  std::size_t hash_keys = 0;
  for (auto at = bodies.find("ExplicitHashKey"); at != std::string::npos;
       at = bodies.find("ExplicitHashKey", at + 1))
    ++hash_keys;
  CHECK(hash_keys == 2);  // e2 has none, e3 and e4 were never sent
}

TEST_CASE("aggregation config: every problem at once", "[kinesis][aggregation][spec]") {
  try {
    make_destination(
        R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","aggregation":"maybe",)"
        R"("max_record_bytes":1000,"aggregation_max_bytes":2000,"aggregation_max_records":0,)"
        R"("explicit_hash_key_template":"data.[","shard_rate_limit":[true]}})");
    FAIL("no ConfigError");
  } catch (const ConfigError& e) {
    std::map<std::string, std::string> by_field;
    for (const auto& p : e.problems())
      by_field[p.field] = p.problem;
    CHECK(by_field.count("config.aggregation"));
    CHECK(by_field["config.aggregation_max_bytes"] == "must not be more than max_record_bytes");
    CHECK(by_field.count("config.aggregation_max_records"));
    CHECK(by_field["config.explicit_hash_key_template"].rfind("invalid JMESPath", 0) == 0);
    CHECK(by_field.count("config.shard_rate_limit"));
  }
  KinesisConfig typed;
  typed.stream_name = "s";
  typed.region = "us-east-1";
  typed.aggregation = true;
  typed.max_record_bytes = 4096;  // aggregation_max_bytes 0 follows it
  CHECK(typed.validate().empty());
  typed.aggregation_max_bytes = 8192;
  REQUIRE(typed.validate().size() == 1);
  CHECK(typed.validate()[0].field == "config.aggregation_max_bytes");
}

namespace {

// A partition key that a stream of two even shards puts on shard `half` (0 or 1).
std::string key_on_half(int half, int n) {
  for (int i = 0;; ++i) {
    std::string key = "k" + std::to_string(n) + "-" + std::to_string(i);
    const bool high = detail::hash_key_of_partition_key(key) >> 127;
    if (static_cast<int>(high) == half) return key;
  }
}

// ListShards answered with two even shards.
std::optional<Action> two_shards(std::size_t, const ServerRequest& r) {
  if (r.header("x-amz-target") != "Kinesis_20131202.ListShards") return std::nullopt;
  return Action::respond(
      200, {{"Content-Type", "application/x-amz-json-1.1"}},
      R"({"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0",)"
      R"("EndingHashKey":"170141183460469231731687303715884105727"}},)"
      R"({"ShardId":"shardId-000000000001","HashKeyRange":{"StartingHashKey":)"
      R"("170141183460469231731687303715884105728","EndingHashKey":)"
      R"("340282366920938463463374607431768211455"}}]})");
}

}  // namespace

TEST_CASE("shard_rate_limit holds a hot shard to 1,000 records/s, not the other shard",
          "[kinesis][aggregation]") {
  FakeKinesis sink;
  sink.script_requests(two_shards);
  auto d = make_destination(
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":")" +
      sink.url() +
      R"(","shard_rate_limit":true,"metadata_in_payload":false,"partition_key_template":"data.k",)"
      R"("linger_ms":5},"credentials":{"key":"AKIDEXAMPLE","secret":"secret"}})");
  ReportCollector reports;
  const std::string hot = key_on_half(0, 0);
  const std::string cold = key_on_half(1, 1);
  const int hot_events = 2500;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < hot_events; ++i) {
    Event e("orders", R"({"k":")" + hot + R"(","i":)" + std::to_string(i) + "}");
    e.set_id("h" + std::to_string(i));
    d->publish(std::move(e), reports.callback());
    if (i % 25 == 0) {
      Event c("orders", R"({"k":")" + cold + R"(","i":)" + std::to_string(i) + "}");
      c.set_id("c" + std::to_string(i));
      d->publish(std::move(c), reports.callback());
    }
  }
  d->close();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(reports.total() == static_cast<std::size_t>(hot_events + hot_events / 25));
  std::vector<std::chrono::microseconds> hot_latency, cold_latency;
  for (const auto& [id, list] : reports.by_id) {
    REQUIRE(list.size() == 1);
    const auto& r = list[0];
    INFO(r.to_json());
    CHECK(r.delivered());
    CHECK(r.attempts == 1);  // waiting for the shard's rate is not an attempt
    (id[0] == 'h' ? hot_latency : cold_latency).push_back(r.latency);
  }
  std::sort(hot_latency.begin(), hot_latency.end());
  std::sort(cold_latency.begin(), cold_latency.end());
  const auto hot_median = hot_latency[hot_latency.size() / 2];
  const auto cold_max = cold_latency.back();
  INFO("hot median " << hot_median.count() << " us, max " << hot_latency.back().count()
                     << " us; cold max " << cold_max.count() << " us");
  // A second's worth at once, then 1,000 a second: 2,500 records need at least 1.5 s (a lower
  // bound: a slow machine only makes it longer).
  CHECK(elapsed >= 1.4);
  CHECK(hot_latency.back() >= std::chrono::milliseconds(1400));
  // The cold shard's records are not queued behind the hot shard's.
  CHECK(cold_max < hot_median);
  CHECK(d->metrics().retried == 0);
  CHECK(sink.requests_per_action().at("ListShards") == 1);
}
