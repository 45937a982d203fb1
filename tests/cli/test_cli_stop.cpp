// publish stopped early: SIGINT/SIGTERM (drain, then `interrupted`), a second signal, resuming
// with --skip-lines, stdout that fails (EPIPE, a full disk), stalled and unreadable input.
#include <rapidjson/document.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli_child.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "support/catch.hpp"

using namespace eventdest::test;
using namespace std::chrono_literals;

namespace {

std::string spec_for(const std::string& url) {
  char name[] = "/tmp/eventdest-spec-XXXXXX";
  const int fd = mkstemp(name);
  close(fd);
  std::ofstream(name) << R"({"type":"aws_kinesis","topics":["orders"],"config":{"stream_name":"s",)"
                      << R"("region":"us-east-1","endpoint":")" << url
                      << R"("},"credentials":{"key":"AKID","secret":"s"}})";
  return name;
}

std::string event(const std::string& id) {
  return R"({"id":")" + id + R"(","topic":"orders","data":{"n":1}})" + "\n";
}

struct Counts {
  std::size_t delivered = 0, interrupted = 0, other = 0;
};

// Every line a JSON report; `ids` in input order.
Counts count_reports(const std::vector<std::string>& out, const std::vector<std::string>& ids) {
  Counts c;
  REQUIRE(out.size() == ids.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    rapidjson::Document doc;
    doc.Parse(out[i].c_str());
    REQUIRE(doc.IsObject());
    CHECK(std::string(doc["event_id"].GetString()) == ids[i]);
    const std::string status = doc["status"].GetString();
    if (status == "delivered") {
      ++c.delivered;
    } else if (status == "failed" && std::string(doc["error"].GetString()) == "interrupted") {
      CHECK(doc["retryable"].GetBool() == false);
      ++c.interrupted;
    } else {
      ++c.other;
    }
  }
  return c;
}

std::size_t records_seen(FakeKinesis& sink, const std::string& prefix) {
  std::size_t n = 0;
  for (const auto& [id, attempts] : sink.attempts())
    if (id.rfind(prefix, 0) == 0 && attempts > 0) ++n;
  return n;
}

}  // namespace

TEST_CASE("publish: SIGTERM drains, then reports what is left as interrupted; exit 143",
          "[cli][signals]") {
  FakeKinesis sink;
  // Requests carrying "slow-" events (the partition key is the event id) are never answered.
  sink.script_requests([](std::size_t, const ServerRequest& r) -> std::optional<Action> {
    if (r.body.find("slow-") != std::string::npos) return Action::stall();
    return std::nullopt;
  });
  const auto spec = spec_for(sink.url());
  CliChild child({"publish", "--destination", spec, "--drain-timeout", "1"});
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back("fast-" + std::to_string(i));
    child.write(event(ids.back()));
  }
  // Reports leave at once, though the input is still open.
  REQUIRE(CliChild::until([&] { return lines(child.out()).size() == 5; }));
  for (int i = 0; i < 3; ++i) {
    ids.push_back("slow-" + std::to_string(i));
    child.write(event(ids.back()));
  }
  REQUIRE(CliChild::until([&] { return records_seen(sink, "slow-") == 3; }));
  const auto signalled = std::chrono::steady_clock::now();
  child.signal(SIGTERM);  // the child is blocked reading stdin
  CHECK(child.wait() == 143);
  CHECK(std::chrono::steady_clock::now() - signalled < 5s);  // drain-timeout 1 s
  const Counts c = count_reports(lines(child.out()), ids);
  CHECK(c.delivered == 5);
  CHECK(c.delivered == sink.stored().size());  // delivered = what the sink acknowledged
  CHECK(c.interrupted == 3);
  CHECK(c.other == 0);
  const std::string err = child.err();
  INFO(err);
  CHECK(err.find("8 events to") != std::string::npos);
  CHECK(err.find("stopped by SIGTERM after 8 input lines consumed (resume with --skip-lines 8); "
                 "3 events interrupted, the first from input line 6") != std::string::npos);
  std::remove(spec.c_str());
}

TEST_CASE("publish: SIGINT lets a slow sink finish within --drain-timeout; exit 130",
          "[cli][signals]") {
  FakeKinesis sink;
  std::atomic<std::size_t> acknowledged{0};
  // Every request is answered after 1.5 s, accepting all its records.
  sink.script_requests([&](std::size_t n, const ServerRequest& r) -> std::optional<Action> {
    std::size_t records = 0;
    std::string body = R"({"FailedRecordCount":0,"Records":[)";
    for (auto at = r.body.find("PartitionKey"); at != std::string::npos;
         at = r.body.find("PartitionKey", at + 1)) {
      body += std::string(records > 0 ? "," : "") + R"({"SequenceNumber":")" +
              std::to_string(n * 1000 + records) + R"(","ShardId":"shardId-000000000000"})";
      ++records;
    }
    body += "]}";
    acknowledged += records;
    return Action::respond(200, {{"Content-Type", "application/x-amz-json-1.1"}}, body)
        .after(1500ms);
  });
  const auto spec = spec_for(sink.url());
  CliChild child({"publish", "--destination", spec, "--drain-timeout", "20"});
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back("e" + std::to_string(i));
    child.write(event(ids.back()));
  }
  REQUIRE(CliChild::until([&] { return records_seen(sink, "e") == 6; }));
  child.signal(SIGINT);
  CHECK(child.wait() == 130);
  const Counts c = count_reports(lines(child.out()), ids);
  CHECK(c.delivered == 6);
  CHECK(c.delivered == acknowledged.load());
  CHECK(c.interrupted == 0);
  CHECK(child.err().find("stopped by SIGINT after 6 input lines consumed") != std::string::npos);
  std::remove(spec.c_str());
}

TEST_CASE("publish: a second signal stops at once, still with every report and the summary",
          "[cli][signals]") {
  FakeKinesis sink;
  sink.script_requests(
      [](std::size_t, const ServerRequest&) -> std::optional<Action> { return Action::stall(); });
  const auto spec = spec_for(sink.url());
  CliChild child({"publish", "--destination", spec});  // default drain: 30 s
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back("e" + std::to_string(i));
    child.write(event(ids.back()));
  }
  REQUIRE(CliChild::until([&] { return records_seen(sink, "e") == 4; }));
  const auto signalled = std::chrono::steady_clock::now();
  child.signal(SIGTERM);
  std::this_thread::sleep_for(300ms);
  CHECK(child.wait(10ms) == -2);  // still draining
  child.signal(SIGINT);
  CHECK(child.wait() == 143);  // the first signal decides the code
  CHECK(std::chrono::steady_clock::now() - signalled < 5s);
  const Counts c = count_reports(lines(child.out()), ids);
  CHECK(c.interrupted == 4);
  CHECK(child.err().find("4 events to") != std::string::npos);
  CHECK(child.err().find("stopped by SIGTERM") != std::string::npos);
  std::remove(spec.c_str());
}

TEST_CASE("publish: reports of a stalled input arrive within the linger time", "[cli][output]") {
  FakeKinesis sink;
  const auto spec = spec_for(sink.url());  // linger_ms: 5
  CliChild child({"publish", "--destination", spec});
  child.write(event("a") + event("b") + event("c"));  // then nothing more for a while
  const auto written = std::chrono::steady_clock::now();
  REQUIRE(CliChild::until([&] { return lines(child.out()).size() == 3; }, 2s));
  // A report is a few hundred bytes: without a flush per report they would wait for 4 KiB.
  CHECK(std::chrono::steady_clock::now() - written < 1s);
  CHECK(count_reports(lines(child.out()), {"a", "b", "c"}).delivered == 3);
  child.write(event("d"));
  REQUIRE(CliChild::until([&] { return lines(child.out()).size() == 4; }, 2s));
  child.close_stdin();
  CHECK(child.wait() == 0);
  std::remove(spec.c_str());
}

TEST_CASE("publish --skip-lines resumes after N input lines", "[cli][signals]") {
  FakeKinesis sink;
  const auto spec = spec_for(sink.url());
  CliChild child({"publish", "--destination", spec, "--skip-lines", "3"});
  // A BOM at the start is accepted; skipped lines count blank ones too.
  child.write("\xEF\xBB\xBF" + event("a") + "\n" + event("b") + event("c") + event("d"));
  child.close_stdin();
  CHECK(child.wait() == 0);
  const Counts c = count_reports(lines(child.out()), {"c", "d"});
  CHECK(c.delivered == 2);
  REQUIRE(sink.stored().size() == 2);
  CHECK(sink.stored()[0].event_id == "c");

  CliChild bom({"publish", "--destination", spec});
  bom.write("\xEF\xBB\xBF" + event("x"));
  bom.close_stdin();
  CHECK(bom.wait() == 0);
  CHECK(count_reports(lines(bom.out()), {"x"}).delivered == 1);

  CliChild bad({"publish", "--destination", spec, "--skip-lines", "-1"});
  CHECK(bad.wait() == 2);
  std::remove(spec.c_str());
}

TEST_CASE("publish: EPIPE on stdout stops reading, drains, prints the summary, exits 1",
          "[cli][output]") {
  FakeKinesis sink;
  const auto spec = spec_for(sink.url());
  int out[2];
  REQUIRE(pipe(out) == 0);
  close(out[0]);  // nobody reads the reports
  CliChild child({"publish", "--destination", spec}, out[1]);
  close(out[1]);
  child.write(event("a") + event("b"));  // stdin stays open: only the EPIPE can end the run
  CHECK(child.wait() == 1);
  const std::string err = child.err();
  INFO(err);
  CHECK(err.find("2 events to") != std::string::npos);
  CHECK(err.find("2 delivered") != std::string::npos);
  CHECK(err.find("cannot write reports to stdout: Broken pipe") != std::string::npos);
  CHECK(sink.stored().size() == 2);
  std::remove(spec.c_str());
}

TEST_CASE("publish: a full disk on stdout is reported and exits non-zero", "[cli][output]") {
  FakeKinesis sink;
  const auto spec = spec_for(sink.url());
  const int full = ::open("/dev/full", O_WRONLY);
  REQUIRE(full >= 0);
  CliChild child({"publish", "--destination", spec}, full);
  close(full);
  std::string input;
  for (int i = 0; i < 1000; ++i)
    input += event("e" + std::to_string(i));
  child.write(input);
  child.close_stdin();
  CHECK(child.wait() == 1);
  const std::string err = child.err();
  INFO(err);
  CHECK(err.find("cannot write reports to stdout: No space left on device") != std::string::npos);
  CHECK(err.find("reports lost") != std::string::npos);
  std::remove(spec.c_str());
}

TEST_CASE("publish: input that is a directory or unreadable is an error (exit 2)", "[cli][input]") {
  FakeKinesis sink;
  const auto spec = spec_for(sink.url());
  CliChild dir({"publish", "--destination", spec, "--input", "/tmp"});
  CHECK(dir.wait() == 2);
  CHECK(dir.err().find("directory") != std::string::npos);
  // Opens, but read(2) fails (EIO).
  CliChild unreadable({"publish", "--destination", spec, "--input", "/proc/self/mem"});
  CHECK(unreadable.wait() == 2);
  CHECK(unreadable.err().find("cannot read /proc/self/mem") != std::string::npos);
  CliChild filter({"filter", "--filter", "{}", "--input", "/tmp"});
  CHECK(filter.wait() == 2);
  std::remove(spec.c_str());
}

TEST_CASE("publish: one slow event holds reading at --max-pending, not memory", "[cli][memory]") {
  FakeKinesis sink;
  std::atomic<bool> release{false};
  sink.script_records([&](const KinesisEntry& e, int) -> std::string {
    return e.event_id == "slow" && !release ? "ProvisionedThroughputExceededException" : "";
  });
  char name[] = "/tmp/eventdest-spec-XXXXXX";
  close(mkstemp(name));
  std::ofstream(name) << R"({"type":"aws_kinesis","topics":["orders"],"config":{"stream_name":"s",)"
                      << R"("region":"us-east-1","endpoint":")" << sink.url()
                      << R"(","retry_backoff_ms":5,"retry_backoff_max_ms":20},)"
                      << R"("credentials":{"key":"AKID","secret":"s"}})";
  CliChild child({"publish", "--destination", name, "--max-pending", "100"});
  std::vector<std::string> ids{"slow"};
  std::string input = event("slow");
  for (int i = 0; i < 5000; ++i) {
    ids.push_back("e" + std::to_string(i));
    input += event(ids.back());
  }
  // The child stops reading: the pipe fills, so the input is written from a thread of its own.
  std::thread writer([&] {
    child.write(input);
    child.close_stdin();
  });
  // 99 events after the slow one fill the backlog; then reading waits for the slow one.
  REQUIRE(CliChild::until([&] { return records_seen(sink, "e") >= 99; }, 10s));
  std::this_thread::sleep_for(300ms);  // time for reading to run on, were it not held
  CHECK(records_seen(sink, "e") == 99);
  CHECK(lines(child.out()).empty());  // nothing printed: the first report is still missing
  release = true;
  writer.join();
  CHECK(child.wait() == 0);
  const Counts c = count_reports(lines(child.out()), ids);  // every event once, in input order
  CHECK(c.delivered == ids.size());

  CliChild bad({"publish", "--destination", name, "--max-pending", "0"});
  CHECK(bad.wait() == 2);
  std::remove(name);
}

TEST_CASE("publish: progress only on a terminal, or when asked", "[cli][progress]") {
  FakeKinesis sink;
  const auto spec = spec_for(sink.url());
  std::string input;
  for (int i = 0; i < 50; ++i)
    input += event("p" + std::to_string(i));

  // Tests' stderr is a file, not a terminal: no progress, only the summary.
  CliChild plain({"publish", "--destination", spec});
  plain.write(input);
  plain.close_stdin();
  CHECK(plain.wait() == 0);
  CHECK(plain.err().find('\r') == std::string::npos);
  CHECK(plain.err().find("events/s |") == std::string::npos);
  CHECK(plain.err().find("eventdest: 50 events to") != std::string::npos);

  // --progress draws it anyway: counts, in flight, rate; erased before the summary.
  CliChild forced({"publish", "--destination", spec, "--progress"});
  forced.write(input);
  forced.close_stdin();
  CHECK(forced.wait() == 0);
  const std::string err = forced.err();
  CHECK(err.find("\rread ") != std::string::npos);
  CHECK(err.find(" | in flight ") != std::string::npos);
  CHECK(err.find(" events/s") != std::string::npos);
  CHECK(err.find("\r\x1b[Keventdest: 50 events to") != std::string::npos);
  CHECK(lines(forced.out()).size() == 50);  // stdout holds the reports only

  CliChild off({"publish", "--destination", spec, "--no-progress"});
  off.write(input);
  off.close_stdin();
  CHECK(off.wait() == 0);
  CHECK(off.err().find('\r') == std::string::npos);
  std::remove(spec.c_str());
}
