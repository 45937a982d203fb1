// Hostile peers and events (issue 17, items 1, 3, 5): response bodies nested 100,000+ levels deep
// with any status, response bodies without end, and an event whose strings are not valid
// Unicode. The process survives, memory stays bounded, every event gets exactly one report, and
// one bad event never fails the others of its batch.
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "event/event_text.hpp"
#include "eventdest/eventdest.hpp"
#include "http/test_server.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

const std::string kDeepKinesis(200000, '[');
const std::string kDeepRest(100000, '[');

// linger_ms and delivery_timeout_ms of the destinations below.
const std::string kQuick = R"("linger_ms":1,"delivery_timeout_ms":400)";

std::unique_ptr<Destination> kinesis_at(const HttpServer& server,
                                        const std::string& timing = kQuick) {
  return make_destination(
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":")" +
      server.url("") + R"(","retry_backoff_ms":5,"retry_backoff_max_ms":20,)" + timing +
      R"(},"credentials":{"key":"AKID","secret":"secret"}})");
}

std::unique_ptr<Destination> rest_at(const HttpServer& server, const std::string& mode,
                                     const std::string& timing = kQuick) {
  return make_destination(R"({"type":"kafka_rest","config":{"bootstrap_servers":")" +
                          server.url("") + R"(","cluster_id":"c1","topic":"orders","mode":")" +
                          mode + R"(","retry_backoff_ms":5,"retry_backoff_max_ms":20,)" + timing +
                          R"(},"credentials":{"api_key":"key","api_secret":"secret"}})");
}

void publish_n(Destination& d, ReportCollector& reports, int n) {
  for (int i = 0; i < n; ++i) {
    Event e("orders", R"({"n":)" + std::to_string(i) + "}");
    e.set_id("e" + std::to_string(i));
    d.publish(std::move(e), reports.callback());
  }
}

// Every one of `n` events has exactly one report, failed.
void check_each_failed_once(ReportCollector& reports, int n) {
  REQUIRE(reports.total() == static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto& rs = reports.by_id["e" + std::to_string(i)];
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == DeliveryStatus::failed);
  }
}

}  // namespace

TEST_CASE("Kinesis: a response nested 200,000 levels deep fails the batch, whatever its status",
          "[reliability][hostile]") {
  for (const int status : {200, 400, 500}) {
    INFO("HTTP " << status);
    HttpServer server([status](const ServerRequest&) {
      return Action::respond(status, {{"Content-Type", "application/x-amz-json-1.1"}},
                             kDeepKinesis);
    });
    ReportCollector reports;
    auto d = kinesis_at(server);
    publish_n(*d, reports, 5);
    REQUIRE(d->flush(std::chrono::seconds(20)));
    d->close();
    check_each_failed_once(reports, 5);
    // Unreadable 200s and 5xx are retried until delivery_timeout_ms; a 400 fails at once.
    const auto& r = reports.by_id["e0"][0];
    CHECK(r.error == (status == 200   ? errc::timeout
                      : status == 500 ? errc::timeout
                                      : errc::invalid_request));
    if (status == 200) CHECK(r.message.find("malformed PutRecords response") != std::string::npos);
  }
}

TEST_CASE("kafka_rest: a response nested 100,000 levels deep fails the batch, whatever its status",
          "[reliability][hostile]") {
  for (const std::string mode : {"stream", "batch"}) {
    for (const int status : {200, 207, 400, 500}) {
      INFO(mode << ", HTTP " << status);
      HttpServer server([status](const ServerRequest&) {
        return Action::respond(status, {{"Content-Type", "application/json"}}, kDeepRest);
      });
      ReportCollector reports;
      auto d = rest_at(server, mode);
      publish_n(*d, reports, 5);
      REQUIRE(d->flush(std::chrono::seconds(20)));
      d->close();
      check_each_failed_once(reports, 5);
    }
  }
}

TEST_CASE("an endless response body is cut at the destination's limit and retried",
          "[reliability][hostile]") {
  // The first two answers stream 64 chunks of 64 KiB, 10 ms apart (4 MiB over 640 ms, never
  // valid JSON), the third is a normal one. Cut at the limit (Kinesis: 1 MiB, 16 chunks; REST:
  // 64 KiB + 4 KiB per record, 2 chunks), both bad answers fit easily within
  // delivery_timeout_ms (1 s); read to their end, as before the limit, they would not.
  const std::vector<std::string> parts(64, std::string(64 << 10, ' '));
  auto endless = [&parts] {
    return Action::chunked(200, {{"Content-Type", "application/json"}}, parts,
                           std::chrono::milliseconds(10));
  };
  const std::string timing = R"("linger_ms":100,"delivery_timeout_ms":1000)";
  for (const bool kinesis : {true, false}) {
    INFO((kinesis ? "aws_kinesis" : "kafka_rest"));
    FakeKinesis sink;
    sink.script_requests([&](std::size_t n, const ServerRequest&) -> std::optional<Action> {
      if (n <= 2) return endless();
      return std::nullopt;
    });
    std::atomic<int> rest_requests{0};
    HttpServer rest([&](const ServerRequest& r) {
      if (++rest_requests <= 2) return endless();
      std::string body;
      int offset = 0;
      for (std::size_t pos = 0; (pos = r.body.find('\n', pos)) != std::string::npos; ++pos) {
        body +=
            R"({"error_code":200,"partition_id":0,"offset":)" + std::to_string(offset++) + "}\r\n";
      }
      return Action::chunked(200, {{"Content-Type", "application/json"}}, {body});
    });
    ReportCollector reports;
    auto d = kinesis ? kinesis_at(sink.server(), timing) : rest_at(rest, "stream", timing);
    publish_n(*d, reports, 3);
    REQUIRE(d->flush(std::chrono::seconds(20)));
    d->close();
    REQUIRE(reports.total() == 3);
    for (int i = 0; i < 3; ++i) {
      const auto& r = reports.by_id["e" + std::to_string(i)].at(0);
      INFO(r.to_json());
      CHECK(r.delivered());
      CHECK(r.attempts == 3);
      CHECK(r.possible_duplicate);  // a malformed answer: the records may have been written
    }
  }
}

TEST_CASE("kafka_rest: an event built in code with invalid Unicode fails alone, not its batch",
          "[reliability][hostile]") {
  // As REST Proxy does: a request body that is not valid UTF-8 is refused whole.
  HttpServer server([](const ServerRequest& r) {
    if (!detail::is_valid_utf8(r.body)) {
      return Action::respond(400, {{"Content-Type", "application/json"}},
                             R"({"error_code":400,"message":"Invalid UTF-8"})");
    }
    std::string body;
    int offset = 0;
    for (std::size_t pos = 0; (pos = r.body.find('\n', pos)) != std::string::npos; ++pos) {
      body += R"({"error_code":200,"cluster_id":"c1","topic_name":"orders","partition_id":0,)"
              R"("offset":)" +
              std::to_string(offset++) + "}\r\n";
    }
    return Action::chunked(200, {{"Content-Type", "application/json"}}, {body});
  });
  ReportCollector reports;
  auto d = rest_at(server, "stream", R"("linger_ms":200,"delivery_timeout_ms":5000)");
  // The partition key (the event id here) and header names are JSON strings in the request;
  // header values are base64.
  const std::string bad_id = "p\xed\xb0\x80";  // "p\udc00" as RapidJSON 1.1 decodes it
  auto id_of = [&](int i) { return i == 3 ? bad_id : "e" + std::to_string(i); };
  for (int i = 0; i < 10; ++i) {
    Event e("orders", R"({"n":)" + std::to_string(i) + "}");
    e.set_id(id_of(i));
    if (i == 6) e.metadata()["k\xed\xb0\x80"] = "v";
    if (i == 8) e.metadata()["source"] = std::string("a\0b", 3);
    d->publish(std::move(e), reports.callback());
  }
  REQUIRE(d->flush(std::chrono::seconds(20)));
  d->close();
  REQUIRE(reports.total() == 10);
  for (int i = 0; i < 10; ++i) {
    INFO("event " << i);
    const auto& r = reports.by_id[id_of(i)][0];
    if (i == 3 || i == 6 || i == 8) {
      CHECK(r.error == errc::invalid_event);
      CHECK(r.message.find(i == 3 ? "id: " : "metadata.") != std::string::npos);
      CHECK(r.attempts == 0);
    } else {
      CHECK(r.delivered());
    }
  }
}
