// The native kafka destination against librdkafka's mock cluster (in process): records consumed
// back match DESIGN.md; same key, same partition; injected errors and a broker outage lose
// nothing; bad librdkafka properties are config errors; close() reports everything.
// rdkafka_mock.h needs rdkafka.h first.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <map>
#include <set>
#include <thread>

#include "eventdest/eventdest.hpp"
#include "eventdest/kafka.hpp"
#include "kafka/broker_failures.hpp"
#include "kafka/kafka_consumer.hpp"
#include "kafka/librdkafka_log.hpp"
#include "kafka/mock_cluster.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"
#include "support/subprocess.hpp"

using namespace eventdest;
using namespace eventdest::test;
using namespace std::chrono_literals;

namespace {

// The Kafka protocol's Produce API key (librdkafka keeps its RD_KAFKAP_* names internal).
constexpr int16_t kProduceApiKey = 0;

std::string spec(const std::string& brokers, const std::string& topic,
                 const std::string& extra = "") {
  return R"({"type":"kafka","topics":["orders"],"config":{"brokers":")" + brokers +
         R"(","topic":")" + topic +
         R"(","sasl_mechanism":"none","tls":"false",)"
         R"("partition_key_template":"data.customer_id","delivery_timeout_ms":10000)" +
         extra + "}}";
}

Event order(int i) {
  return Event::from_json(R"({"id":"k)" + std::to_string(i) +
                          R"(","topic":"orders","time":1704067200,"metadata":{"source":"web"},)"
                          R"("data":{"customer_id":"c)" +
                          std::to_string(i % 5) + R"(","total": 1.50}})");
}

}  // namespace

TEST_CASE("records consumed back are exactly the DESIGN.md message", "[kafka]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 3);
  ReportCollector reports;
  auto d = make_destination(spec(cluster.bootstraps(), "orders"));
  for (int i = 0; i < 20; ++i)
    d->publish(order(i), reports.callback());
  d->close();
  REQUIRE(reports.total() == 20);
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].delivered());
    CHECK(rs[0].partition >= 0);
    CHECK(rs[0].offset >= 0);
  }
  const auto messages = consume_all(cluster.bootstraps(), "orders", 20, 20s);
  REQUIRE(messages.size() == 20);
  for (const auto& m : messages) {
    CHECK(m.value.rfind(R"({"customer_id":"c)", 0) == 0);
    CHECK(m.value.find(R"("total": 1.50})") != std::string::npos);  // exact bytes
    REQUIRE(m.headers.size() == 5);
    CHECK(m.headers[0] ==
          std::make_pair(std::string("content-type"), std::string("application/json")));
    CHECK(m.headers[1].first == "event-id");
    CHECK(m.headers[2] == std::make_pair(std::string("topic"), std::string("orders")));
    CHECK(m.headers[3] == std::make_pair(std::string("timestamp"), std::string("1704067200")));
    CHECK(m.headers[4] == std::make_pair(std::string("source"), std::string("web")));
    const auto& r = reports.by_id[m.headers[1].second][0];
    CHECK(r.partition == m.partition);
    CHECK(r.offset == m.offset);
    CHECK(r.partition_key == m.key);
  }
}

TEST_CASE("same key, same partition, for each partitioner", "[kafka]") {
  for (const std::string partitioner : {"murmur2_random", "fnv1a_random"}) {
    INFO(partitioner);
    kafka::MockCluster cluster;
    cluster.create_topic("orders", 6);
    ReportCollector reports;
    auto d = make_destination(
        spec(cluster.bootstraps(), "orders", R"(,"partitioner":")" + partitioner + "\""));
    for (int i = 0; i < 50; ++i)
      d->publish(order(i), reports.callback());
    d->close();
    std::map<std::string, std::set<int>> partitions_of_key;
    for (auto& [id, rs] : reports.by_id)
      partitions_of_key[rs[0].partition_key].insert(rs[0].partition);
    CHECK(partitions_of_key.size() == 5);
    for (auto& [key, ps] : partitions_of_key)
      CHECK(ps.size() == 1);
  }
}

TEST_CASE("transient broker errors are retried; authorization errors fail", "[kafka]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 1);
  rd_kafka_mock_push_request_errors(
      cluster.get(), kProduceApiKey, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
  {
    ReportCollector reports;
    auto d = make_destination(spec(cluster.bootstraps(), "orders"));
    for (int i = 0; i < 10; ++i)
      d->publish(order(i), reports.callback());
    d->close();
    REQUIRE(reports.total() == 10);
    for (auto& [id, rs] : reports.by_id)
      CHECK(rs[0].delivered());
  }
  rd_kafka_mock_push_request_errors(cluster.get(), kProduceApiKey, 1,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  {
    ReportCollector reports;
    auto d = make_destination(spec(cluster.bootstraps(), "orders", R"(,"linger_ms":50)"));
    for (int i = 0; i < 3; ++i)
      d->publish(order(i), reports.callback());
    d->close();
    REQUIRE(reports.total() == 3);
    for (auto& [id, rs] : reports.by_id) {
      CHECK(rs[0].status == DeliveryStatus::failed);
      CHECK(rs[0].error == make_error_code(errc::access_denied));
      CHECK(rs[0].provider_code == "TOPIC_AUTHORIZATION_FAILED");
    }
  }
}

TEST_CASE("a broker outage and a slow broker lose nothing", "[kafka][reliability]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 1);
  // 50 ms round trips for the whole test, on top of the outage below.
  rd_kafka_mock_broker_set_rtt(cluster.get(), 1, 50);
  ReportCollector reports;
  auto d =
      make_destination(spec(cluster.bootstraps(), "orders", R"(,"delivery_timeout_ms":30000)"));
  d->publish(order(0), reports.callback());
  REQUIRE(d->flush(10s));
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  for (int i = 1; i < 100; ++i)
    d->publish(order(i), reports.callback());
  std::this_thread::sleep_for(1s);
  CHECK(reports.total() == 1);  // nothing can be acknowledged while the broker is down
  rd_kafka_mock_broker_set_up(cluster.get(), 1);
  CHECK(d->flush(25s));
  d->close();
  REQUIRE(reports.total() == 100);
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].delivered());
  }
  CHECK(consume_all(cluster.bootstraps(), "orders", 100, 20s).size() == 100);
}

TEST_CASE("librdkafka's own property errors are config errors", "[kafka]") {
  try {
    make_destination(spec("127.0.0.1:9", "orders",
                          R"(,"librdkafka":{"no.such.property":"1","linger.ms":"-5"})"));
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.find("config.librdkafka.no.such.property") != std::string::npos);
    CHECK(what.find("config.librdkafka.linger.ms") != std::string::npos);
  }
  const auto props = kafka_properties(
      KafkaConfig::from_spec(parse_spec(
          R"({"type":"kafka","config":{"brokers":"b:9093","topic":"t","sasl_mechanism":"scram-sha-512"},)"
          R"("credentials":{"username":"u","password":"hunter2"}})")),
      true);
  std::map<std::string, std::string> m(props.begin(), props.end());
  CHECK(m["security.protocol"] == "SASL_SSL");
  CHECK(m["sasl.mechanisms"] == "SCRAM-SHA-512");
  CHECK(m["sasl.password"] == "<redacted>");
  CHECK(m["acks"] == "all");
  CHECK(m["enable.idempotence"] == "true");
  CHECK(m["partitioner"] == "murmur2_random");
  const auto plain = kafka_properties(KafkaConfig::from_spec(
      parse_spec(R"({"type":"kafka","config":{"brokers":"b:9092","topic":"t","tls":false}})")));
  CHECK(std::map<std::string, std::string>(plain.begin(), plain.end())["security.protocol"] ==
        "PLAINTEXT");
  // A typed config's delivery.linger is what reaches librdkafka (no second linger field).
  KafkaConfig typed;
  typed.brokers = "b:9092";
  typed.topic = "t";
  typed.sasl_mechanism = KafkaSaslMechanism::none;
  typed.delivery.linger = std::chrono::milliseconds(50);
  const auto typed_props = kafka_properties(typed);
  CHECK(std::map<std::string, std::string>(typed_props.begin(), typed_props.end())["linger.ms"] ==
        "50");
}

TEST_CASE("TLS to a plaintext broker fails with a clear report", "[kafka]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 1);
  auto d = make_destination(
      R"({"type":"kafka","config":{"brokers":")" + cluster.bootstraps() +
      R"(","topic":"orders","sasl_mechanism":"none","delivery_timeout_ms":3000}})");
  auto r = d->publish_and_wait(order(1));
  d->close();
  INFO(r.to_json());
  CHECK(r.status == DeliveryStatus::failed);
  // librdkafka retries the handshake until delivery_timeout_ms; the report names it a TLS problem.
  CHECK(r.error == make_error_code(errc::tls_error));
  // librdkafka reports "SSL handshake failed: ..." or "Disconnected (... state SSL_HANDSHAKE)".
  CHECK(r.message.find("SSL") != std::string::npos);
}

TEST_CASE("a TLS handshake the broker hangs up on names the likely cause", "[kafka]") {
  // librdkafka words the same failure two ways; the real broker gave each in different runs.
  for (const char* log : {"ssl://127.0.0.1:1/bootstrap: Disconnected: SSL connection closed by "
                          "peer (after 1ms in state SSL_HANDSHAKE)",
                          "ssl://127.0.0.1:1/bootstrap: SSL handshake failed: (PLAINTEXT broker "
                          "listener?)"}) {
    detail::BrokerFailures failures("", "");
    failures.on_connection_log(log);
    const auto cause = failures.timed_out("Local: Message timed out");
    INFO(cause.message);
    CHECK(cause.code == errc::tls_error);
    CHECK(cause.message.find(log) != std::string::npos);
    CHECK(cause.message.find("PLAINTEXT broker listener") != std::string::npos);
  }
  detail::BrokerFailures failures("", "");
  failures.on_connection_log("tcp://127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed");
  CHECK(failures.timed_out("Local: Message timed out").code == errc::timeout);
}

TEST_CASE("close() with a broker down reports every event", "[kafka]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 1);
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  ReportCollector reports;
  {
    auto d =
        make_destination(spec(cluster.bootstraps(), "orders", R"(,"delivery_timeout_ms":60000)"));
    for (int i = 0; i < 50; ++i)
      d->publish(order(i), reports.callback());
    // Destroyed without close(): no waiting, every event reported closed.
  }
  REQUIRE(reports.total() == 50);
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].error == make_error_code(errc::closed));
  }
}

TEST_CASE("close(timeout) with a broker down reports every event by its timeout", "[kafka]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 1);
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  ReportCollector reports;
  auto d =
      make_destination(spec(cluster.bootstraps(), "orders", R"(,"delivery_timeout_ms":600000)"));
  for (int i = 0; i < 50; ++i)
    d->publish(order(i), reports.callback());
  const auto start = std::chrono::steady_clock::now();
  d->close(200ms);
  // Far below the ten-minute delivery timeout that close() would have waited for.
  CHECK(std::chrono::steady_clock::now() - start < 60s);
  REQUIRE(reports.total() == 50);  // every report before close() returned
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].error == make_error_code(errc::closed));
  }
}

TEST_CASE("a full queue blocks publish until deliveries make room, or fails fast", "[kafka]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 3);
  // 1 KiB of librdkafka queue: a few messages at a time.
  const std::string base = R"({"type":"kafka","config":{"brokers":")" + cluster.bootstraps() +
                           R"(","topic":"orders","sasl_mechanism":"none","tls":false,)"
                           R"("max_buffered_bytes":1024,"on_queue_full":")";
  SECTION("block") {
    ReportCollector reports;
    auto d = make_destination(base + R"(block"}})");
    for (int i = 0; i < 3000; ++i)
      d->publish(order(i), reports.callback());
    d->close();
    REQUIRE(reports.total() == 3000);
    for (auto& [id, rs] : reports.by_id) {
      REQUIRE(rs.size() == 1);
      CHECK(rs[0].delivered());
    }
    CHECK(consume_all(cluster.bootstraps(), "orders", 3000, 30s).size() == 3000);
  }
  SECTION("fail") {
    ReportCollector reports;
    auto d = make_destination(base + R"(fail"}})");
    for (int i = 0; i < 3000; ++i)
      d->publish(order(i), reports.callback());
    d->close();
    REQUIRE(reports.total() == 3000);
    std::size_t full = 0, delivered = 0;
    for (auto& [id, rs] : reports.by_id) {
      REQUIRE(rs.size() == 1);
      if (rs[0].error == errc::queue_full) ++full;
      if (rs[0].delivered()) ++delivered;
    }
    CHECK(full > 0);
    CHECK(full + delivered == 3000);
  }
  SECTION("fail, one event at a time: a delivered event's message never holds the room") {
    // The publishing thread frees delivered messages (librdkafka counts them until then); an
    // event published after every earlier one was reported must find the queue empty.
    auto d = make_destination(base + R"(fail"}})");
    for (int i = 0; i < 300; ++i) {
      const DeliveryReport r = d->publish(order(i)).get();
      INFO("event " << i << ": " << r.to_json());
      REQUIRE(r.delivered());
    }
  }
}

TEST_CASE("an unreachable broker: the timeout report names the connection error", "[kafka]") {
  // A port nobody listens on (bound once, then released).
  const int port = free_port();
  auto d =
      make_destination(R"({"type":"kafka","config":{"brokers":"127.0.0.1:)" + std::to_string(port) +
                       R"(","topic":"orders","sasl_mechanism":"none","tls":false,)"
                       R"("delivery_timeout_ms":2000}})");
  const auto r = d->publish_and_wait(order(1));
  d->close();
  INFO(r.to_json());
  CHECK(r.error == make_error_code(errc::timeout));
  CHECK(r.message.find("last error:") != std::string::npos);
  CHECK(r.message.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
}

TEST_CASE("flush() after close(), and during it from another thread, is safe", "[kafka]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 1);
  auto d = make_destination(spec(cluster.bootstraps(), "orders"));
  ReportCollector reports;
  for (int i = 0; i < 200; ++i)
    d->publish(order(i), reports.callback());
  std::thread flusher([&] {
    for (int i = 0; i < 50; ++i)
      d->flush(std::chrono::milliseconds(5));
  });
  d->close();
  flusher.join();
  CHECK(d->flush(std::chrono::milliseconds(10)));  // read a destroyed handle before the fix
  CHECK(reports.total() == 200);
}

TEST_CASE("librdkafka's log lines get the library's levels", "[kafka][log]") {
  using eventdest::LogLevel;
  using eventdest::detail::librdkafka_log_level;
  CHECK(librdkafka_log_level(3, "FAIL", "connection refused") == LogLevel::error);
  CHECK(librdkafka_log_level(4, "GETPID",
                             "Failed to acquire idempotence PID from broker b/1: Broker: Not "
                             "enough in-sync replicas: retrying") == LogLevel::warning);
  CHECK(librdkafka_log_level(5, "REQTMOUT", "timed out") == LogLevel::warning);
  CHECK(librdkafka_log_level(6, "CONFWARN", "x") == LogLevel::info);
  CHECK(librdkafka_log_level(7, "MSG", "x") == LogLevel::debug);
  // What a freshly started broker answers until its transaction state is loaded.
  CHECK(librdkafka_log_level(4, "GETPID",
                             "Failed to acquire idempotence PID from broker "
                             "sasl_ssl://127.0.0.1:22006/1: Broker: Coordinator load in "
                             "progress: retrying") == LogLevel::info);
}
