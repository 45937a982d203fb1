// `eventdest publish` and `validate` with several destinations (a Router): one report per
// (event, matching destination), in input order then destination order, each naming its
// destination; counts per destination in the summary; problems prefixed by id or index.
#include <rapidjson/document.h>

#include <fstream>

#include "cli/cli_child.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "support/catch.hpp"

using namespace eventdest::test;

namespace {

std::string write_temp(const std::string& text) {
  char name[] = "/tmp/eventdest-spec-XXXXXX";
  const int fd = mkstemp(name);
  close(fd);
  std::ofstream(name) << text;
  return name;
}

std::string kinesis_spec(const std::string& id, const std::string& url, const std::string& topics,
                         const std::string& filter = "") {
  return R"({"id":")" + id + R"(","type":"aws_kinesis","topics":)" + topics + filter +
         R"(,"config":{"stream_name":"s","region":"us-east-1","endpoint":")" + url +
         R"("},"credentials":{"key":"AKID","secret":"s"}})";
}

}  // namespace

TEST_CASE("publish to several destinations: reports per matching destination, in order",
          "[cli][router]") {
  FakeKinesis a, b;
  const std::string fa = write_temp(kinesis_spec("orders-a", a.url(), R"(["orders"])"));
  const std::string fb = write_temp(kinesis_spec("big-b", b.url(), R"(["orders","refunds"])",
                                                 R"(,"filter":{"data":{"n":{"$gte":10}}})"));
  CliChild run({"publish", "--destination", fa, "--destination", fb, "--no-progress"});
  run.write(R"({"id":"e1","topic":"orders","data":{"n":1}})"
            "\n"
            R"({"id":"e2","topic":"orders","data":{"n":20}})"
            "\n"
            R"({"id":"e3","topic":"other","data":{"n":20}})"
            "\n"
            R"({"id":"e4","topic":"refunds","data":{"n":30}})"
            "\n");
  run.close_stdin();
  CHECK(run.wait() == 0);
  const auto out = lines(run.out());
  // e1 -> a; e2 -> a, b; e3 -> none (no line); e4 -> b.
  const std::vector<std::pair<std::string, std::string>> want = {
      {"e1", "orders-a"}, {"e2", "orders-a"}, {"e2", "big-b"}, {"e4", "big-b"}};
  REQUIRE(out.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    rapidjson::Document doc;
    doc.Parse(out[i].c_str());
    REQUIRE(doc.IsObject());
    CHECK(std::string(doc["event_id"].GetString()) == want[i].first);
    CHECK(std::string(doc["destination_id"].GetString()) == want[i].second);
    CHECK(std::string(doc["status"].GetString()) == "delivered");
  }
  const std::string err = run.err();
  CHECK(err.find("orders-a: 2 delivered, 0 failed") != std::string::npos);
  CHECK(err.find("big-b: 2 delivered, 0 failed") != std::string::npos);
  CHECK(a.stored().size() == 2);
  CHECK(b.stored().size() == 2);

  // The same destinations from one --destinations file (Outpost's list response).
  const std::string list = write_temp("[" + kinesis_spec("orders-a", a.url(), R"(["orders"])") +
                                      "," + kinesis_spec("x", b.url(), R"(["*"])") + "]");
  CliChild again({"publish", "--destinations", list, "--no-progress"});
  again.write(R"({"id":"e9","topic":"orders","data":{"n":1}})"
              "\n");
  again.close_stdin();
  CHECK(again.wait() == 0);
  CHECK(lines(again.out()).size() == 2);
  for (const auto& f : {fa, fb, list})
    std::remove(f.c_str());
}

TEST_CASE("validate several destinations: every problem, prefixed by id or index",
          "[cli][router]") {
  const std::string f1 = write_temp(R"({"type":"aws_kinesis","config":{"stream_name":"s"}})");
  const std::string f2 =
      write_temp(R"({"id":"rest","type":"kafka_rest","config":{"cluster_id":"c"}})");
  CliChild run({"validate", "--destination", f1, "--destination", f2});
  run.close_stdin();
  CHECK(run.wait() == 2);
  const std::string err = run.err();
  CHECK(err.find("[0].config.region: is required") != std::string::npos);
  CHECK(err.find("rest.config.topic") != std::string::npos);
  std::remove(f1.c_str());
  std::remove(f2.c_str());
}
