#include <mutex>
#include <thread>
#include <vector>

#include "eventdest/destination.hpp"
#include "eventdest/log.hpp"
#include "support/catch.hpp"
#include "util/latency_histogram.hpp"

using namespace eventdest;
using namespace std::chrono_literals;

TEST_CASE("latency percentiles are within the histogram's resolution", "[metrics]") {
  detail::LatencyHistogram h;
  CHECK(h.percentile(0.5) == 0us);
  for (int i = 1; i <= 10000; ++i)
    h.record(std::chrono::microseconds(i));
  CHECK(h.count() == 10000);
  auto near = [](std::chrono::microseconds got, double want) {
    return got.count() >= want * 0.93 && got.count() <= want * 1.07;
  };
  CHECK(near(h.percentile(0.50), 5000));
  CHECK(near(h.percentile(0.90), 9000));
  CHECK(near(h.percentile(0.99), 9900));
  CHECK(h.percentile(1.0) == 10000us);
  CHECK(h.max() == 10000us);
  detail::LatencyHistogram small;
  for (int i = 0; i < 10; ++i)
    small.record(3us);
  CHECK(small.percentile(0.5) == 3us);        // exact below 16 µs
  small.record(std::chrono::hours(24 * 30));  // beyond the last bucket: clamped, not lost
  CHECK(small.count() == 11);
}

TEST_CASE("logging is silent by default and goes to the installed handler", "[log]") {
  CHECK_FALSE(log_enabled(LogLevel::error));
  log(LogLevel::error, "nobody hears this");
  std::mutex m;
  std::vector<std::pair<LogLevel, std::string>> seen;
  set_log_handler(
      [&](LogLevel l, std::string_view msg) {
        std::lock_guard<std::mutex> lock(m);
        seen.emplace_back(l, std::string(msg));
      },
      LogLevel::warning);
  log(LogLevel::info, "below the level");
  log(LogLevel::warning, "w");
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([] { log(LogLevel::error, "e"); });
  for (auto& t : threads)
    t.join();
  set_log_handler([](LogLevel, std::string_view) { throw std::runtime_error("bad handler"); });
  CHECK_NOTHROW(log(LogLevel::error, "a throwing handler is contained"));
  set_log_handler(nullptr);
  log(LogLevel::error, "silent again");
  REQUIRE(seen.size() == 5);
  CHECK(seen[0] == std::make_pair(LogLevel::warning, std::string("w")));
  CHECK_FALSE(log_enabled(LogLevel::error));
}

// The report line is the CLI's output contract (DESIGN.md): field order, numbers, escapes.
TEST_CASE("a delivery report's JSON line has every field it should, in order", "[report]") {
  DeliveryReport d;
  d.status = DeliveryStatus::delivered;
  d.event_id = "e1";
  d.topic = "orders";
  d.destination_type = "aws_kinesis";
  d.destination_id = "k";
  d.partition_key = "c-7";
  d.shard_id = "shardId-000000000001";
  d.sequence_number = "49590338271490256608559692538361571095921575989136588898";
  d.sub_sequence_number = 3;
  d.attempts = 2;
  d.possible_duplicate = true;
  d.latency = std::chrono::microseconds(1234567);
  CHECK(d.to_json() ==
        R"({"status":"delivered","event_id":"e1","topic":"orders","destination":"aws_kinesis",)"
        R"("destination_id":"k","partition_key":"c-7","shard_id":"shardId-000000000001",)"
        R"("sequence_number":"49590338271490256608559692538361571095921575989136588898",)"
        R"("sub_sequence_number":3,"attempts":2,"possible_duplicate":true,"latency_us":1234567})");

  DeliveryReport k;
  k.status = DeliveryStatus::delivered;
  k.event_id = "e2";
  k.topic = "orders";
  k.destination_type = "kafka";
  k.partition_key = "";
  k.partition = 2;
  k.offset = 9007199254740993;
  k.attempts = 1;
  CHECK(
      k.to_json() ==
      R"({"status":"delivered","event_id":"e2","topic":"orders","destination":"kafka",)"
      R"("partition_key":"","partition":2,"offset":9007199254740993,"attempts":1,"latency_us":0})");

  DeliveryReport f;
  f.status = DeliveryStatus::failed;
  f.event_id = "e\"3";
  f.topic = "orders";
  f.destination_type = "kafka_rest";
  f.error = make_error_code(errc::access_denied);
  f.provider_code = "40301";
  f.http_status = 403;
  f.message = std::string(300, 'm') + "\n";
  f.attempts = 1;
  CHECK(f.to_json() ==
        R"({"status":"failed","event_id":"e\"3","topic":"orders",)"
        R"("destination":"kafka_rest","partition_key":"","error":"access_denied",)"
        R"("retryable":false,"provider_code":"40301","http_status":403,"message":")" +
            std::string(300, 'm') + R"(\n","attempts":1,"latency_us":0})");
  // append_json() adds the line after what `out` holds; control characters are \u-escaped.
  DeliveryReport n;
  n.status = DeliveryStatus::not_matched;
  n.event_id = std::string("e\x01", 2);
  n.topic = "t\\";
  n.destination_type = "kafka";
  n.destination_id = "[1]";
  n.message = "topic t\\ is not one of the destination's topics";
  std::string out = "before\n";
  n.append_json(out);
  CHECK(out == "before\n" +
                   std::string(R"({"status":"not_matched","event_id":"e\u0001","topic":"t\\",)"
                               R"("destination":"kafka","destination_id":"[1]",)"
                               R"("message":"topic t\\ is not one of the destination's topics"})"));

  DeliveryReport t;
  t.status = DeliveryStatus::failed;
  t.event_id = "e4";
  t.topic = "orders";
  t.destination_type = "aws_kinesis";
  t.partition_key = "k";
  t.error = make_error_code(errc::timeout);
  t.retryable = true;
  t.attempts = 0;
  t.replayed = true;
  t.possible_duplicate = true;
  t.latency = std::chrono::microseconds(-5);  // a clock step back, printed as it is
  CHECK(t.to_json() == R"({"status":"failed","event_id":"e4","topic":"orders",)"
                       R"("destination":"aws_kinesis","partition_key":"k","error":"timeout",)"
                       R"("retryable":true,"attempts":0,"possible_duplicate":true,"replayed":true,)"
                       R"("latency_us":-5})");
}
