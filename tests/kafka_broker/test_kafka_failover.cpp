// Brokers that go away while events flow: a single node stopped and restarted mid-stream, and
// the partition leader of a 3-node cluster (replication 3, min.insync.replicas 2) killed with
// SIGKILL and brought back during 100k events. Nothing may be lost, nothing written twice
// (idempotent producer), and every event gets exactly one report.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "eventdest/eventdest.hpp"
#include "eventdest/kafka.hpp"
#include "kafka/kafka_consumer.hpp"
#include "kafka_broker/kafka_cluster.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"

using namespace eventdest;
using namespace eventdest::test;
using namespace std::chrono_literals;

namespace {

std::string spec(const std::string& brokers, const std::string& topic) {
  return R"({"type":"kafka","config":{"brokers":")" + brokers + R"(","topic":")" + topic +
         R"(","sasl_mechanism":"none","tls":false,"partition_key_template":"data.k",)"
         R"("delivery_timeout_ms":120000,"max_buffered_bytes":268435456}})";
}

Event numbered(int i) {
  return Event::from_json(R"({"id":"e)" + std::to_string(i) + R"(","topic":"t","data":{"k":"k)" +
                          std::to_string(i % 13) + R"(","i":)" + std::to_string(i) + "}}");
}

struct Outcome {
  std::size_t reports = 0, delivered = 0, more_than_one = 0, possible_duplicates = 0;
  std::chrono::microseconds max_latency{0};
};

Outcome summarize(ReportCollector& reports) {
  Outcome o;
  std::lock_guard<std::mutex> lock(reports.mutex);
  for (auto& [id, rs] : reports.by_id) {
    o.reports += rs.size();
    if (rs.size() > 1) ++o.more_than_one;
    for (const auto& r : rs) {
      if (r.delivered()) ++o.delivered;
      if (r.possible_duplicate) ++o.possible_duplicates;
      o.max_latency = std::max(o.max_latency, r.latency);
    }
  }
  return o;
}

// Exactly one report per event, all delivered; prints the run's figures.
void check_outcome(const char* name, ReportCollector& reports, int n,
                   std::chrono::steady_clock::duration took) {
  const Outcome o = summarize(reports);
  std::printf(
      "%s: %d events in %.1f s, delivered %zu, max latency %.1f s, possible duplicates %zu\n", name,
      n, std::chrono::duration<double>(took).count(), o.delivered,
      static_cast<double>(o.max_latency.count()) / 1e6, o.possible_duplicates);
  CHECK(reports.by_id.size() == static_cast<std::size_t>(n));
  CHECK(o.reports == static_cast<std::size_t>(n));
  CHECK(o.more_than_one == 0);
  CHECK(o.delivered == static_cast<std::size_t>(n));
}

// Every event id once in the topic: nothing lost, nothing duplicated.
void check_topic(const KafkaCluster& cluster, const std::string& topic, int n) {
  CHECK(cluster.record_count(topic) == n);  // no duplicate written
  const auto messages = consume_all(cluster.listener("PLAINTEXT"), topic, n, 60s);
  std::set<std::string> ids;
  for (const auto& m : messages)
    ids.insert(m.headers.at(1).second);
  CHECK(ids.size() == static_cast<std::size_t>(n));  // none lost
}

}  // namespace

TEST_CASE("a single broker stopped and restarted mid-stream loses nothing", "[kafka-broker]") {
  KafkaCluster cluster(1);
  cluster.create_topic("restart", 3);
  constexpr int n = 3000;
  ReportCollector reports;
  auto d = make_destination(spec(cluster.listener("PLAINTEXT"), "restart"));
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    if (i == n / 3) cluster.stop_node(1, false);
    if (i == n / 2) cluster.start_node(1);
    d->publish(numbered(i), reports.callback());
    std::this_thread::sleep_for(1ms);
  }
  d->close();
  check_outcome("restart", reports, n, std::chrono::steady_clock::now() - start);
  check_topic(cluster, "restart", n);
}

TEST_CASE("3 nodes: the partition leader killed and brought back during 100k events",
          "[kafka-broker]") {
  KafkaCluster cluster(3);
  std::printf("3-node cluster ready in %.1f s\n", cluster.start_seconds());
  cluster.create_topic("failover", 1, 3, {{"min.insync.replicas", "2"}});
  constexpr int n = 100000;
  ReportCollector reports;
  auto d = make_destination(spec(cluster.listener("PLAINTEXT"), "failover"));
  std::atomic<int> published{0};
  const auto start = std::chrono::steady_clock::now();
  std::thread chaos([&] {
    while (published.load() < n / 4)
      std::this_thread::sleep_for(1ms);
    const int leader = cluster.leader("failover", 0);
    REQUIRE(leader >= 1);
    cluster.stop_node(leader, true);  // SIGKILL
    std::printf("killed leader %d after %d events\n", leader, published.load());
    std::this_thread::sleep_for(3s);
    cluster.start_node(leader);
    std::printf("node %d back after %d events; leader now %d\n", leader, published.load(),
                cluster.leader("failover", 0));
  });
  // At most 5k events/s: the kill and the restart both fall inside the stream.
  for (int i = 0; i < n; ++i) {
    d->publish(numbered(i), reports.callback());
    published.store(i + 1);
    if (i % 50 == 49) std::this_thread::sleep_for(10ms);
  }
  chaos.join();
  d->close();
  check_outcome("failover", reports, n, std::chrono::steady_clock::now() - start);
  check_topic(cluster, "failover", n);
}
