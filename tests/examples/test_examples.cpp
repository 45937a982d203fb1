// The examples run against real local peers (kinesis-local, the REST Proxy v3 emulator,
// librdkafka's mock cluster) and what they report is read back from each peer.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "kafka/kafka_consumer.hpp"
#include "kafka/mock_cluster.hpp"
#include "kafka_rest/rest_emulator.hpp"
#include "kinesis/kinesis_local.hpp"
#include "support/catch.hpp"

using namespace eventdest::test;

namespace {

struct Run {
  int status = -1;
  std::string out;
};

Run run(const std::string& cmd) {
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  char buffer[4096];
  while (p && std::fgets(buffer, sizeof buffer, p))
    r.out += buffer;
  const int status = p ? pclose(p) : -1;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

std::string temp_dir() {
  char dir[] = "/tmp/eventdest-examples-XXXXXX";
  return mkdtemp(dir);
}

// kinesis-local wants SigV4 headers present (it does not verify them).
void set_aws_env() {
  setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "example-secret", 1);
  unsetenv("AWS_SESSION_TOKEN");
}

// The three local peers the examples publish to, and the environment they read them from
// (AWS credentials for kinesis-local; the REST Proxy's cluster id and API key).
struct ThreePeers {
  ThreePeers()
      : kinesis((set_aws_env(), KinesisLocal::instance())), rest({"--cluster-id", "local"}) {
    kafka.create_topic("orders", 3);
    setenv("KAFKA_REST_CLUSTER_ID", "local", 1);
    setenv("KAFKA_REST_API_KEY", "key", 1);
    setenv("KAFKA_REST_API_SECRET", "secret", 1);
  }
  KinesisLocal& kinesis;
  RestEmulator rest;
  eventdest::kafka::MockCluster kafka;
};

}  // namespace

TEST_CASE("publish_each_destination: the sample events reach all three destination types",
          "[examples]") {
  ThreePeers peers;
  auto& kinesis = peers.kinesis;
  auto& rest = peers.rest;
  auto& kafka = peers.kafka;

  const auto r = run(std::string(EXAMPLE_PUBLISH_EACH) + " --kinesis " + kinesis.plain_url() +
                     " --kafka-rest " + rest.url() + " --kafka " + kafka.bootstraps() + " < " +
                     EVENTDEST_SOURCE_DIR + "/examples/data/sample-events.ndjson");
  INFO(r.out);
  CHECK(r.status == 0);
  // 5 sample events: 4 on topic "orders", 1 on "users" (not one of the destinations' topics).
  for (const std::string type : {"aws_kinesis", "kafka_rest", "kafka"}) {
    CHECK(count(r.out, type + " delivered ") == 4);
    CHECK(count(r.out, type + " skipped ") == 1);
  }
  CHECK(count(r.out, "FAILED") == 0);

  std::multiset<std::string> kinesis_keys;
  for (const auto& record : kinesis.read_all("orders"))
    kinesis_keys.insert(record.partition_key);
  CHECK(kinesis_keys.count("c-42") == 2);
  CHECK(kinesis_keys.count("c-7") == 1);
  CHECK(rest.records("orders").Size() == 4);
  const auto messages = consume_all(kafka.bootstraps(), "orders", 4, std::chrono::seconds(20));
  std::multiset<std::string> kafka_keys;
  for (const auto& m : messages)
    kafka_keys.insert(m.key);
  CHECK(messages.size() == 4);
  CHECK(kafka_keys == kinesis_keys);
}

TEST_CASE("embed_in_service: every event delivered or dead-lettered, never lost", "[examples]") {
  RestEmulator rest({"--cluster-id", "local"});
  const std::string dir = temp_dir();
  const auto spec = [&](const std::string& secret) {
    return R"({"type":"kafka_rest","topics":["orders"],"config":{"bootstrap_servers":")" +
           rest.url() +
           R"(","cluster_id":"local","topic":"orders","partition_key_template":"data.customer_id"},)"
           R"("credentials":{"api_key":"key","api_secret":")" +
           secret + R"("}})";
  };

  SECTION("all delivered") {
    std::ofstream(dir + "/spec.json") << spec("secret");
    const auto r =
        run(std::string(EXAMPLE_EMBED) + " " + dir + "/spec.json 400 " + dir + "/dead.ndjson 2>&1");
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find("delivered 400, dead-lettered 0") != std::string::npos);
    CHECK(r.out.find(R"("published":400)") != std::string::npos);
    CHECK(rest.records("orders").Size() == 400);
  }
  SECTION("a wrong API secret: every event dead-lettered with a 401 report, secret not shown") {
    std::ofstream(dir + "/spec.json") << spec("wrong-secret-value");
    const auto r =
        run(std::string(EXAMPLE_EMBED) + " " + dir + "/spec.json 50 " + dir + "/dead.ndjson 2>&1");
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find("delivered 0, dead-lettered 50") != std::string::npos);
    std::ifstream dead(dir + "/dead.ndjson");
    std::stringstream lines;
    lines << dead.rdbuf();
    CHECK(count(lines.str(), "\n") == 50);
    CHECK(count(lines.str(), R"("error":"auth_failed")") == 50);
    CHECK(lines.str().find("wrong-secret-value") == std::string::npos);
    CHECK(r.out.find("wrong-secret-value") == std::string::npos);
    CHECK(rest.records("orders").Size() == 0);
  }
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("quickstart: the README's example delivers to kinesis-local", "[examples]") {
  set_aws_env();
  auto& kinesis = KinesisLocal::instance();
  const auto r = run(std::string(EXAMPLE_QUICKSTART) + " " + kinesis.plain_url());
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find(R"("status":"delivered")") != std::string::npos);
  CHECK(r.out.find(R"("partition_key":"c-42")") != std::string::npos);
}

TEST_CASE("typed_config: a destination configured in code delivers to kinesis-local",
          "[examples]") {
  set_aws_env();
  auto& kinesis = KinesisLocal::instance();
  const auto r = run(std::string(EXAMPLE_TYPED_CONFIG) + " " + kinesis.plain_url());
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(count(r.out, R"("status":"delivered")") == 3);
  CHECK(r.out.find(R"("partition_key":"c-2")") != std::string::npos);
  // A bad endpoint is a config problem named as in a spec, before anything is sent.
  const auto bad = run(std::string(EXAMPLE_TYPED_CONFIG) + " ftp://nowhere 2>&1");
  CHECK(bad.status == 2);
  CHECK(bad.out.find("config.endpoint:") != std::string::npos);
}

TEST_CASE("router: the sample events fan out to the destinations that take them", "[examples]") {
  ThreePeers peers;
  auto& kinesis = peers.kinesis;
  auto& rest = peers.rest;
  auto& kafka = peers.kafka;
  const std::size_t kinesis_before = kinesis.read_all("orders").size();

  const auto r = run(std::string(EXAMPLE_ROUTER) + " --kinesis " + kinesis.plain_url() +
                     " --kafka-rest " + rest.url() + " --kafka " + kafka.bootstraps() + " < " +
                     EVENTDEST_SOURCE_DIR + "/examples/data/sample-events.ndjson");
  INFO(r.out);
  CHECK(r.status == 0);
  // 4 "orders" events (one with total >= 100) and 1 "users" event.
  CHECK(count(r.out, "-> orders-stream: delivered") == 4);
  CHECK(count(r.out, "-> big-orders: delivered") == 1);
  CHECK(count(r.out, "evt-0001 -> big-orders: delivered") == 1);
  CHECK(count(r.out, "-> everything: delivered") == 5);
  CHECK(count(r.out, " done: all_delivered") == 5);
  CHECK(count(r.out, "FAILED") == 0);
  CHECK(kinesis.read_all("orders").size() == kinesis_before + 4);
  CHECK(rest.records("orders").Size() == 1);
  CHECK(consume_all(kafka.bootstraps(), "orders", 5, std::chrono::seconds(20)).size() == 5);
}
