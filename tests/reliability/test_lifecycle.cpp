// Shutdown and backpressure of the HTTP destinations: close() with events in flight reports
// each one; destruction without close() neither hangs nor drops a report; flush(timeout) honours
// its timeout; memory stays within max_buffered_bytes; publish blocks or fails fast as configured.
#include <atomic>
#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "eventdest/eventdest.hpp"
#include "http/test_server.hpp"
#include "support/catch.hpp"
#include "support/process_stats.hpp"

using namespace eventdest;
using namespace eventdest::test;
using namespace std::chrono_literals;

namespace {

// Sanitizers keep shadow memory and quarantines: RSS says nothing about our buffers there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

struct Counter {
  std::mutex mutex;
  std::map<std::string, int> reports;
  std::map<std::string, DeliveryReport> last;
  DeliveryCallback callback() {
    return [this](const DeliveryReport& r) {
      std::lock_guard<std::mutex> lock(mutex);
      ++reports[r.event_id];
      last[r.event_id] = r;
    };
  }
  std::size_t total() {
    std::lock_guard<std::mutex> lock(mutex);
    std::size_t n = 0;
    for (auto& [id, c] : reports)
      n += static_cast<std::size_t>(c);
    return n;
  }
  bool each_once(std::size_t n) {
    std::lock_guard<std::mutex> lock(mutex);
    if (reports.size() != n) return false;
    for (auto& [id, c] : reports) {
      if (c != 1) return false;
    }
    return true;
  }
};

// A handler that answers both protocols with success (Kinesis PutRecords or REST stream).
Action acknowledge(const ServerRequest& r) {
  if (r.header("x-amz-target").empty()) {
    std::string body;
    for (std::size_t pos = r.body.find("\"headers\""); pos != std::string::npos;
         pos = r.body.find("\"headers\"", pos + 9)) {
      body += "{\"error_code\":200,\"partition_id\":0,\"offset\":1}\r\n";
    }
    return Action::respond(200, {}, body);
  }
  std::string body = R"({"FailedRecordCount":0,"Records":[)";
  bool first = true;
  for (std::size_t pos = r.body.find("\"PartitionKey\""); pos != std::string::npos;
       pos = r.body.find("\"PartitionKey\"", pos + 14)) {
    body += first ? "" : ",";
    first = false;
    body += R"({"SequenceNumber":"1","ShardId":"shardId-000000000000"})";
  }
  return Action::respond(200, {}, body + "]}");
}

std::string spec(const std::string& type, const std::string& url, const std::string& options) {
  if (type == "aws_kinesis") {
    return R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":")" +
           url + "\"," + options + R"(},"credentials":{"key":"AK","secret":"S"}})";
  }
  return R"({"type":"kafka_rest","config":{"bootstrap_servers":")" + url +
         R"(","cluster_id":"c","topic":"t",)" + options + "}}";
}

Event event(int i, std::size_t pad = 10) {
  Event e("orders", R"({"i":)" + std::to_string(i) + R"(,"pad":")" + std::string(pad, 'x') + "\"}");
  e.set_id("e" + std::to_string(i));
  return e;
}

}  // namespace

TEST_CASE("close() with events in flight reports every one", "[lifecycle]") {
  for (const std::string type : {"aws_kinesis", "kafka_rest"}) {
    INFO(type);
    HttpServer stalled([](const ServerRequest&) { return Action::stall(); });
    Counter c;
    auto d = make_destination(spec(
        type, stalled.url(""),
        R"("delivery_timeout_ms":500,"request_timeout_ms":60000,"linger_ms":1,"max_batch_records":10)"));
    for (int i = 0; i < 100; ++i)
      d->publish(event(i), c.callback());
    d->close();  // bounded by delivery_timeout_ms, then in-flight requests are cancelled
    CHECK(c.each_once(100));
    for (auto& [id, r] : c.last) {
      CHECK(r.status == DeliveryStatus::failed);
      CHECK(
          (r.error == make_error_code(errc::closed) || r.error == make_error_code(errc::timeout)));
    }
    CHECK(d->metrics().in_flight == 0);
  }
}

TEST_CASE("close(timeout) bounds the flush by its timeout, not the delivery timeout",
          "[lifecycle]") {
  for (const std::string type : {"aws_kinesis", "kafka_rest"}) {
    INFO(type);
    HttpServer stalled([](const ServerRequest&) { return Action::stall(); });
    Counter c;
    auto d = make_destination(spec(
        type, stalled.url(""),
        R"("delivery_timeout_ms":600000,"request_timeout_ms":600000,"linger_ms":1,"max_batch_records":10)"));
    for (int i = 0; i < 50; ++i)
      d->publish(event(i), c.callback());
    const auto start = std::chrono::steady_clock::now();
    d->close(200ms);
    // Far below the ten-minute delivery timeout that close() would have waited for.
    CHECK(std::chrono::steady_clock::now() - start < 60s);
    CHECK(c.each_once(50));  // every report before close() returned
    for (auto& [id, r] : c.last) {
      CHECK(r.status == DeliveryStatus::failed);
      CHECK(r.error == make_error_code(errc::closed));
    }
    CHECK(d->metrics().in_flight == 0);
    d->close();  // idempotent
    CHECK(d->publish_and_wait(event(99)).error == make_error_code(errc::closed));
  }
}

TEST_CASE("destroying a destination without close() does not hang and reports everything",
          "[lifecycle]") {
  for (const std::string type : {"aws_kinesis", "kafka_rest"}) {
    INFO(type);
    HttpServer stalled([](const ServerRequest&) { return Action::stall(); });
    Counter c;
    {
      // The default delivery timeout is two minutes: destruction must not wait for it.
      auto d =
          make_destination(spec(type, stalled.url(""), R"("linger_ms":1,"max_batch_records":10)"));
      for (int i = 0; i < 100; ++i)
        d->publish(event(i), c.callback());
      stalled.wait_for_requests(1, 5s);
    }
    CHECK(c.each_once(100));
    for (auto& [id, r] : c.last)
      CHECK(r.error == make_error_code(errc::closed));
  }
}

TEST_CASE("flush honours its timeout", "[lifecycle]") {
  for (const std::string type : {"aws_kinesis", "kafka_rest"}) {
    INFO(type);
    HttpServer server([](const ServerRequest&) { return Action::stall(); });
    Counter c;
    auto d = make_destination(
        spec(type, server.url(""),
             R"("request_timeout_ms":300,"retry_backoff_ms":10,"retry_backoff_max_ms":50)"));
    for (int i = 0; i < 10; ++i)
      d->publish(event(i), c.callback());
    CHECK_FALSE(d->flush(100ms));
    CHECK(c.total() == 0);
    server.set_handler(acknowledge);  // stalled requests time out and are retried here
    CHECK(d->flush(30s));
    CHECK(c.each_once(10));
    for (auto& [id, r] : c.last)
      CHECK(r.delivered());
    d->close();
  }
}

TEST_CASE("fail-fast backpressure: memory stays within max_buffered_bytes", "[lifecycle]") {
  for (const std::string type : {"aws_kinesis", "kafka_rest"}) {
    INFO(type);
    HttpServer stalled([](const ServerRequest&) { return Action::stall(); });
    const int n = 50000;
    // Counters only: the test itself must not hold per-event memory while RSS is measured.
    std::vector<std::atomic<std::uint8_t>> seen(n);
    std::atomic<int> queue_full{0};
    auto callback = [&](const DeliveryReport& r) {
      seen[static_cast<std::size_t>(std::stoi(r.event_id.substr(1)))]++;
      if (r.error == make_error_code(errc::queue_full)) ++queue_full;
    };
    const std::size_t limit = 1 << 20;
    // The deadline bounds requests in flight: a long one keeps the stalled requests (and the
    // buffer) full for the whole loop, however slow the build; the destination is destroyed
    // rather than closed, so nothing waits for it.
    auto d = make_destination(spec(
        type, stalled.url(""),
        R"("max_buffered_bytes":1048576,"on_queue_full":"fail","request_timeout_ms":60000,"delivery_timeout_ms":60000)"));
    const long before = rss_kib();
    for (int i = 0; i < n; ++i) {
      d->publish(event(i, 600), callback);
      if (i % 1000 == 0) REQUIRE(d->metrics().buffered_bytes <= limit);
    }
    const long grown_kib = rss_kib() - before;
    INFO("RSS grew " << grown_kib << " KiB");
    CHECK(d->metrics().buffered_bytes <= limit);
    // Unbounded, 50k events of ~1.3 KB would hold about 65 MiB; the buffer allows 1 MiB.
    if (!kSanitized) CHECK(grown_kib < 8 * 1024);
    CHECK(queue_full > 40000);
    d.reset();  // reports everything still pending as closed, at once
    for (int i = 0; i < n; ++i)
      REQUIRE(seen[static_cast<std::size_t>(i)] == 1);
  }
}

TEST_CASE("block backpressure: publish waits for space, then everything is delivered",
          "[lifecycle]") {
  for (const std::string type : {"aws_kinesis", "kafka_rest"}) {
    INFO(type);
    HttpServer server([](const ServerRequest&) { return Action::stall(); });
    Counter c;
    auto d = make_destination(spec(
        type, server.url(""),
        R"("max_buffered_bytes":65536,"request_timeout_ms":300,"retry_backoff_ms":10,"retry_backoff_max_ms":50)"));
    std::atomic<int> published{0};
    std::thread publisher([&] {
      for (int i = 0; i < 2000; ++i) {
        d->publish(event(i, 200), c.callback());
        ++published;
      }
    });
    // The buffer fills and the publisher blocks: it cannot get through 2000 events of ~1 KB
    // accounted each while nothing is acknowledged.
    while (d->metrics().buffered_bytes < 60000)
      std::this_thread::sleep_for(1ms);
    const int blocked_at = published.load();
    CHECK(blocked_at < 2000);
    CHECK(d->metrics().buffered_bytes <= 65536);
    server.set_handler(acknowledge);
    publisher.join();
    CHECK(d->flush(60s));
    CHECK(c.each_once(2000));
    for (auto& [id, r] : c.last)
      CHECK(r.delivered());
    d->close();
  }
}
