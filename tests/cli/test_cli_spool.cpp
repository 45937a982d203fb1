// `eventdest publish` with a spooled destination: SIGTERM while the sink is down leaves the
// events in the spool (`eventdest spool` shows them); the next run, with empty input, publishes
// them first and drains the spool.
#include <rapidjson/document.h>

#include <fstream>
#include <set>

#include "cli/cli_child.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "support/catch.hpp"

using namespace eventdest::test;

namespace {

std::string spooled_spec_file(const std::string& url, const std::string& dir) {
  char name[] = "/tmp/eventdest-spec-XXXXXX";
  const int fd = mkstemp(name);
  close(fd);
  std::ofstream(name) << R"({"type":"aws_kinesis","topics":["orders"],"config":{"stream_name":"s",)"
                      << R"("region":"us-east-1","endpoint":")" << url
                      << R"(","retry_backoff_ms":5,"spool":{"dir":")" << dir
                      << R"(","sync_ms":0}},"credentials":{"key":"AKID","secret":"s"}})";
  return name;
}

rapidjson::Document json(const std::string& line) {
  rapidjson::Document doc;
  doc.Parse(line.c_str());
  REQUIRE(doc.IsObject());
  return doc;
}

}  // namespace

TEST_CASE("publish with a spool: interrupted events stay, the next run replays them first",
          "[cli][spool]") {
  char dir_template[] = "/tmp/eventdest-cli-spool-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  FakeKinesis sink;
  sink.script_requests([](std::size_t, const ServerRequest&) { return Action::reset(); });
  const std::string spec = spooled_spec_file(sink.url(), dir);
  {
    CliChild run({"publish", "--destination", spec, "--drain-timeout", "0.2", "--no-progress"});
    for (int i = 0; i < 20; ++i) {
      run.write(R"({"id":"s)" + std::to_string(i) + R"(","topic":"orders","data":{"n":1}})" + "\n");
    }
    REQUIRE(CliChild::until([&] { return sink.requests().size() >= 2; }));
    run.signal(SIGTERM);
    CHECK(run.wait() == 143);
    const auto out = lines(run.out());
    REQUIRE(out.size() == 20);
    for (const auto& line : out) {
      auto doc = json(line);
      CHECK(std::string(doc["error"].GetString()) == "interrupted");
    }
  }
  {
    CliChild show({"spool", "--destination", spec});
    show.close_stdin();
    CHECK(show.wait() == 0);
    auto doc = json(lines(show.out()).at(0));
    CHECK(doc["events"].GetUint64() == 20);
    CHECK(std::string(doc["oldest_id"].GetString()) == "s0");
    CHECK(std::string(doc["dir"].GetString()) == dir);
  }
  sink.script_requests(nullptr);
  {
    CliChild drain({"publish", "--destination", spec, "--no-progress"});
    drain.write(R"({"id":"new","topic":"orders","data":{"n":2}})"
                "\n");
    drain.close_stdin();
    CHECK(drain.wait() == 0);
    const auto out = lines(drain.out());
    REQUIRE(out.size() == 21);
    std::set<std::string> replayed;
    for (std::size_t i = 0; i < 20; ++i) {
      auto doc = json(out[i]);
      CHECK(std::string(doc["status"].GetString()) == "delivered");
      CHECK(doc["replayed"].GetBool());
      CHECK(doc["possible_duplicate"].GetBool());
      replayed.insert(doc["event_id"].GetString());
    }
    CHECK(replayed.size() == 20);
    CHECK(std::string(json(out[20])["event_id"].GetString()) == "new");
    CHECK(drain.err().find("20 events from the spool of a previous run") != std::string::npos);
  }
  {
    CliChild show({"spool", "--destination", spec});
    show.close_stdin();
    CHECK(show.wait() == 0);
    CHECK(json(lines(show.out()).at(0))["events"].GetUint64() == 0);
  }
  std::remove(spec.c_str());
  (void)std::system(("rm -rf " + dir).c_str());
}
