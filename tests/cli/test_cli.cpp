// The eventdest CLI against its contract (DESIGN.md): exit codes, stdout reports in input order,
// field-level messages on stderr, and no secret in any output.
#include <dirent.h>
#include <rapidjson/document.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "cli_child.hpp"
#include "eventdest/version.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "support/catch.hpp"

using namespace eventdest::test;

namespace {

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the CLI with `args` (shell-quoted by the caller) and `input` on stdin.
Run cli(const std::string& args, const std::string& input = "") {
  char dir[] = "/tmp/eventdest-cli-XXXXXX";
  const std::string d = mkdtemp(dir);
  std::ofstream(d + "/in") << input;
  const std::string cmd =
      std::string(EVENTDEST_CLI) + " " + args + " <" + d + "/in >" + d + "/out 2>" + d + "/err";
  const int status = std::system(cmd.c_str());
  Run r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(d + "/out");
  r.err = slurp(d + "/err");
  std::system(("rm -rf " + d).c_str());
  return r;
}

std::string write_temp(const std::string& content) {
  char name[] = "/tmp/eventdest-spec-XXXXXX";
  const int fd = mkstemp(name);
  close(fd);
  std::ofstream(name) << content;
  return name;
}

const std::string kInvalidDir = std::string(EVENTDEST_SOURCE_DIR) + "/tests/cli/invalid";

}  // namespace

TEST_CASE("validate: exit 2 with every field problem for each invalid example", "[cli]") {
  DIR* dir = opendir(kInvalidDir.c_str());
  REQUIRE(dir != nullptr);
  int examples = 0;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name.size() < 5 || name.substr(name.size() - 5) != ".json") continue;
    ++examples;
    const std::string base = kInvalidDir + "/" + name.substr(0, name.size() - 5);
    INFO(name);
    const Run r = cli("validate --destination " + base + ".json");
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    for (const auto& expected : lines(slurp(base + ".expected"))) {
      INFO(r.err);
      CHECK(r.err.find(expected) != std::string::npos);
    }
    CHECK(r.err.find("SuperSecretValue1") == std::string::npos);
    CHECK(r.err.find('\x1b') == std::string::npos);  // control characters arrive escaped
  }
  closedir(dir);
  CHECK(examples >= 6);
}

TEST_CASE("--version names the version and the malloc the build linked, serving", "[cli]") {
  const Run r = cli("--version");
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("eventdest " + std::string(eventdest::kVersion) + "\n", 0) == 0);
#if defined(EVENTDEST_CLI_EXPECTS_JEMALLOC)
  // jemalloc's own count of what its malloc handed out grew: it serves malloc, not only linked.
  CHECK(r.out.find("\nmalloc: jemalloc ") != std::string::npos);
  CHECK(r.out.find("not serving") == std::string::npos);
#else
  CHECK(r.out.find("\nmalloc: the C library's malloc\n") != std::string::npos);
#endif
}

TEST_CASE("validate: a valid spec exits 0; usage errors exit 2", "[cli]") {
  const auto spec = write_temp(
      R"({"type":"kafka_rest","config":{"bootstrap_servers":"http://127.0.0.1:8082","cluster_id":"c","topic":"t"}})");
  CHECK(cli("validate --destination " + spec).exit_code == 0);
  // The spec's name is shown escaped: no terminal control sequence, no forged second line.
  const auto named = write_temp(
      R"({"type":"kafka_rest","name":"\u001b[31mred\nvalid kafka","config":{"bootstrap_servers":)"
      R"("http://127.0.0.1:8082","cluster_id":"c","topic":"t"}})");
  const Run r = cli("validate --destination " + named);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "valid kafka_rest destination \"\\x1b[31mred\\nvalid kafka\"\n");
  std::remove(named.c_str());
  CHECK(cli("validate").exit_code == 2);
  CHECK(cli("validate --destination /nonexistent.json").exit_code == 2);
  CHECK(cli("frobnicate").exit_code == 2);
  CHECK(cli("publish --bogus x").exit_code == 2);
  CHECK(cli("").exit_code == 2);
  std::remove(spec.c_str());
}

TEST_CASE("publish: one report per event in input order, exit 0/1/2", "[cli]") {
  FakeKinesis sink;
  const auto spec = write_temp(
      R"({"type":"aws_kinesis","topics":["orders"],"config":{"stream_name":"s","region":"us-east-1",)"
      R"("endpoint":")" +
      sink.url() +
      R"(","partition_key_template":"data.customer_id"},)"
      R"("credentials":{"key":"AKID","secret":"SuperSecretValue1"}})");
  std::string input;
  for (int i = 0; i < 300; ++i) {
    input += R"({"id":"e)" + std::to_string(i) + R"(","topic":")" + (i == 7 ? "users" : "orders") +
             R"(","data":{"customer_id":"c)" + std::to_string(i % 5) + R"("}})" + "\n";
  }
  Run r = cli("publish --destination " + spec, input);
  CHECK(r.exit_code == 0);
  auto out = lines(r.out);
  REQUIRE(out.size() == 300);
  for (int i = 0; i < 300; ++i) {
    rapidjson::Document doc;
    doc.Parse(out[static_cast<std::size_t>(i)].c_str());
    REQUIRE(doc.IsObject());
    CHECK(std::string(doc["event_id"].GetString()) == "e" + std::to_string(i));  // input order
    CHECK(std::string(doc["status"].GetString()) == (i == 7 ? "not_matched" : "delivered"));
  }
  CHECK(sink.stored().size() == 299);
  CHECK(r.err.find("299 delivered, 0 failed, 1 not matched") != std::string::npos);

  // A bad input line is a failed report at its place; the rest is still published.
  r = cli("publish --destination " + spec + " --input -",
          "{\"topic\":\"orders\",\"data\":1}\nnot json\n\n{\"topic\":\"orders\"}\n");
  CHECK(r.exit_code == 1);
  out = lines(r.out);
  REQUIRE(out.size() == 3);
  CHECK(out[0].find("\"delivered\"") != std::string::npos);
  CHECK(out[1].find("\"invalid_event\"") != std::string::npos);
  CHECK(out[1].find("\"line\":2") != std::string::npos);
  CHECK(out[2].find("data: is required") != std::string::npos);

  // Server-side failures: exit 1, the error in the report.
  sink.script_requests([](std::size_t, const ServerRequest&) -> std::optional<Action> {
    return Action::respond(400, {}, R"({"__type":"AccessDeniedException","message":"no"})");
  });
  r = cli("publish --destination " + spec, "{\"topic\":\"orders\",\"data\":1}\n");
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("\"access_denied\"") != std::string::npos);
  CHECK(r.out.find("SuperSecretValue1") == std::string::npos);
  CHECK(r.err.find("SuperSecretValue1") == std::string::npos);

  CHECK(cli("publish --destination " + kInvalidDir + "/typos.json", "").exit_code == 2);
  std::remove(spec.c_str());
}

TEST_CASE("publish --raw --topic: each line is an event's data", "[cli]") {
  FakeKinesis sink;
  const auto spec = write_temp(
      R"({"type":"aws_kinesis","topics":["webhooks"],"config":{"stream_name":"s",)"
      R"("region":"us-east-1","endpoint":")" +
      sink.url() + R"(","timestamp_format":"unix_ms"},"credentials":{"key":"AKID","secret":"x"}})");
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // Webhook bodies as received: spacing kept byte for byte, CRLF input, one body invalid.
  Run r =
      cli("publish --destination " + spec + " --topic webhooks --raw",
          "{\"type\": \"charge.succeeded\",  \"amount\": 1.50}\r\n[1,2]\nnot json\n\n\"text\"\n");
  CHECK(r.exit_code == 1);
  auto out = lines(r.out);
  REQUIRE(out.size() == 4);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < 4; ++i) {
    rapidjson::Document doc;
    doc.Parse(out[i].c_str());
    REQUIRE(doc.IsObject());
    INFO(out[i]);
    CHECK(std::string(doc["status"].GetString()) == (i == 2 ? "failed" : "delivered"));
    if (i != 2) ids.insert(doc["event_id"].GetString());
  }
  CHECK(ids.size() == 3);  // a generated id each
  CHECK(out[2].find("\"line\":3") != std::string::npos);
  const auto stored = sink.stored();
  REQUIRE(stored.size() == 3);
  std::vector<std::string> data;
  for (const auto& e : stored) {
    rapidjson::Document doc;
    doc.Parse(e.data.c_str());
    REQUIRE(doc.IsObject());
    CHECK(std::string(doc["metadata"]["topic"].GetString()) == "webhooks");
    CHECK(ids.count(doc["metadata"]["event-id"].GetString()) == 1);
    const long long t = std::stoll(doc["metadata"]["timestamp"].GetString());
    CHECK(t >= before);  // the current time
    CHECK(t <= before + 60000);
    const auto at = e.data.find("\"data\":");
    data.push_back(e.data.substr(at + 7, e.data.size() - at - 8));
  }
  std::sort(data.begin(), data.end());
  CHECK(data == std::vector<std::string>{"\"text\"", "[1,2]",
                                         "{\"type\": \"charge.succeeded\",  \"amount\": 1.50}"});

  // --raw and --topic only together.
  CHECK(cli("publish --destination " + spec + " --raw", "{}\n").exit_code == 2);
  CHECK(cli("publish --destination " + spec + " --topic webhooks", "{}\n").exit_code == 2);
  CHECK(sink.stored().size() == 3);
  std::remove(spec.c_str());
}

TEST_CASE("partition-key prints one key per event", "[cli]") {
  const auto spec = write_temp(
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1",)"
      R"x("partition_key_template":"join('-', [metadata.source, data.customer_id])"}})x");
  const Run r =
      cli("partition-key --destination " + spec,
          R"({"id":"a","topic":"t","metadata":{"source":"web"},"data":{"customer_id":"c1"}})"
          "\n"
          R"({"id":"b","topic":"t","data":{"customer_id":"c2"}})"
          "\n");
  CHECK(r.exit_code == 0);
  CHECK(lines(r.out) == std::vector<std::string>{"web-c1", "b"});  // join fails on null: event id
  std::remove(spec.c_str());
}

TEST_CASE("publish and partition-key: hostile lines fail alone, reports stay valid JSON", "[cli]") {
  FakeKinesis sink;
  const auto spec = write_temp(
      R"({"type":"aws_kinesis","topics":["orders"],"config":{"stream_name":"s","region":"us-east-1",)"
      R"("endpoint":")" +
      sink.url() +
      R"x(","partition_key_template":"to_string(data)"},)x"
      R"("credentials":{"key":"AKID","secret":"secret"}})");
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  const std::vector<std::string> input_lines = {
      R"({"id":"ok1","topic":"orders","data":1})",
      R"({"topic":"orders","data":)" + deep + "}",  // used to crash the process
      R"({"id":"p\udc00","topic":"orders","data":1})",
      R"({"topic":"\u0000","data":1})",
      std::string(R"({"topic":"orders","data":1})") + '\0' + R"({"topic":"evil"})",
      R"({"topic":"orders","metadata":{"k":"1","k":"2"},"data":1})",
      R"({"topic":"orders","data":{"s":"\udc00"}})",
      R"({"id":"ok2","topic":"orders","data":2})"};
  std::string input;
  for (const auto& l : input_lines)
    input += l + "\n";
  const Run r = cli("publish --destination " + spec, input);
  CHECK(r.exit_code == 1);
  const auto out = lines(r.out);
  REQUIRE(out.size() == input_lines.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    INFO("report " << i + 1 << ": " << out[i]);
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(out[i].c_str(), out[i].size());
    REQUIRE_FALSE(doc.HasParseError());
    const bool good = i == 0 || i + 1 == out.size();
    CHECK(std::string(doc["status"].GetString()) == (good ? "delivered" : "failed"));
    if (!good) {
      CHECK(std::string(doc["error"].GetString()) == "invalid_event");
      CHECK(doc["line"].GetUint64() == i + 1);
    }
  }
  CHECK(out[1].find("nested more than 512 levels") != std::string::npos);
  CHECK(out[4].find("NUL byte") != std::string::npos);
  CHECK(out[5].find("duplicate key") != std::string::npos);
  REQUIRE(sink.stored().size() == 2);

  // partition-key evaluates templates over the data: one line per event, no crash.
  const std::string nested = std::string(70000, '[') + std::string(70000, ']');
  const Run k = cli("partition-key --destination " + spec,
                    R"({"id":"a","topic":"t","data":)" + nested + "}\n" +
                        R"({"id":"b","topic":"t","data":[1]})" + "\n");
  CHECK(k.exit_code == 1);
  CHECK(lines(k.out) == std::vector<std::string>{"", "[1]"});
  CHECK(k.err.find("line 1: ") != std::string::npos);
  std::remove(spec.c_str());
}

TEST_CASE("jmespath evaluates, and exits 1 on errors", "[cli]") {
  Run r = cli("jmespath 'people[?age > `30`].name | sort(@)'",
              R"({"people":[{"name":"b","age":40},{"name":"a","age":31},{"name":"c","age":20}]})");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "[\"a\",\"b\"]\n");
  r = cli("jmespath 'foo.['", "{}");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("^") != std::string::npos);
  r = cli("jmespath 'abs(foo)'", R"({"foo":"x"})");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("invalid-type") != std::string::npos);
  CHECK(cli("jmespath 'a'", "{not json").exit_code == 1);
}

TEST_CASE("filter: true or false per event line; exit 2 on an invalid filter", "[cli][filter]") {
  const std::string events =
      R"({"id":"a","topic":"orders","time":"2024-03-01T10:00:00Z","data":{"total":120,"tags":["vip"]}})"
      "\n"
      R"({"id":"b","topic":"orders","time":"2024-03-01T10:00:00Z","data":{"total":5}})"
      "\n\n"
      R"({"id":"c","topic":"refunds","metadata":{"region":"eu"},"data":{"total":500}})"
      "\n";
  const std::string filter =
      R"({"topic":"orders","data":{"$or":[{"total":{"$gte":100}},{"tags":"vip"}]}})";
  const Run r = cli("filter --filter '" + filter + "'", events);
  CHECK(r.exit_code == 0);
  CHECK(lines(r.out) == std::vector<std::string>{"true", "false", "false"});
  CHECK(r.err.empty());

  // @FILE and --input; the document is {id, topic, time (RFC 3339), metadata, data}.
  const std::string file = write_temp(R"({"metadata":{"region":"eu"},"time":{"$gte":"2024"}})");
  const std::string input = write_temp(events);
  const Run f = cli("filter --filter @" + file + " --input " + input);
  CHECK(f.exit_code == 0);
  CHECK(lines(f.out) == std::vector<std::string>{"false", "false", "true"});

  // A bad event line: an empty output line (one per event), exit 1.
  const Run bad = cli("filter --filter '{}'", "{\"topic\":\"t\",\"data\":1}\nnot json\n");
  CHECK(bad.exit_code == 1);
  CHECK(lines(bad.out) == std::vector<std::string>{"true", ""});
  CHECK(bad.err.find("line 2") != std::string::npos);

  const Run invalid = cli(R"(filter --filter '{"data":{"$gtt":1,"$or":{}}}')", events);
  CHECK(invalid.exit_code == 2);
  CHECK(invalid.out.empty());
  CHECK(invalid.err.find("filter.data.$gtt: unknown operator") != std::string::npos);
  CHECK(invalid.err.find("filter.data.$or: must be an array of conditions") != std::string::npos);
  CHECK(cli("filter --filter '{\"a\":'", events).exit_code == 2);
  CHECK(cli("filter", events).exit_code == 2);
  std::remove(file.c_str());
  std::remove(input.c_str());
}
