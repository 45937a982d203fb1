// The router vs separate destinations, same events (NDJSON lines, ~300 bytes), same fast
// in-process Kinesis sinks, same run:
//  1. N = 1, 2, 4 destinations: a Router (each line parsed once, published to N) vs N
//     destinations each parsing and publishing every line itself, as N separate publishers
//     would; CPU per event per destination for both, medians of six rounds, each side going
//     first in three of them;
//  2. two live destinations with and without a third whose endpoint refuses connections: the
//     live ones' throughput (target: the dead one costs at most 10 %), in two states of the dead
//     one: "filling" (down for less than its delivery_timeout_ms: every event adds to what it
//     holds) and "steady" (down for longer than its delivery_timeout_ms, 250 ms here: it fails
//     old events, one report each, as fast as it takes new ones). Medians of five rounds;
//  3. the steady dead one alone in a router: its own CPU per event beyond parsing (median of 5).
//
//   router_bench [events=100000] [--dead-only [alone|filling|steady|own] | --fanout N
//   [router|separate]]
// --dead-only runs parts 2 and 3 alone, --fanout N part 1 for N destinations alone; each only one
// of its runs if named (for a profiler).
// Prints one line per figure and a JSON summary line. With EVENTDEST_BENCH_WINDOWS set, also a
// line `window START,END` per timed pass (CLOCK_MONOTONIC seconds): for
// `perf record -k CLOCK_MONOTONIC` and `perf report --time START,END`, a profile of the timed
// passes alone.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "eventdest/eventdest.hpp"
#include "fast_kinesis_sink.hpp"
#include "http/test_server.hpp"
#include "support/process_stats.hpp"
#include "support/subprocess.hpp"

using namespace eventdest;
using Steady = std::chrono::steady_clock;

namespace {

std::string line(int i) {
  std::string d = R"({"id":"e)" + std::to_string(i) +
                  R"(","topic":"orders","metadata":{"source":"web"},"data":{"order_id":"o-)" +
                  std::to_string(i) + R"(","customer_id":"c-)" + std::to_string(i % 1000) +
                  R"(","total":129.90,"note":")";
  d.append(300 - std::min<std::size_t>(d.size(), 290), 'x');
  return d + "\"}}";
}

std::string spec(const std::string& id, const std::string& url, const std::string& extra = "") {
  return R"({"id":")" + id +
         R"(","type":"aws_kinesis","topics":["orders"],"config":{)"
         R"("stream_name":"bench","region":"us-east-1","endpoint":")" +
         url + R"(","partition_key_template":"data.customer_id","linger_ms":5)" + extra +
         R"(},"credentials":{"key":"AKIDBENCH","secret":"bench-secret"}})";
}

struct Result {
  double seconds = 0;
  double cpu_us_per_event_destination = 0;
  double cpu_us_per_event = 0;  ///< the whole process's, all destinations together
};

// steady_clock is CLOCK_MONOTONIC on Linux, the clock perf is told to stamp samples with.
void print_profile_window(Steady::time_point start, Steady::time_point end) {
  static const bool wanted = std::getenv("EVENTDEST_BENCH_WINDOWS") != nullptr;
  if (!wanted) return;
  auto seconds = [](Steady::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
  };
  std::printf("window %.6f,%.6f\n", seconds(start), seconds(end));
}

// Publishes `lines` through a router of `specs` and times until the `live` destinations have
// delivered them all. With `warm_up`, the lines go through once untimed first (same router).
Result run_router(const std::vector<std::string>& lines, const std::vector<std::string>& specs,
                  std::size_t live, bool warm_up = false) {
  std::string list = "[";
  for (std::size_t i = 0; i < specs.size(); ++i)
    list += (i ? "," : "") + specs[i];
  auto router = Router::from_json(list + "]");
  // The report callback captures one pointer, as run_separate()'s does: a larger capture costs
  // std::function an allocation per event, which would be the benchmark's cost, not the router's.
  struct Progress {
    std::atomic<long> delivered{0};
    long want = 0;
    Steady::time_point live_done{};
  } progress;
  progress.want = static_cast<long>(lines.size() * live);
  auto pass = [&] {
    progress.delivered = 0;
    Progress* p = &progress;
    for (const auto& l : lines) {
      router->publish(Event::from_json(l), [p](const DeliveryReport& r) {
        if (r.delivered() && ++p->delivered == p->want) p->live_done = Steady::now();
      });
    }
    while (progress.delivered.load() < progress.want)
      router->flush(std::chrono::milliseconds(10));
  };
  if (warm_up) pass();
  const double cpu0 = test::cpu_seconds();
  const auto t0 = Steady::now();
  pass();
  Result out;
  out.seconds = std::chrono::duration<double>(progress.live_done - t0).count();
  print_profile_window(t0, progress.live_done);
  out.cpu_us_per_event = (test::cpu_seconds() - cpu0) * 1e6 / static_cast<double>(lines.size());
  out.cpu_us_per_event_destination = out.cpu_us_per_event / static_cast<double>(specs.size());
  router->close(std::chrono::milliseconds(0));
  return out;
}

// CPU per event of a router over `dead_spec` alone (its port refuses connections), beyond parsing
// each line: what a dead destination's own work costs (its record and queue slot on the
// publishing thread, its timeout report on its own), free of the two busy cores' noise that moves
// the ratios with live destinations. Returns {parsing alone, router} in us per event, timed over
// three passes once the dead one is in its steady state.
std::pair<double, double> dead_alone_cost(const std::vector<std::string>& lines,
                                          const std::string& dead_spec) {
  std::size_t ids = 0;
  double cpu0 = test::cpu_seconds();
  for (const auto& l : lines)
    ids += Event::from_json(l).id().size();
  const double parse_us = (test::cpu_seconds() - cpu0) * 1e6 / static_cast<double>(lines.size());
  auto router = Router::from_json("[" + dead_spec + "]");
  std::atomic<long> reports{0};
  std::atomic<long>* counted = &reports;
  auto pass = [&] {
    for (const auto& l : lines)
      router->publish(Event::from_json(l), [counted](const DeliveryReport&) { ++*counted; });
  };
  // Past twice its delivery_timeout_ms (250 ms), it fails old events as fast as it takes new.
  const auto warm_until = Steady::now() + std::chrono::milliseconds(500);
  while (Steady::now() < warm_until)
    pass();
  cpu0 = test::cpu_seconds();
  const auto t0 = Steady::now();
  for (int i = 0; i < 3; ++i)
    pass();
  print_profile_window(t0, Steady::now());
  const double routed_us =
      (test::cpu_seconds() - cpu0) * 1e6 / static_cast<double>(3 * lines.size());
  router->close(std::chrono::milliseconds(0));
  if (ids == 0 || reports.load() == 0) std::printf("(no ids or no reports?)\n");
  return {parse_us, routed_us};
}

// Six alternating rounds: each side goes first three times.
constexpr int kRounds = 6;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

Result run_separate(const std::vector<std::string>& lines, const std::vector<std::string>& specs) {
  std::vector<std::unique_ptr<Destination>> destinations;
  for (const auto& s : specs)
    destinations.push_back(make_destination(s));
  std::atomic<long> delivered{0};
  const double cpu0 = test::cpu_seconds();
  const auto t0 = Steady::now();
  for (const auto& l : lines) {
    for (auto& d : destinations) {
      d->publish(Event::from_json(l), [&](const DeliveryReport& r) { delivered += r.delivered(); });
    }
  }
  for (auto& d : destinations)
    d->close();
  Result out;
  const auto t1 = Steady::now();
  out.seconds = std::chrono::duration<double>(t1 - t0).count();
  print_profile_window(t0, t1);
  out.cpu_us_per_event_destination =
      (test::cpu_seconds() - cpu0) * 1e6 / static_cast<double>(lines.size() * specs.size());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int events = argc > 1 ? std::atoi(argv[1]) : 100000;
  const bool dead_only = argc > 2 && std::string(argv[2]) == "--dead-only";
  const int fanout_only = argc > 3 && std::string(argv[2]) == "--fanout" ? std::atoi(argv[3]) : 0;
  const std::string side = fanout_only != 0 && argc > 4 ? argv[4] : "";
  const std::string dead_run = dead_only && argc > 3 ? argv[3] : "";
  auto runs = [&](const char* name) { return dead_run.empty() || dead_run == name; };
  std::vector<std::string> lines;
  for (int i = 0; i < events; ++i)
    lines.push_back(line(i));
  std::vector<std::unique_ptr<test::HttpServer>> sinks;
  for (int i = 0; i < 4; ++i)
    sinks.push_back(std::make_unique<test::HttpServer>(bench::acknowledge));
  std::string json = "{";
  for (int n : {1, 2, 4}) {
    if (dead_only) break;
    if (fanout_only != 0 && n != fanout_only) continue;
    std::vector<std::string> specs;
    for (int i = 0; i < n; ++i)
      specs.push_back(spec("d" + std::to_string(i), sinks[i]->url("")));
    // Alternating rounds, medians: one round's CPU figure moves by 10-20 % on this VM, more
    // than a one-destination router adds.
    std::vector<double> routed_cpu, separate_cpu, routed_rate, separate_rate;
    for (int round = 0; round < kRounds; ++round) {
      // Each side goes first in every other round: the run after another one's teardown differs.
      Result routed{1, 1}, separate{1, 1};
      for (int turn = 0; turn < 2; ++turn) {
        if ((turn == round % 2) && side != "separate")
          routed = run_router(lines, specs, static_cast<std::size_t>(n));
        if ((turn != round % 2) && side != "router") separate = run_separate(lines, specs);
      }
      routed_cpu.push_back(routed.cpu_us_per_event_destination);
      separate_cpu.push_back(separate.cpu_us_per_event_destination);
      routed_rate.push_back(events / routed.seconds);
      separate_rate.push_back(events / separate.seconds);
    }
    const double router_us = median(routed_cpu), separate_us = median(separate_cpu);
    std::printf(
        "%d destination(s): router %.2f us CPU per event per destination (%.0f events/s), "
        "separate %.2f us (%.0f events/s): router/separate CPU %.2f (medians of 6 rounds)\n",
        n, router_us, median(routed_rate), separate_us, median(separate_rate),
        router_us / separate_us);
    json += "\"n" + std::to_string(n) + "\":{\"router_cpu_us\":" + std::to_string(router_us) +
            ",\"separate_cpu_us\":" + std::to_string(separate_us) + "},";
  }
  if (fanout_only != 0) {
    std::printf("%s}\n", json.substr(0, json.size() - 1).c_str());
    return 0;
  }
  // Two live destinations, then the same two next to one whose port refuses connections.
  const std::vector<std::string> live = {spec("a", sinks[0]->url("")),
                                         spec("b", sinks[1]->url(""))};
  const test::RefusingPort dead_port;
  const std::string dead_url = "http://127.0.0.1:" + std::to_string(dead_port.port());
  std::vector<std::string> filling = live, steady = live;
  filling.push_back(spec("dead", dead_url, R"(,"delivery_timeout_ms":60000)"));
  steady.push_back(spec("dead", dead_url, R"(,"delivery_timeout_ms":250)"));
  // Each compared with the live ones alone in the same state: "filling" starts from a new
  // router (a warm-up pass would fill the dead one further), so its baseline does too; "steady"
  // and its baseline publish the events once untimed first.
  std::vector<double> filling_ratio, steady_ratio;
  // CPU per event of the whole process (all destinations): alone new, beside the filling one,
  // alone warmed up, beside the steady one. What the dead one costs, steadier than the rates.
  std::vector<double> cpu[4];
  for (int round = 0; round < 5; ++round) {
    const Result none{1, 1};
    const Result alone_new = runs("alone") ? run_router(lines, live, 2) : none;
    const Result beside_filling = runs("filling") ? run_router(lines, filling, 2) : none;
    const Result alone_warm = runs("alone") ? run_router(lines, live, 2, true) : none;
    const Result beside_steady = runs("steady") ? run_router(lines, steady, 2, true) : none;
    filling_ratio.push_back(alone_new.seconds / beside_filling.seconds);
    steady_ratio.push_back(alone_warm.seconds / beside_steady.seconds);
    cpu[0].push_back(alone_new.cpu_us_per_event);
    cpu[1].push_back(beside_filling.cpu_us_per_event);
    cpu[2].push_back(alone_warm.cpu_us_per_event);
    cpu[3].push_back(beside_steady.cpu_us_per_event);
    std::printf(
        "round %d: 2 live destinations, new router: %.0f events/s alone, %.0f next to a dead "
        "one that fills (%.2f); warmed up: %.0f alone, %.0f next to a dead one once steady "
        "(%.2f); CPU per event %.2f, %.2f; %.2f, %.2f us\n",
        round + 1, events / alone_new.seconds, events / beside_filling.seconds,
        filling_ratio.back(), events / alone_warm.seconds, events / beside_steady.seconds,
        steady_ratio.back(), alone_new.cpu_us_per_event, beside_filling.cpu_us_per_event,
        alone_warm.cpu_us_per_event, beside_steady.cpu_us_per_event);
  }
  std::printf(
      "2 live destinations next to a dead one (medians): %.2f of their throughput alone while "
      "it fills, %.2f once steady; CPU per event %.2f alone, %.2f beside the filling one; %.2f "
      "alone, %.2f beside the steady one (us, whole process)\n",
      median(filling_ratio), median(steady_ratio), median(cpu[0]), median(cpu[1]), median(cpu[2]),
      median(cpu[3]));
  std::vector<double> own;
  for (int round = 0; round < 5 && runs("own"); ++round) {
    const auto [parse_us, routed_us] = dead_alone_cost(lines, steady.back());
    own.push_back(routed_us - parse_us);
    std::printf("round %d: the steady dead one alone: %.3f us CPU per event, parsing alone %.3f\n",
                round + 1, routed_us, parse_us);
  }
  if (!own.empty())
    std::printf("the steady dead one's own work: %.3f us CPU per event beyond parsing (median)\n",
                median(own));
  json += "\"live_with_dead_filling_ratio\":" + std::to_string(median(filling_ratio)) +
          ",\"live_with_dead_steady_ratio\":" + std::to_string(median(steady_ratio)) +
          (own.empty() ? "" : ",\"dead_own_cpu_us\":" + std::to_string(median(own))) + "}";
  std::printf("%s\n", json.c_str());
  return 0;
}
