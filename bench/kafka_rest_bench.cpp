// kafka_rest records/s on loopback for stream and batch modes next to single mode (one request
// per event), each emulator measured in the same run: the C++ REST Proxy v3 emulator
// (tests/kafka_rest/emulator/fast_rest_proxy, in this process: the CPU figure includes it) and
// the Python one (its own process, ~7 us per streamed record: it bounds stream mode).
//
//   kafka_rest_bench [events_stream=40000] [events_single=3000] [cpp_scale=8]
// The C++ emulator gets cpp_scale times as many events (it is that much faster).

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "eventdest/eventdest.hpp"
#include "kafka_rest/emulator/fast_rest_proxy.hpp"
#include "support/process_stats.hpp"
#include "support/subprocess.hpp"

using namespace eventdest;
using Steady = std::chrono::steady_clock;

namespace {

// CPU time of this process only: the emulator runs in its own process.
double run(const std::string& emulator, const std::string& url, const std::string& mode,
           int events) {
  auto d = make_destination(
      R"({"type":"kafka_rest","config":{"bootstrap_servers":")" + url +
      R"(","cluster_id":"bench","topic":"orders","mode":")" + mode +
      R"(","partition_key_template":"data.customer_id","max_in_flight_requests":4},)"
      R"("credentials":{"api_key":"k","api_secret":"s"}})");
  std::atomic<int> failed{0};
  const double cpu0 = test::cpu_seconds();
  const auto t0 = Steady::now();
  for (int i = 0; i < events; ++i) {
    d->publish(Event("orders", R"({"customer_id":"c-)" + std::to_string(i % 100) + R"(","n":)" +
                                   std::to_string(i) + R"(,"note":"benchmark event"})"),
               [&](const DeliveryReport& r) {
                 if (!r.delivered()) ++failed;
               });
  }
  d->close();
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  const double rate = events / secs;
  std::printf(
      "%-6s emulator, %-6s mode: %7d records in %6.2f s = %8.0f records/s, process CPU %.1f "
      "us/record (%d failed)\n",
      emulator.c_str(), mode.c_str(), events, secs, rate,
      (test::cpu_seconds() - cpu0) * 1e6 / events, failed.load());
  return rate;
}

struct Rates {
  double single, stream, batch;
};

Rates run_all(const std::string& emulator, const std::string& url, int many, int few) {
  Rates r{};
  r.single = run(emulator, url, "single", few);
  r.stream = run(emulator, url, "stream", many);
  r.batch = run(emulator, url, "batch", many / 4);
  return r;
}

std::string json(const Rates& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"single_records_per_s\":%.0f,\"stream_records_per_s\":%.0f,"
                "\"batch_records_per_s\":%.0f,\"stream_vs_single\":%.1f,"
                "\"batch_vs_single\":%.1f}",
                r.single, r.stream, r.batch, r.stream / r.single, r.batch / r.single);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const int many = argc > 1 ? std::atoi(argv[1]) : 40000;
  const int few = argc > 2 ? std::atoi(argv[2]) : 3000;
  const int scale = argc > 3 ? std::atoi(argv[3]) : 8;
  Rates cpp{};
  {
    test::FastRestProxyOptions o;
    o.cluster_id = "bench";
    o.topics = {{"orders", 6}};
    o.api_key = "k";
    o.api_secret = "s";
    test::FastRestProxy emulator(o);
    cpp = run_all("C++", emulator.url(), many * scale, few * scale);
  }
  test::Subprocess emulator(
      {test::system_python(),
       std::string(EVENTDEST_SOURCE_DIR) + "/tests/kafka_rest/emulator/rest_proxy_emulator.py",
       "--port", "0", "--cluster-id", "bench", "--topic", "orders:6", "--api-key", "k",
       "--api-secret", "s"});
  const std::string url = emulator.wait_for_line("LISTENING ", std::chrono::seconds(20));
  const Rates python = run_all("Python", url, many, few);
  std::printf("{\"cpp_emulator\":%s,\"python_emulator\":%s}\n", json(cpp).c_str(),
              json(python).c_str());
  return 0;
}
