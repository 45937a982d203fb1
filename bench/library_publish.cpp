// The library's own throughput for a given spec and NDJSON file: every line parsed into an Event
// first (not timed), then published from one thread with a callback that only counts, and the
// time to the last report. With --parse-timed, the lines are read first and each is parsed
// (Event::from_json) inside the timed loop, as a service reading NDJSON would.
// bench/cli_bench.sh runs it next to `eventdest publish` on the same file and sink.
//   library_publish SPEC_FILE EVENTS_FILE [--parse-timed]
// Prints records/s and the process's CPU time per event inside the clock (all threads, user +
// system, in microseconds) on one line.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "eventdest/eventdest.hpp"
#include "eventdest/kafka.hpp"
#include "support/process_stats.hpp"

int main(int argc, char** argv) {
  const bool parse_timed = argc == 4 && std::string(argv[3]) == "--parse-timed";
  if (argc != 3 && !parse_timed) {
    std::fprintf(stderr, "usage: library_publish SPEC_FILE EVENTS_FILE [--parse-timed]\n");
    return 2;
  }
  std::ifstream spec_file(argv[1]);
  std::stringstream spec;
  spec << spec_file.rdbuf();
  std::ifstream events_file(argv[2]);
  std::vector<std::string> lines;
  std::vector<eventdest::Event> events;
  for (std::string line; std::getline(events_file, line);) {
    if (line.empty()) continue;
    if (parse_timed) {
      lines.push_back(std::move(line));
    } else {
      events.push_back(eventdest::Event::from_json(line));
    }
  }
  auto destination = eventdest::make_destination(spec.str());
  std::atomic<long> failed{0};
  const double cpu_start = eventdest::test::cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  auto count_failed = [&failed](const eventdest::DeliveryReport& r) {
    if (!r.delivered()) ++failed;
  };
  for (const auto& line : lines)
    destination->publish(eventdest::Event::from_json(line), count_failed);
  for (auto& e : events)
    destination->publish(std::move(e), count_failed);
  destination->close();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto count = static_cast<double>(events.size() + lines.size());
  std::printf("%.0f %.3f\n", count / seconds,
              (eventdest::test::cpu_seconds() - cpu_start) * 1e6 / count);
  return failed.load() == 0 ? 0 : 1;
}
