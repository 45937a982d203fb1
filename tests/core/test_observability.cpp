#include <mutex>
#include <thread>
#include <vector>

#include "util/latency_histogram.hpp"
#include "eventdest/log.hpp"
#include "support/catch.hpp"

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
