// Kinesis under an IAM policy that allows kinesis:PutRecord only (the policy many guides give):
// a PutRecords denial switches the destination to one PutRecord per event, once, with one
// warning, without losing or re-counting an attempt; `api: put_record` chooses it from the start.
#include <atomic>
#include <map>
#include <mutex>
#include <vector>

#include "eventdest/kinesis.hpp"
#include "eventdest/log.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "kinesis/put_record.hpp"
#include "support/captured_warnings.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

std::unique_ptr<Destination> kinesis_at(FakeKinesis& sink, const std::string& extra = "") {
  return make_destination(
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":")" +
      sink.url() +
      R"(","linger_ms":2,"retry_backoff_ms":2,"retry_backoff_max_ms":20,"max_in_flight_requests":4)" +
      extra + R"(},"credentials":{"key":"AKIDEXAMPLE","secret":"secret"}})");
}

void publish_n(Destination& d, ReportCollector& reports, int n) {
  for (int i = 0; i < n; ++i) {
    Event e("orders", R"({"i":)" + std::to_string(i) + "}");
    e.set_id("e" + std::to_string(i));
    d.publish(std::move(e), reports.callback());
  }
}

}  // namespace

TEST_CASE("PutRecords denied for kinesis:PutRecords: every event sent with PutRecord, once",
          "[kinesis][put_record]") {
  FakeKinesis sink;
  sink.deny_action("PutRecords");
  CapturedWarnings warnings;
  ReportCollector reports;
  auto d = kinesis_at(sink);
  publish_n(*d, reports, 300);
  d->close();
  REQUIRE(reports.total() == 300);
  std::map<std::string, int> stored;
  for (const auto& e : sink.stored())
    ++stored[e.event_id];
  for (int i = 0; i < 300; ++i) {
    const std::string id = "e" + std::to_string(i);
    INFO(id);
    REQUIRE(reports.by_id[id].size() == 1);
    const auto& r = reports.by_id[id][0];
    CHECK(r.delivered());
    CHECK_FALSE(r.shard_id.empty());
    CHECK_FALSE(r.sequence_number.empty());
    CHECK(r.attempts == 1);  // the denied PutRecords is not a failed attempt
    CHECK(stored[id] == 1);
  }
  const auto per_action = sink.requests_per_action();
  // Only the batches already in flight when the first denial came back went out as PutRecords.
  CHECK(per_action.at("PutRecords") <= 4);
  CHECK(per_action.at("PutRecord") == 300);
  const auto lines = warnings.get();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("kinesis:PutRecords") != std::string::npos);
}

TEST_CASE("api put_record never sends PutRecords; per-record errors map as in batches",
          "[kinesis][put_record]") {
  FakeKinesis sink;
  std::atomic<int> throttled{0};
  sink.script_records([&](const KinesisEntry& e, int attempt) -> std::string {
    // Every fifth event is throttled once, then accepted.
    if (attempt == 1 && std::stoi(e.event_id.substr(1)) % 5 == 0) {
      ++throttled;
      return "ProvisionedThroughputExceededException";
    }
    return "";
  });
  CapturedWarnings warnings;
  ReportCollector reports;
  auto d = kinesis_at(sink, R"(,"api":"put_record")");
  publish_n(*d, reports, 100);
  d->close();
  REQUIRE(reports.total() == 100);
  for (int i = 0; i < 100; ++i) {
    const auto& r = reports.by_id["e" + std::to_string(i)].at(0);
    CHECK(r.delivered());
    CHECK(r.attempts == (i % 5 == 0 ? 2 : 1));
  }
  CHECK(throttled == 20);
  CHECK(sink.requests_per_action().count("PutRecords") == 0);
  CHECK(warnings.get().empty());
}

TEST_CASE("PutRecord denied too: every event fails once with access_denied",
          "[kinesis][put_record]") {
  FakeKinesis sink;
  sink.deny_action("PutRecords");
  sink.deny_action("PutRecord");
  ReportCollector reports;
  auto d = kinesis_at(sink);
  publish_n(*d, reports, 40);
  d->close();
  REQUIRE(reports.total() == 40);
  for (const auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].error == make_error_code(errc::access_denied));
    CHECK(rs[0].provider_code == "AccessDeniedException");
    CHECK(rs[0].message.find("kinesis:PutRecord ") != std::string::npos);
  }
  CHECK(sink.stored().empty());
}

TEST_CASE("only a denial naming kinesis:PutRecords switches to PutRecord",
          "[kinesis][put_record]") {
  using detail::denies_put_records;
  CHECK(denies_put_records("AccessDeniedException",
                           "User: arn:aws:iam::1:user/x is not authorized to perform: "
                           "kinesis:PutRecords on resource: arn:aws:kinesis:us-east-1:1:stream/s"));
  CHECK(denies_put_records("com.amazonaws.kinesis.v20131202#AccessDeniedException",
                           "not authorized to perform: kinesis:PutRecords"));
  CHECK_FALSE(denies_put_records("AccessDeniedException",
                                 "not authorized to perform: kinesis:PutRecord on resource: x"));
  CHECK_FALSE(denies_put_records("KMSAccessDeniedException",
                                 "not authorized to perform: kinesis:PutRecords"));
  CHECK_FALSE(denies_put_records("AccessDeniedException",
                                 "not authorized to perform: kms:GenerateDataKey on resource: k"));
  CHECK_FALSE(denies_put_records("AccessDeniedException",
                                 "not authorized to perform: kinesis:PutRecordsX"));

  // A denial of something else stays a permanent access_denied failure of the batch.
  FakeKinesis sink;
  sink.script_requests([](std::size_t, const ServerRequest&) -> std::optional<Action> {
    return Action::respond(
        400, {{"Content-Type", "application/x-amz-json-1.1"}},
        R"({"__type":"AccessDeniedException","message":"not authorized to perform: kms:GenerateDataKey"})");
  });
  ReportCollector reports;
  auto d = kinesis_at(sink);
  publish_n(*d, reports, 10);
  d->close();
  for (const auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].error == make_error_code(errc::access_denied));
  }
  CHECK(sink.requests_per_action().count("PutRecord") == 0);
}

TEST_CASE("PutRecord answers: ids when well formed, a retried possible duplicate otherwise",
          "[kinesis][put_record]") {
  auto ok = detail::parse_put_record_response(
      R"({"ShardId":"shardId-000000000003","SequenceNumber":"4959","EncryptionType":"NONE"})");
  CHECK(ok.kind == detail::Outcome::Kind::delivered);
  CHECK(ok.shard_id == "shardId-000000000003");
  CHECK(ok.sequence_number == "4959");
  for (const char* body :
       {"", "{}", "[]", R"({"ShardId":"s"})", R"({"ShardId":1,"SequenceNumber":"2"})",
        R"({"ShardId":"","SequenceNumber":"2"})", "{\"ShardId\":"}) {
    INFO(body);
    auto o = detail::parse_put_record_response(body);
    CHECK(o.kind == detail::Outcome::Kind::retry);
    CHECK(o.maybe_sent);
  }
  CHECK(detail::put_record_body(R"("StreamName":"s")", R"({"Data":"eA==","PartitionKey":"k"})") ==
        R"({"StreamName":"s","Data":"eA==","PartitionKey":"k"})");
}

TEST_CASE("config api: put_records or put_record", "[kinesis][put_record][spec]") {
  const std::string base =
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","api":)";
  CHECK(KinesisConfig::from_spec(parse_spec(base + R"("put_record"}})")).api ==
        KinesisApi::put_record);
  CHECK(KinesisConfig::from_spec(parse_spec(base + R"("put_records"}})")).api ==
        KinesisApi::put_records);
  try {
    parse_spec(base + R"("PutRecord","max_batch_records":0}})");
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.find("config.api: must be one of put_records, put_record") != std::string::npos);
    CHECK(what.find("config.max_batch_records") != std::string::npos);  // every problem at once
  }
}
