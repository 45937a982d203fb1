// Crash torture: 20 rounds of a process publishing through a spooled destination to a sink that is
// down or failing every other request, killed with SIGKILL at a random moment, then a process
// that drains the spool with the sink up. Every event whose publish() had returned at least the
// sync interval before the kill is delivered at least once; an event stored twice was replayed
// (and so reported possible_duplicate); the spool ends empty.
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "kinesis/fake_kinesis.hpp"
#include "support/catch.hpp"
#include "support/subprocess.hpp"

using namespace eventdest::test;
using Steady = std::chrono::steady_clock;

namespace {

std::size_t segment_files(const std::string& dir) {
  std::size_t n = 0;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    n += name.size() > 4 && name.compare(name.size() - 4, 4, ".seg") == 0;
  }
  closedir(d);
  return n;
}

}  // namespace

TEST_CASE("spool crash torture: SIGKILL at random moments, nothing returned is lost",
          "[spool][crash]") {
  FakeKinesis sink;
  char dir_template[] = "/tmp/eventdest-spool-crash-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  std::mt19937 random(20261205);
  std::set<std::string> required;  // publish() returned a sync interval before the kill
  std::set<std::string> replayed;
  std::size_t published = 0;
  for (int round = 0; round < 20; ++round) {
    const int sync_ms = round % 3 == 0 ? 0 : 5;
    // Down (every request reset) or failing every other request (some events delivered before
    // the kill, their release possibly not yet written).
    const bool down = round % 2 == 0;
    sink.script_requests([down](std::size_t n, const ServerRequest&) -> std::optional<Action> {
      if (down || n % 2 == 0) return Action::reset();
      return std::nullopt;
    });
    const std::string prefix = "r" + std::to_string(round);
    std::vector<std::pair<std::string, Steady::time_point>> returned;
    {
      Subprocess child(
          {EVENTDEST_SPOOL_CHILD, "publish", sink.url(), dir, std::to_string(sync_ms), prefix});
      const auto run_for = std::chrono::milliseconds(100 + random() % 500);
      const auto start = Steady::now();
      while (Steady::now() - start < run_for) {
        try {
          const std::string line = child.wait_for_line("S ", std::chrono::milliseconds(200));
          if (line.rfind("P ", 0) == 0) returned.emplace_back(line.substr(2), Steady::now());
        } catch (const std::runtime_error&) {
          // no line within 200 ms (a slow fsync): keep waiting until the round's time is up
        }
      }
      ::kill(child.pid(), SIGKILL);
      const auto killed = Steady::now();
      // A line read here was written before the kill; its publish() returned earlier still.
      const auto durable_before = killed - std::chrono::milliseconds(sync_ms + 20);
      for (const auto& [id, at] : returned) {
        if (at <= durable_before) required.insert(id);
      }
      published += returned.size();
    }                               // the child is reaped here
    sink.script_requests(nullptr);  // the sink is up
    Subprocess drain({EVENTDEST_SPOOL_CHILD, "drain", sink.url(), dir, std::to_string(sync_ms)});
    for (;;) {
      const std::string line = drain.wait_for_line("S ", std::chrono::seconds(60));
      if (line.rfind("DONE", 0) == 0) break;
      std::istringstream words(line);
      std::string kind, id, status, flag;
      words >> kind >> id >> status >> flag;
      INFO(line);
      CHECK(kind == "R");
      CHECK(status == "delivered");
      CHECK(flag == "replayed");
      replayed.insert(id);
    }
    drain.stop();
    std::map<std::string, int> stored;
    for (const auto& e : sink.stored())
      ++stored[e.event_id];
    for (const auto& id : required) {
      INFO("round " << round << ": " << id << " was published before the kill");
      REQUIRE(stored.count(id));
    }
    for (const auto& [id, times] : stored) {
      INFO(id << " stored " << times << " times");
      if (times > 1) CHECK(replayed.count(id));
    }
    CHECK(segment_files(dir) == 0);  // drained: nothing left in the spool
  }
  std::printf(
      "spool crash torture: 20 kills, %zu publishes returned, %zu of them a sync interval "
      "before the kill (all delivered), %zu events replayed\n",
      published, required.size(), replayed.size());
  CHECK(required.size() > 100);
  CHECK_FALSE(replayed.empty());
}
