// Throughput of an aws_kinesis destination with a spool (sync_ms 5 and 0) vs without, same events,
// same fast in-process sink, same run; and the fsyncs per second the disk gave. The target with
// sync_ms 5: at least 50 % of the in-memory throughput.
//
//   spool_bench [events=200000] [sync0_events=5000] [dir=/tmp]
// Prints one line per figure and a JSON summary line.
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "eventdest/eventdest.hpp"
#include "fast_kinesis_sink.hpp"
#include "http/test_server.hpp"

using namespace eventdest;
using Steady = std::chrono::steady_clock;

namespace {

std::string event_data(int i) {
  std::string d = R"({"order_id":"o-)" + std::to_string(i) + R"(","customer_id":"c-)" +
                  std::to_string(i % 1000) + R"(","total":129.90,"note":")";
  d.append(300 - std::min<std::size_t>(d.size(), 290), 'x');
  return d + "\"}";
}

struct Result {
  double events_per_s = 0;
  double fsyncs_per_s = 0;
  std::uint64_t fsyncs = 0;
};

Result run(test::HttpServer& sink, int events, const std::string& spool, int threads,
           const char* label) {
  const std::string spec =
      R"({"type":"aws_kinesis","config":{"stream_name":"bench","region":"us-east-1","endpoint":")" +
      sink.url("") +
      R"(","partition_key_template":"data.customer_id","linger_ms":5,"max_in_flight_requests":4)" +
      (spool.empty() ? std::string() : R"(,"spool":)" + spool) +
      R"(},"credentials":{"key":"AKIDBENCH","secret":"bench-secret"}})";
  auto d = make_destination(spec);
  std::vector<std::vector<Event>> prepared(static_cast<std::size_t>(threads));
  for (int i = 0; i < events; ++i) {
    prepared[static_cast<std::size_t>(i % threads)].emplace_back("orders", event_data(i));
  }
  std::atomic<long> delivered{0};
  const auto t0 = Steady::now();
  std::vector<std::thread> publishers;
  for (auto& mine : prepared) {
    publishers.emplace_back([&, list = &mine] {
      for (auto& e : *list) {
        d->publish(std::move(e),
                   [&delivered](const DeliveryReport& r) { delivered += r.delivered(); });
      }
    });
  }
  for (auto& t : publishers)
    t.join();
  d->close();
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  Result r;
  r.events_per_s = events / secs;
  r.fsyncs = d->metrics().spool_fsyncs;
  r.fsyncs_per_s = r.fsyncs / secs;
  std::printf(
      "%-44s %8d events in %6.3f s = %8.0f events/s (%ld delivered), %llu fsyncs = %.0f/s\n", label,
      events, secs, r.events_per_s, delivered.load(), static_cast<unsigned long long>(r.fsyncs),
      r.fsyncs_per_s);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const int events = argc > 1 ? std::atoi(argv[1]) : 200000;
  const int sync0_events = argc > 2 ? std::atoi(argv[2]) : 5000;
  const std::string base = argc > 3 ? argv[3] : "/tmp";
  char dir_template[4096];
  std::snprintf(dir_template, sizeof dir_template, "%s/eventdest-spool-bench-XXXXXX", base.c_str());
  const std::string dir = mkdtemp(dir_template);
  const std::string spool5 = R"({"dir":")" + dir + R"(/s5","sync_ms":5})";
  const std::string spool0 = R"({"dir":")" + dir + R"(/s0","sync_ms":0})";
  test::HttpServer sink(bench::acknowledge);

  const Result memory = run(sink, events, "", 1, "no spool");
  const Result sync5 = run(sink, events, spool5, 1, "spool, sync_ms 5");
  const Result sync0 = run(sink, sync0_events, spool0, 1, "spool, sync_ms 0 (1 publisher)");
  const Result sync0x8 = run(sink, sync0_events * 4, spool0, 8, "spool, sync_ms 0 (8 publishers)");
  std::printf(
      "{\"memory_events_per_s\":%.0f,\"sync5_events_per_s\":%.0f,\"sync5_ratio\":%.2f,"
      "\"sync0_events_per_s\":%.0f,\"sync0_ratio\":%.3f,\"sync0_8_publishers_events_per_s\":%.0f,"
      "\"fsyncs_per_s\":{\"sync5\":%.0f,\"sync0\":%.0f,\"sync0_8_publishers\":%.0f}}\n",
      memory.events_per_s, sync5.events_per_s, sync5.events_per_s / memory.events_per_s,
      sync0.events_per_s, sync0.events_per_s / memory.events_per_s, sync0x8.events_per_s,
      sync5.fsyncs_per_s, sync0.fsyncs_per_s, sync0x8.fsyncs_per_s);
  (void)std::system(("rm -rf " + dir).c_str());
  return 0;
}
