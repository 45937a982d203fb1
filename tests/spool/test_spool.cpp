// A spooled destination against the scriptable Kinesis sink: events kept across a restart and
// replayed first, max_bytes, the lock, damaged files, a full disk, group commit.
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "eventdest/eventdest.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

struct TempDir {
  TempDir() {
    char t[] = "/tmp/eventdest-spool-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { (void)std::system(("rm -rf " + path).c_str()); }
  std::string path;
};

std::string spooled_spec(const std::string& url, const std::string& dir,
                         const std::string& spool_extra = "", const std::string& extra = "") {
  return R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":")" +
         url +
         R"(","linger_ms":2,"retry_backoff_ms":5,"retry_backoff_max_ms":20,"spool":{"dir":")" +
         dir + R"(")" + spool_extra + "}" + extra +
         R"(},"credentials":{"key":"AKIDEXAMPLE","secret":"secret"}})";
}

// One request at a time: the sink stores events in the order they were sent.
const std::string kOneRequestAtATime = R"(,"max_in_flight_requests":1)";

Event numbered(int i) {
  Event e("orders", R"({"i":)" + std::to_string(i) + "}");
  e.set_id("e" + std::to_string(i));
  return e;
}

std::vector<std::string> files_ending(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(dir + "/" + name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// Leaves `n` events in the spool: the sink refuses every request, the destination closes at once.
void leave_in_spool(const std::string& dir, int n, const std::string& spool_extra = "") {
  FakeKinesis down;
  down.script_requests([](std::size_t, const ServerRequest&) { return Action::reset(); });
  ReportCollector reports;
  auto d = make_destination(spooled_spec(down.url(), dir, spool_extra));
  for (int i = 0; i < n; ++i)
    d->publish(numbered(i), reports.callback());
  d->close(std::chrono::milliseconds(0));
  REQUIRE(reports.total() == static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto& r = reports.by_id["e" + std::to_string(i)][0];
    CHECK(r.error == make_error_code(errc::closed));
    CHECK(r.message.find("kept in the spool") != std::string::npos);
  }
}

}  // namespace

TEST_CASE("spool: events without an outcome survive a restart and are replayed first", "[spool]") {
  TempDir dir;
  leave_in_spool(dir.path, 50);
  const SpoolContents held = inspect_spool(dir.path);
  CHECK(held.events == 50);
  CHECK(held.oldest_id == "e0");
  CHECK(held.segments >= 1);

  FakeKinesis sink;
  auto d = make_destination(spooled_spec(sink.url(), dir.path, "", kOneRequestAtATime));
  ReportCollector replayed, fresh;
  CHECK(d->replay(replayed.callback()) == 50);
  CHECK(d->replay(replayed.callback()) == 0);  // once
  for (int i = 100; i < 110; ++i)
    d->publish(numbered(i), fresh.callback());
  d->close();
  REQUIRE(replayed.total() == 50);
  for (int i = 0; i < 50; ++i) {
    const auto& r = replayed.by_id["e" + std::to_string(i)][0];
    CHECK(r.delivered());
    CHECK(r.replayed);
    CHECK(r.possible_duplicate);
  }
  REQUIRE(fresh.total() == 10);
  for (const auto& [id, list] : fresh.by_id) {
    CHECK(list[0].delivered());
    CHECK_FALSE(list[0].replayed);
  }
  // The replayed events went out before the new ones.
  const auto stored = sink.stored();
  REQUIRE(stored.size() == 60);
  CHECK(stored.front().event_id.rfind("e", 0) == 0);
  std::set<std::string> first50;
  for (std::size_t i = 0; i < 50; ++i)
    first50.insert(stored[i].event_id);
  CHECK(first50.count("e0"));
  CHECK_FALSE(first50.count("e100"));
  CHECK(d->metrics().replayed == 50);
  CHECK(inspect_spool(dir.path).events == 0);
  CHECK(files_ending(dir.path, ".seg").empty());
}

TEST_CASE("spool: replay starts by itself at the first publish, reports to the log", "[spool]") {
  TempDir dir;
  leave_in_spool(dir.path, 5);
  FakeKinesis sink;
  ReportCollector fresh;
  {
    auto d = make_destination(spooled_spec(sink.url(), dir.path, "", kOneRequestAtATime));
    d->publish(numbered(7), fresh.callback());
    d->close();
  }
  CHECK(fresh.total() == 1);
  std::set<std::string> ids;
  for (const auto& e : sink.stored())
    ids.insert(e.event_id);
  CHECK(ids == std::set<std::string>{"e0", "e1", "e2", "e3", "e4", "e7"});
  CHECK(sink.stored().back().event_id == "e7");
}

TEST_CASE("spool: max_bytes applies on_queue_full", "[spool]") {
  TempDir dir;
  FakeKinesis stalled;
  stalled.script_requests([](std::size_t, const ServerRequest&) { return Action::stall(); });
  SECTION("fail: queue_full at once") {
    ReportCollector reports;
    auto d =
        make_destination(spooled_spec(stalled.url(), dir.path, R"(,"max_bytes":1048576)",
                                      R"(,"on_queue_full":"fail","request_timeout_ms":60000)"));
    const std::string pad(10000, 'x');
    for (int i = 0; i < 200; ++i) {
      Event e("orders", "\"" + pad + "\"");
      e.set_id("e" + std::to_string(i));
      d->publish(std::move(e), reports.callback());
    }
    std::size_t full = 0;
    for (const auto& [id, list] : reports.by_id) {
      full += list[0].error == make_error_code(errc::queue_full);
      if (list[0].error == make_error_code(errc::queue_full)) {
        CHECK(list[0].message.find("the spool is full") != std::string::npos);
      }
    }
    CHECK(full > 50);  // 200 x 10 KB into 1 MiB
    CHECK(d->metrics().spooled_bytes <= 1048576);
    d->close(std::chrono::milliseconds(0));
  }
}

TEST_CASE("spool: a second destination on the same spool is refused", "[spool]") {
  TempDir dir;
  FakeKinesis sink;
  auto first = make_destination(spooled_spec(sink.url(), dir.path));
  try {
    make_destination(spooled_spec(sink.url(), dir.path));
    FAIL("no ConfigError");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].field == "config.spool.dir");
    CHECK(e.problems()[0].problem.find("is in use by another destination or process") !=
          std::string::npos);
  }
  first->close();
  auto again = make_destination(spooled_spec(sink.url(), dir.path));  // released by close
}

TEST_CASE("spool: a torn tail and flipped bits cost only the damaged records", "[spool]") {
  TempDir dir;
  leave_in_spool(dir.path, 20);
  auto segments = files_ending(dir.path, ".seg");
  REQUIRE(segments.size() == 1);
  std::string bytes;
  {
    std::ifstream in(segments[0], std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Flip a byte inside the 6th record's payload, and cut the last record in half.
  const std::size_t sixth = bytes.find("\"id\":\"e5\"");
  REQUIRE(sixth != std::string::npos);
  bytes[sixth + 7] ^= 0x01;
  bytes.resize(bytes.size() - 10);
  {
    std::ofstream out(segments[0], std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  const SpoolContents held = inspect_spool(dir.path);
  CHECK(held.events == 18);
  CHECK(held.damaged_regions == 1);
  CHECK(held.torn_tail_bytes > 0);

  FakeKinesis sink;
  auto d = make_destination(spooled_spec(sink.url(), dir.path));
  ReportCollector replayed;
  CHECK(d->replay(replayed.callback()) == 18);
  d->close();
  CHECK_FALSE(replayed.by_id.count("e5"));
  CHECK_FALSE(replayed.by_id.count("e19"));
  CHECK(replayed.by_id.count("e18"));
  const auto m = d->metrics();
  CHECK(m.spool_torn_tails == 1);
  CHECK(m.spool_damaged_records == 1);
}

TEST_CASE("spool: a full disk fails publish at once, what was spooled stays", "[spool]") {
  TempDir dir;
  FakeKinesis down;
  down.script_requests([](std::size_t, const ServerRequest&) { return Action::reset(); });
  ReportCollector reports;
  {
    // Segments of 64 KiB are allocated whole: the big event below needs a new one.
    auto d = make_destination(spooled_spec(down.url(), dir.path, R"(,"segment_bytes":65536)"));
    for (int i = 0; i < 5; ++i)
      d->publish(numbered(i), reports.callback());
    // A file-size limit stands in for a full disk: allocating past it fails with EFBIG.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction previous {};
    sigaction(SIGXFSZ, &ignore, &previous);
    rlimit saved{};
    getrlimit(RLIMIT_FSIZE, &saved);
    rlimit small = saved;
    small.rlim_cur = 4096;
    setrlimit(RLIMIT_FSIZE, &small);
    const std::string pad(70000, 'x');
    Event big("orders", "\"" + pad + "\"");
    big.set_id("big");
    d->publish(std::move(big), reports.callback());
    setrlimit(RLIMIT_FSIZE, &saved);
    sigaction(SIGXFSZ, &previous, nullptr);
    REQUIRE(reports.by_id.count("big"));
    const auto& r = reports.by_id["big"][0];
    CHECK(r.error == make_error_code(errc::spool_failed));
    CHECK(r.message.find("cannot allocate") != std::string::npos);
    CHECK(r.message.find("too large") != std::string::npos);  // EFBIG's text
    d->publish(numbered(5), reports.callback());              // after the limit: works again
    d->close(std::chrono::milliseconds(0));
  }
  const SpoolContents held = inspect_spool(dir.path);
  CHECK(held.events == 6);
  CHECK(held.damaged_regions == 0);
  CHECK(held.torn_tail_bytes == 0);
}

TEST_CASE("spool: sync_ms 0 shares fsyncs between concurrent publishers", "[spool]") {
  TempDir dir;
  FakeKinesis sink;
  auto d = make_destination(spooled_spec(sink.url(), dir.path, R"(,"sync_ms":0)"));
  ReportCollector reports;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i)
        d->publish(numbered(t * 1000 + i), reports.callback());
    });
  }
  for (auto& t : threads)
    t.join();
  d->close();
  REQUIRE(reports.total() == 400);
  const auto m = d->metrics();
  CHECK(m.spool_fsyncs >= 1);
  CHECK(m.spool_fsyncs <= 400);
  CHECK(m.spooled_events == 0);
  CHECK(files_ending(dir.path, ".seg").empty());
}

TEST_CASE("spool config: every problem at once", "[spool][spec]") {
  try {
    make_destination(R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1",)"
                     R"("spool":{"max_bytes":5,"sync_ms":-1,"colour":"red"}}})");
    FAIL("no ConfigError");
  } catch (const ConfigError& e) {
    std::map<std::string, std::string> by_field;
    for (const auto& p : e.problems())
      by_field[p.field] = p.problem;
    CHECK(by_field["config.spool.dir"] == "is required (a directory path)");
    CHECK(by_field.count("config.spool.max_bytes"));
    CHECK(by_field.count("config.spool.sync_ms"));
    CHECK(by_field["config.spool.colour"] == "unknown field");
  }
  try {
    make_destination(R"({"type":"kafka_rest","config":{"url":"http://127.0.0.1:1","topic":"t",)"
                     R"("cluster_id":"c","spool":"not an object"}})");
    FAIL("no ConfigError");
  } catch (const ConfigError& e) {
    bool found = false;
    for (const auto& p : e.problems())
      found |= p.field == "config.spool";
    CHECK(found);
  }
}
