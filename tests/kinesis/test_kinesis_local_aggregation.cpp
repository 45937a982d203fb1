// Aggregation and shard pacing through the C++ API against kinesis-local's real shards: reports
// name the shard, sequence and sub-sequence numbers where each event is; with shard_rate_limit a
// hot shard is held to Kinesis' rate while a cold one is not held back.
#include <algorithm>
#include <chrono>
#include <map>

#include "eventdest/kinesis.hpp"
#include "kinesis/aggregated_record.hpp"
#include "kinesis/hash_key.hpp"
#include "kinesis/kinesis_local.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

std::unique_ptr<Destination> local_destination(const std::string& stream,
                                               const std::string& extra) {
  return make_destination(
      R"({"type":"aws_kinesis","config":{"stream_name":")" + stream +
      R"(","region":"us-east-1","endpoint":")" + KinesisLocal::instance().plain_url() +
      R"(","metadata_in_payload":false,"partition_key_template":"data.k","linger_ms":10)" + extra +
      R"(},"credentials":{"key":"AKIDLOCAL","secret":"local-secret"}})");
}

// A partition key that kinesis-local's stream of two even shards puts on shard `half` (0 or 1).
std::string key_on_half(int half, int n) {
  for (int i = 0;; ++i) {
    std::string key = "k" + std::to_string(n) + "-" + std::to_string(i);
    const bool high = detail::hash_key_of_partition_key(key) >> 127;
    if (static_cast<int>(high) == half) return key;
  }
}

}  // namespace

TEST_CASE("kinesis-local: aggregated events are where their reports say",
          "[kinesis][aggregation]") {
  auto& local = KinesisLocal::instance();
  auto d = local_destination("aggregated", R"(,"aggregation":true)");
  ReportCollector reports;
  const int n = 1000;
  for (int i = 0; i < n; ++i) {
    Event e("orders",
            R"({"k":"key)" + std::to_string(i % 50) + R"(","i":)" + std::to_string(i) + "}");
    e.set_id("e" + std::to_string(i));
    d->publish(std::move(e), reports.callback());
  }
  d->close();
  REQUIRE(reports.total() == static_cast<std::size_t>(n));
  // (shard, sequence number) -> the user records of that Kinesis record.
  std::map<std::pair<std::string, std::string>, std::vector<detail::UserRecord>> stored;
  std::size_t kinesis_records = 0;
  for (auto& r : local.read_all("aggregated")) {
    auto users = detail::read_aggregated_record(r.data);
    REQUIRE(users);
    stored[{r.shard_id, r.sequence_number}] = std::move(*users);
    ++kinesis_records;
  }
  CHECK(kinesis_records <= 8);  // 1,000 events, 4 shards
  for (int i = 0; i < n; ++i) {
    const auto& r = reports.by_id["e" + std::to_string(i)][0];
    INFO(r.to_json());
    REQUIRE(r.delivered());
    REQUIRE(r.sub_sequence_number >= 0);
    const auto& users = stored[{r.shard_id, r.sequence_number}];
    REQUIRE(static_cast<std::size_t>(r.sub_sequence_number) < users.size());
    const auto& u = users[static_cast<std::size_t>(r.sub_sequence_number)];
    CHECK(u.partition_key == "key" + std::to_string(i % 50));
    CHECK(u.data ==
          R"({"k":"key)" + std::to_string(i % 50) + R"(","i":)" + std::to_string(i) + "}");
  }
}

TEST_CASE("kinesis-local: shard_rate_limit holds a hot shard to 1,000 records/s, not the other",
          "[kinesis][aggregation]") {
  auto d = local_destination("paced", R"(,"shard_rate_limit":true)");
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
  std::chrono::microseconds hot_max{0}, cold_max{0};
  for (const auto& [id, list] : reports.by_id) {
    REQUIRE(list.size() == 1);
    const auto& r = list[0];
    INFO(r.to_json());
    CHECK(r.delivered());
    CHECK(r.attempts == 1);  // waiting for the shard's rate is not an attempt
    auto& max = id[0] == 'h' ? hot_max : cold_max;
    max = std::max(max, r.latency);
  }
  // A second's worth at once, then 1,000 a second: 2,500 records need at least 1.5 s (a lower
  // bound: a slow machine only makes it longer).
  CHECK(elapsed >= 1.4);
  CHECK(hot_max >= std::chrono::milliseconds(1400));
  // The cold shard's records are not queued behind the hot shard's.
  CHECK(cold_max < hot_max / 2);
  CHECK(d->metrics().retried == 0);
}
