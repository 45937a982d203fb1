// The aws_kinesis destination against a Kinesis-compatible sink of the tests' own that returns
// throttling, 500s, partial PutRecords failures and resets. Invariants: every event gets exactly
// one report, none is lost, and the successful records of a partial batch are not re-sent.
#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "eventdest/kinesis.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"
#include "support/subprocess.hpp"

using namespace eventdest;
using namespace eventdest::test;
using namespace std::chrono_literals;

namespace {

using Reports = ReportCollector;

std::unique_ptr<Destination> kinesis_at(FakeKinesis& sink, const std::string& extra = "") {
  return make_destination(
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1",)"
      R"("endpoint":")" +
      sink.url() +
      R"(","linger_ms":2,"retry_backoff_ms":2,)"
      R"("retry_backoff_max_ms":20,"delivery_timeout_ms":20000)" +
      extra +
      R"(},)"
      R"("credentials":{"key":"AKIDEXAMPLE","secret":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY","session":"SESSIONTOKEN"}})");
}

void publish_n(Destination& d, Reports& reports, int n, const std::string& prefix = "e") {
  for (int i = 0; i < n; ++i) {
    Event e("orders", R"({"customer_id":"c)" + std::to_string(i % 7) + R"("})");
    e.set_id(prefix + std::to_string(i));
    d.publish(std::move(e), reports.callback());
  }
}

// Exactly one report per event, every event delivered and stored exactly once.
void check_all_delivered_once(Reports& reports, FakeKinesis& sink, int n,
                              const std::string& prefix = "e") {
  std::map<std::string, int> stored;
  for (const auto& e : sink.stored())
    ++stored[e.event_id];
  for (int i = 0; i < n; ++i) {
    const std::string id = prefix + std::to_string(i);
    INFO(id);
    REQUIRE(reports.by_id[id].size() == 1);
    CHECK(reports.by_id[id][0].delivered());
    CHECK_FALSE(reports.by_id[id][0].shard_id.empty());
    CHECK_FALSE(reports.by_id[id][0].sequence_number.empty());
    CHECK(stored[id] == 1);
  }
  CHECK(reports.total() == static_cast<std::size_t>(n));
}

}  // namespace

TEST_CASE("partial PutRecords failures retry only the failed records", "[kinesis][retry]") {
  FakeKinesis sink;
  sink.script_records([](const KinesisEntry& e, int attempt) -> std::string {
    const int n = std::stoi(e.event_id.substr(1));
    if (attempt == 1 && n % 3 == 0) return "ProvisionedThroughputExceededException";
    if (attempt <= 2 && n % 5 == 0) return "InternalFailure";
    return "";
  });
  Reports reports;
  auto d = kinesis_at(sink);
  publish_n(*d, reports, 300);
  d->close();
  check_all_delivered_once(reports, sink, 300);
  auto attempts = sink.attempts();
  for (int i = 0; i < 300; ++i) {
    const int expected = i % 5 == 0 ? 3 : (i % 3 == 0 ? 2 : 1);
    INFO("e" << i);
    CHECK(attempts["e" + std::to_string(i)] == expected);  // successes were not re-sent
    CHECK(reports.by_id["e" + std::to_string(i)][0].attempts == expected);
  }
}

TEST_CASE("throttling and 5xx responses are retried with backoff", "[kinesis][retry]") {
  FakeKinesis sink;
  sink.script_requests([](std::size_t n, const ServerRequest&) -> std::optional<Action> {
    const Headers json = {{"Content-Type", "application/x-amz-json-1.1"}};
    if (n == 1)
      return Action::respond(400, json,
                             R"({"__type":"ThrottlingException","message":"Rate exceeded"})");
    if (n == 2) return Action::respond(500, json, R"({"__type":"InternalFailure"})");
    if (n == 3) return Action::respond(503, {{"x-amzn-ErrorType", "ServiceUnavailable:"}}, "");
    return std::nullopt;
  });
  Reports reports;
  auto d = kinesis_at(sink, R"(,"max_in_flight_requests":1)");
  publish_n(*d, reports, 50);
  d->close();
  check_all_delivered_once(reports, sink, 50);
  CHECK(sink.requests().size() >= 4);
}

TEST_CASE("a reset after the request was read is retried and flagged as a possible duplicate",
          "[kinesis][retry]") {
  FakeKinesis sink;
  sink.script_requests([](std::size_t n, const ServerRequest&) -> std::optional<Action> {
    if (n == 1) return Action::reset();
    return std::nullopt;
  });
  Reports reports;
  auto d = kinesis_at(sink, R"(,"max_in_flight_requests":1,"linger_ms":50)");
  publish_n(*d, reports, 20);
  d->close();
  check_all_delivered_once(reports, sink, 20);  // the reset request stored nothing
  for (auto& [id, rs] : reports.by_id) {
    CHECK(rs[0].attempts == 2);
    CHECK(rs[0].possible_duplicate);
  }
}

TEST_CASE("permanent errors fail at once", "[kinesis][retry]") {
  FakeKinesis sink;
  sink.script_requests([](std::size_t, const ServerRequest&) -> std::optional<Action> {
    return Action::respond(
        400, {{"Content-Type", "application/x-amz-json-1.1"}},
        R"({"__type":"ResourceNotFoundException","message":"Stream s under account 000000000000 not found."})");
  });
  Reports reports;
  auto d = kinesis_at(sink);
  publish_n(*d, reports, 10);
  d->close();
  REQUIRE(reports.total() == 10);
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].error == make_error_code(errc::not_found));
    CHECK_FALSE(rs[0].retryable);
    CHECK(rs[0].attempts == 1);
    CHECK(rs[0].http_status == 400);
    CHECK(rs[0].provider_code == "ResourceNotFoundException");
    CHECK(rs[0].message.find("not found") != std::string::npos);
  }
}

TEST_CASE("bodiless 401/403/404/413 map like the REST destination's and fail at once",
          "[kinesis][retry]") {
  // What a proxy or load balancer in front of Kinesis answers: a status, no __type, no body.
  struct Case {
    int status;
    errc error;
  };
  for (auto c : {Case{401, errc::auth_failed}, Case{403, errc::access_denied},
                 Case{404, errc::not_found}, Case{413, errc::record_too_large}}) {
    INFO(c.status);
    FakeKinesis sink;
    sink.script_requests([&](std::size_t, const ServerRequest&) -> std::optional<Action> {
      return Action::respond(c.status, {}, "");
    });
    Reports reports;
    auto d = kinesis_at(sink);
    publish_n(*d, reports, 3);
    d->close();
    REQUIRE(reports.total() == 3);
    for (auto& [id, rs] : reports.by_id) {
      REQUIRE(rs.size() == 1);
      CHECK(rs[0].error == make_error_code(c.error));
      CHECK_FALSE(rs[0].retryable);
      CHECK(rs[0].attempts == 1);
      CHECK(rs[0].http_status == c.status);
    }
  }
}

TEST_CASE("delivery_timeout_ms bounds a request the server holds", "[kinesis][retry]") {
  FakeKinesis sink;
  sink.script_requests(
      [](std::size_t, const ServerRequest&) -> std::optional<Action> { return Action::stall(); });
  // request_timeout_ms stays at its 30 s default: only the deadline can end the request.
  auto d = make_destination(
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":")" +
      sink.url() +
      R"(","linger_ms":2,"delivery_timeout_ms":1000},)"
      R"("credentials":{"key":"AKIDEXAMPLE","secret":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}})");
  const auto start = std::chrono::steady_clock::now();
  auto report = d->publish(Event("orders", "{}"));
  REQUIRE(report.wait_for(10s) == std::future_status::ready);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= 900ms);
  CHECK(elapsed < 3s);
  const auto r = report.get();
  CHECK(r.error == make_error_code(errc::timeout));
  CHECK(r.possible_duplicate);  // the server read the request: it may have written it
  CHECK(r.message.find("delivery_timeout_ms (1000 ms)") != std::string::npos);
  d->close();
}

TEST_CASE("expired static credentials fail with expired_credentials", "[kinesis][retry]") {
  FakeKinesis sink;
  sink.script_requests([](std::size_t, const ServerRequest&) -> std::optional<Action> {
    return Action::respond(
        400, {},
        R"({"__type":"ExpiredTokenException","message":"The security token included in the request is expired"})");
  });
  Reports reports;
  auto d = kinesis_at(sink);
  publish_n(*d, reports, 3);
  d->close();
  for (auto& [id, rs] : reports.by_id)
    CHECK(rs[0].error == make_error_code(errc::expired_credentials));
}

TEST_CASE("oversized records and bad keys fail alone; the rest are delivered", "[kinesis]") {
  FakeKinesis sink;
  Reports reports;
  auto d = kinesis_at(sink, R"(,"max_record_bytes":2000,"partition_key_template":"data.key")");
  Event big("orders", R"({"key":"k","blob":")" + std::string(3000, 'x') + R"("})");
  big.set_id("big");
  Event long_key("orders", R"({"key":")" + std::string(257, 'k') + R"("})");
  long_key.set_id("long-key");
  Event ok_256("orders", R"({"key":")" + std::string(256, 'k') + R"("})");
  ok_256.set_id("key-256");
  Event ok("orders", R"({"key":"fine"})");
  ok.set_id("ok");
  for (auto* e : {&big, &long_key, &ok_256, &ok})
    d->publish(*e, reports.callback());
  d->close();
  CHECK(reports.by_id["big"][0].error == make_error_code(errc::record_too_large));
  CHECK(reports.by_id["long-key"][0].error == make_error_code(errc::invalid_partition_key));
  CHECK(reports.by_id["long-key"][0].message.find("257") != std::string::npos);
  CHECK(reports.by_id["key-256"][0].delivered());
  CHECK(reports.by_id["ok"][0].delivered());
  CHECK(sink.stored().size() == 2);
}

// Events published while the endpoint refuses connections are held unencoded (the pipeline is
// paused) and encoded by the batching thread when they are finally sent: same records, same
// checks, same reports as events encoded at publish().
// A Kinesis destination at `url` (an endpoint that refuses connections) with quick retries and
// the config fields `extra`.
std::unique_ptr<Destination> unreachable_kinesis(const std::string& url, const std::string& extra) {
  return make_destination(
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":")" +
      url + R"(","linger_ms":2,"retry_backoff_ms":20,"retry_backoff_max_ms":50,)" + extra +
      R"(},"credentials":{"key":"AKIDEXAMPLE","secret":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}})");
}

// Publishes the event "first" and waits until its request was refused and retried: the pipeline
// is paused from then on.
void publish_until_paused(Destination& d, Reports& reports) {
  Event first("orders", R"({"key":"k-first"})");
  first.set_id("first");
  d.publish(first, reports.callback());
  for (int i = 0; i < 500 && d.metrics().retried == 0; ++i)
    std::this_thread::sleep_for(10ms);
  REQUIRE(d.metrics().retried >= 1);
}

TEST_CASE("events held while the endpoint is unreachable are encoded when it comes back",
          "[kinesis][unreachable]") {
  RefusingPort refusing;
  const int port = refusing.port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  Reports reports;
  auto d = unreachable_kinesis(
      url,
      R"("delivery_timeout_ms":20000,"max_record_bytes":2000,"partition_key_template":"data.key")");
  publish_until_paused(*d, reports);
  for (int i = 0; i < 50; ++i) {
    Event e("orders",
            R"({"key":"k)" + std::to_string(i % 5) + R"(","n":)" + std::to_string(i) + "}");
    e.set_id("held-" + std::to_string(i));
    e.metadata()["source"] = "held";
    d->publish(std::move(e), reports.callback());
  }
  Event big("orders", R"({"key":"k-big","blob":")" + std::string(3000, 'x') + R"("})");
  big.set_id("big");
  d->publish(big, reports.callback());
  Event long_key("orders", R"({"key":")" + std::string(257, 'k') + R"("})");
  long_key.set_id("long-key");
  d->publish(long_key, reports.callback());
  CHECK(reports.total() == 0);  // nothing is checked at publish() while paused

  refusing.release();
  FakeKinesis sink(static_cast<std::uint16_t>(port));
  REQUIRE(d->flush(20s));
  d->close();
  CHECK(reports.total() == 53);
  std::map<std::string, KinesisEntry> stored;
  for (const auto& e : sink.stored())
    stored[e.event_id] = e;
  CHECK(stored.size() == 51);
  for (int i = 0; i < 50; ++i) {
    const std::string id = "held-" + std::to_string(i);
    INFO(id);
    REQUIRE(reports.by_id[id].size() == 1);
    const DeliveryReport& r = reports.by_id[id][0];
    CHECK(r.delivered());
    CHECK(r.partition_key == "k" + std::to_string(i % 5));
    CHECK(stored[id].partition_key == r.partition_key);
    // The payload as publish() would have written it: data and metadata.
    CHECK(stored[id].data.find(R"("n":)" + std::to_string(i) + "}") != std::string::npos);
    CHECK(stored[id].data.find(R"("source":"held")") != std::string::npos);
  }
  CHECK(reports.by_id["first"][0].delivered());
  CHECK(reports.by_id["first"][0].attempts >= 2);
  CHECK(reports.by_id["big"][0].error == make_error_code(errc::record_too_large));
  CHECK(reports.by_id["big"][0].partition_key == "k-big");
  CHECK(reports.by_id["long-key"][0].error == make_error_code(errc::invalid_partition_key));
  CHECK(d->metrics().buffered_bytes == 0);
}

TEST_CASE("events held while the endpoint is unreachable time out with their partition keys",
          "[kinesis][unreachable]") {
  const RefusingPort refusing;
  const std::string url = "http://127.0.0.1:" + std::to_string(refusing.port());
  Reports reports;
  auto d =
      unreachable_kinesis(url, R"("delivery_timeout_ms":600,"partition_key_template":"data.key")");
  publish_until_paused(*d, reports);
  for (int i = 0; i < 20; ++i) {
    Event e("orders", R"({"key":"k)" + std::to_string(i) + R"("})");
    e.set_id("held-" + std::to_string(i));
    d->publish(std::move(e), reports.callback());
  }
  REQUIRE(d->flush(10s));
  CHECK(reports.total() == 21);
  for (int i = 0; i < 20; ++i) {
    const std::string id = "held-" + std::to_string(i);
    INFO(id);
    REQUIRE(reports.by_id[id].size() == 1);
    const DeliveryReport& r = reports.by_id[id][0];
    CHECK(r.error == make_error_code(errc::timeout));
    CHECK(r.partition_key == "k" + std::to_string(i));
  }
  CHECK(d->metrics().buffered_bytes == 0);
}

TEST_CASE("close() right after publishing to an unreachable endpoint reports each event's timeout",
          "[kinesis][unreachable]") {
  // close() waits at most delivery_timeout_ms: each held event's deadline falls inside that wait,
  // so its report is the timeout (naming the connection error), not `closed`.
  const RefusingPort refusing;
  Reports reports;
  auto d = unreachable_kinesis("http://127.0.0.1:" + std::to_string(refusing.port()),
                               R"("delivery_timeout_ms":1000)");
  publish_until_paused(*d, reports);  // later events are held
  for (int i = 0; i < 50; ++i)
    d->publish(Event("orders", R"({"n":1})"), reports.callback());
  d->close();
  REQUIRE(reports.total() == 51);
  for (const auto& [id, list] : reports.by_id) {
    INFO(id << ": " << list.at(0).message);
    REQUIRE(list.size() == 1);
    CHECK(list[0].error == make_error_code(errc::timeout));
  }
}

TEST_CASE("requests are signed for kinesis with the session token", "[kinesis]") {
  FakeKinesis sink;
  Reports reports;
  auto d = kinesis_at(sink);
  publish_n(*d, reports, 1);
  d->close();
  const auto requests = sink.requests();
  REQUIRE(requests.size() == 1);
  const auto& r = requests[0];
  CHECK(r.header("x-amz-target") == "Kinesis_20131202.PutRecords");
  CHECK(r.header("content-type") == "application/x-amz-json-1.1");
  CHECK(r.header("x-amz-security-token") == "SESSIONTOKEN");
  const auto auth = r.header("authorization");
  CHECK(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0) == 0);
  CHECK(auth.find("/us-east-1/kinesis/aws4_request") != std::string::npos);
  CHECK(auth.find("SignedHeaders=") != std::string::npos);
  CHECK(auth.find("x-amz-security-token") != std::string::npos);
  CHECK(auth.find("wJalrXUtnFEMI") == std::string::npos);
  CHECK_FALSE(r.header("x-amz-date").empty());
}

TEST_CASE("events for other topics are not published", "[kinesis]") {
  FakeKinesis sink;
  Reports reports;
  auto d = make_destination(
      R"({"type":"aws_kinesis","topics":["orders"],"config":{"stream_name":"s","region":"us-east-1",)"
      R"("endpoint":")" +
      sink.url() + R"("},"credentials":{"key":"a","secret":"b"}})");
  Event e("users", "{}");
  e.set_id("u1");
  d->publish(e, reports.callback());
  d->close();
  REQUIRE(reports.by_id["u1"].size() == 1);
  CHECK(reports.by_id["u1"][0].status == DeliveryStatus::not_matched);
  CHECK(sink.requests().empty());
}

TEST_CASE("publish after close reports closed", "[kinesis]") {
  FakeKinesis sink;
  Reports reports;
  auto d = kinesis_at(sink);
  d->close();
  Event e("orders", "{}");
  e.set_id("late");
  d->publish(e, reports.callback());
  CHECK(reports.by_id["late"][0].error == make_error_code(errc::closed));
}
