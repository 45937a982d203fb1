// Aggregation through the C++ API against kinesis-local's real shards: reports name the shard,
// sequence and sub-sequence numbers where each event is.
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
  CHECK(kinesis_records * 10 <= static_cast<std::size_t>(n));  // many events per record
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
