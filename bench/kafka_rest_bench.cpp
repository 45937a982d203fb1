// kafka_rest records/s on loopback for stream and batch modes next to single mode (one request
// per event), against the same REST Proxy v3 emulator in the same run.
//
//   kafka_rest_bench [events_stream=20000] [events_single=2000]
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "eventdest/eventdest.hpp"
#include "support/subprocess.hpp"

using namespace eventdest;
using Steady = std::chrono::steady_clock;

namespace {

// CPU time of this process only: the emulator runs in its own process.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double run(const std::string& url, const std::string& mode, int events) {
  auto d = make_destination(
      R"({"type":"kafka_rest","config":{"bootstrap_servers":")" + url +
      R"(","cluster_id":"bench","topic":"orders","mode":")" + mode +
      R"(","partition_key_template":"data.customer_id","max_in_flight_requests":4},)"
      R"("credentials":{"api_key":"k","api_secret":"s"}})");
  std::atomic<int> failed{0};
  const double cpu0 = cpu_seconds();
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
      "%-6s mode: %6d records in %6.2f s = %8.0f records/s, client CPU %.1f us/record "
      "(%d failed)\n",
      mode.c_str(), events, secs, rate, (cpu_seconds() - cpu0) * 1e6 / events, failed.load());
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  const int many = argc > 1 ? std::atoi(argv[1]) : 20000;
  const int few = argc > 2 ? std::atoi(argv[2]) : 2000;
  test::Subprocess emulator(
      {test::system_python(),
       std::string(EVENTDEST_SOURCE_DIR) + "/tests/kafka_rest/emulator/rest_proxy_emulator.py",
       "--port", "0", "--cluster-id", "bench", "--topic", "orders:6", "--api-key", "k",
       "--api-secret", "s"});
  const std::string url = emulator.wait_for_line("LISTENING ", std::chrono::seconds(20));
  const double single = run(url, "single", few);
  const double stream = run(url, "stream", many);
  const double batch = run(url, "batch", many / 4);
  std::printf(
      "{\"single_records_per_s\":%.0f,\"stream_records_per_s\":%.0f,"
      "\"batch_records_per_s\":%.0f,\"stream_vs_single\":%.1f,\"batch_vs_single\":%.1f}\n",
      single, stream, batch, stream / single, batch / single);
  return 0;
}
