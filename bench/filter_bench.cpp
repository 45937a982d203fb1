// Filter evaluation on a ~1 KB event (bench/data/jmespath_event.json as the event's data and
// metadata), a filter of three conditions, against simple-json-match on node (bench/filter_peer.js)
// measured in the same run on the same document and filter. Prints ns per match and the ratios.
// Usage: filter_bench [iterations [filter JSON]]
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "eventdest/event.hpp"
#include "eventdest/filter.hpp"
#include "filter/filter_program.hpp"

namespace {

constexpr const char* kDefaultFilter =
    R"({"topic":"orders.created","data":{"total":{"$gte":1000},"items":{"tags":"coffee"}}})";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  v.Accept(w);
  return b.GetString();
}

// Best of 5 rounds of `n` calls, ns per call.
template <typename F>
double ns_per_call(F&& f, int n) {
  for (int i = 0; i < n / 4; ++i)
    f();
  double best = 1e300;
  for (int round = 0; round < 5; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i)
      f();
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count() / n);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000000;
  const std::string filter_text = argc > 2 ? argv[2] : kDefaultFilter;
  const char* const kFilter = filter_text.c_str();
  rapidjson::Document source;
  source.Parse(slurp(EVENTDEST_BENCH_DIR "/data/jmespath_event.json").c_str());

  // The event, and the document a destination filters: {id, topic, time, metadata, data}.
  std::string metadata;
  for (const auto& m : source["metadata"].GetObject()) {
    const std::string k = m.name.GetString();
    if (k == "event-id" || k == "topic" || k == "timestamp") continue;  // system metadata
    metadata += (metadata.empty() ? "" : ",") + dump(m.name) + ":" + dump(m.value);
  }
  const std::string event_json =
      R"({"id":"0190f2a4-6c1e-7b3a-9d2f-5e8c1a7b4d3e","topic":"orders.created",)"
      R"("time":"2024-01-01T00:00:00Z","metadata":{)" +
      metadata + R"(},"data":)" + dump(source["data"]) + "}";
  const eventdest::Event event = eventdest::Event::from_json(event_json);
  rapidjson::Document doc;
  doc.Parse(event_json.c_str());

  const auto filter = eventdest::Filter::compile(kFilter);
  if (!filter.matches(event) || !eventdest::filter_detail::evaluate(filter.program(), doc)) {
    std::fprintf(stderr, "filter_bench: the filter should match the event\n");
    return 1;
  }
  volatile bool sink = false;
  const double ours_doc =
      ns_per_call([&] { sink = eventdest::filter_detail::evaluate(filter.program(), doc); }, n);
  const double ours_event = ns_per_call([&] { sink = filter.matches(event); }, n);
  (void)sink;

  // The peer, on the same document and filter.
  const std::string dir = "/tmp/eventdest-filter-bench";
  std::system(("mkdir -p " + dir).c_str());
  std::ofstream(dir + "/event.json") << event_json;
  std::ofstream(dir + "/filter.json") << kFilter;
  const std::string cmd = "node " EVENTDEST_BENCH_DIR "/filter_peer.js " EVENTDEST_SOURCE_DIR
                          "/tools/peers/node_modules " +
                          dir + "/event.json " + dir + "/filter.json";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p))
    out += buf;
  if (!p || pclose(p) != 0) {
    std::fprintf(stderr, "filter_bench: node filter_peer.js failed: %s\n", out.c_str());
    return 1;
  }
  rapidjson::Document peer;
  peer.Parse(out.c_str());
  if (peer.HasParseError() || !peer["result"].GetBool()) {
    std::fprintf(stderr, "filter_bench: unexpected peer output: %s\n", out.c_str());
    return 1;
  }
  const double node = peer["ns"].GetDouble();

  std::printf("filter %s on a %zu-byte event (ns per match, best of 5 rounds)\n", kFilter,
              event_json.size());
  std::printf("  simple-json-match %s on node %s: %9.1f ns\n", peer["version"].GetString(),
              "(document already an object)", node);
  std::printf("  eventdest, document already parsed:           %9.1f ns   %6.1fx faster\n",
              ours_doc, node / ours_doc);
  std::printf("  eventdest, Filter::matches(Event) (builds the document from the event):\n");
  std::printf("                                                %9.1f ns   %6.1fx faster\n",
              ours_event, node / ours_event);
  return 0;
}
