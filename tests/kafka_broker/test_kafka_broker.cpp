// The native kafka destination against a real Apache Kafka 4.x broker (one KRaft node, started
// for this program): every SASL mechanism with and without TLS, mTLS, and the failures a user
// meets first (wrong password, certificates, TLS against plaintext, a missing topic, ACLs), each
// read back with a librdkafka consumer or checked for the report it must give, and how fast.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

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

KafkaCluster& cluster() {
  static KafkaCluster c(1);
  static const bool said = (std::printf("broker ready in %.1f s\n", c.start_seconds()), true);
  (void)said;
  return c;
}

std::string fresh_topic(const std::string& stem, int partitions = 3) {
  static int n = 0;
  std::string name = stem + "-" + std::to_string(++n);
  cluster().create_topic(name, partitions);
  return name;
}

// A destination spec; `config` and `credentials` are the inner JSON members (no braces).
std::string spec(const std::string& config, const std::string& credentials = "") {
  std::string s = R"({"type":"kafka","topics":["*"],"config":{)" + config + "}";
  if (!credentials.empty()) s += R"(,"credentials":{)" + credentials + "}";
  return s + "}";
}

std::string alice() {
  return R"("username":"alice","password":"alice-secret")";
}

Event order(int i, const std::string& run) {
  return Event::from_json(
      R"({"id":")" + run + "-" + std::to_string(i) +
      R"(","topic":"orders","time":1704067200,"metadata":{"source":"web","n":")" +
      std::to_string(i) + R"("},"data":{"customer_id":"c)" + std::to_string(i % 7) +
      R"(","total": 12.50 ,"i":)" + std::to_string(i) + "}}");
}

// Publishes `n` events through the spec, expects each delivered once, and reads the topic back:
// key, value bytes and headers of each record, in publish order within its partition.
void round_trip(const std::string& spec_json, const std::string& topic, int n = 12) {
  ReportCollector reports;
  auto d = make_destination(spec_json);
  const std::string run = topic;
  for (int i = 0; i < n; ++i)
    d->publish(order(i, run), reports.callback());
  d->close();
  REQUIRE(reports.total() == static_cast<std::size_t>(n));
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    INFO(rs[0].to_json());
    REQUIRE(rs[0].delivered());
  }
  const auto messages = consume_all(cluster().listener("PLAINTEXT"), topic, n, 30s);
  REQUIRE(messages.size() == static_cast<std::size_t>(n));
  std::map<int, long long> last_offset;
  std::map<int, int> last_index;
  for (const auto& m : messages) {
    REQUIRE(m.headers.size() == 6);
    CHECK(m.headers[0] ==
          std::make_pair(std::string("content-type"), std::string("application/json")));
    CHECK(m.headers[1].first == "event-id");
    CHECK(m.headers[2] == std::make_pair(std::string("topic"), std::string("orders")));
    CHECK(m.headers[3] == std::make_pair(std::string("timestamp"), std::string("1704067200")));
    // User metadata follows the system metadata, by name.
    REQUIRE(m.headers[4].first == "n");
    CHECK(m.headers[5] == std::make_pair(std::string("source"), std::string("web")));
    const int i = std::stoi(m.headers[4].second);
    CHECK(m.headers[1].second == run + "-" + std::to_string(i));
    CHECK(m.key == "c" + std::to_string(i % 7));  // data.customer_id
    CHECK(m.value == R"({"customer_id":"c)" + std::to_string(i % 7) + R"(","total": 12.50 ,"i":)" +
                         std::to_string(i) + "}");  // the exact bytes given
    const auto& r = reports.by_id[m.headers[1].second].at(0);
    CHECK(r.partition == m.partition);
    CHECK(r.offset == m.offset);
    if (last_index.count(m.partition)) CHECK(i > last_index[m.partition]);  // order kept
    last_index[m.partition] = i;
    last_offset[m.partition] = m.offset;
  }
}

std::string base_config(const std::string& brokers, const std::string& topic) {
  return R"("brokers":")" + brokers + R"(","topic":")" + topic +
         R"(","partition_key_template":"data.customer_id")";
}

// One event through `spec_json`; returns its report and how long it took.
std::pair<DeliveryReport, std::chrono::milliseconds> publish_one(const std::string& spec_json) {
  auto d = make_destination(spec_json);
  const auto start = std::chrono::steady_clock::now();
  auto future = d->publish(order(0, "one"));
  DeliveryReport r = future.get();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  d->close();
  return {r, took};
}

std::string make_unrelated_ca() {
  const std::string dir = cluster().dir() + "/unrelated";
  std::filesystem::create_directories(dir);
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + dir +
                          "/ca.key -out " + dir +
                          "/ca.pem -subj /CN=unrelated-ca -days 2 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return dir + "/ca.pem";
}

}  // namespace

TEST_CASE("the documented body (SASL, TLS on by default) delivers with each mechanism",
          "[kafka-broker]") {
  for (const char* mechanism : {"plain", "scram-sha-256", "scram-sha-512"}) {
    SECTION(mechanism) {
      const std::string topic = fresh_topic(std::string("seed-") + mechanism);
      // brokers, topic, sasl_mechanism and credentials as in the docs; tls left at its default
      // (true); the run's CA given since it is not in the system's store.
      round_trip(
          spec(base_config(cluster().listener("SASL_SSL"), topic) + R"(,"sasl_mechanism":")" +
                   mechanism + R"(","ca_location":")" + cluster().ca() + "\"",
               alice()),
          topic);
    }
  }
}

TEST_CASE("every mechanism without TLS, no SASL with and without TLS, and mTLS", "[kafka-broker]") {
  for (const char* mechanism : {"plain", "scram-sha-256", "scram-sha-512"}) {
    SECTION(std::string(mechanism) + " on SASL_PLAINTEXT") {
      const std::string topic = fresh_topic(std::string("sasl-") + mechanism);
      round_trip(spec(base_config(cluster().listener("SASL_PLAINTEXT"), topic) +
                          R"(,"sasl_mechanism":")" + mechanism + R"(","tls":false)",
                      alice()),
                 topic);
    }
  }
  SECTION("none on PLAINTEXT") {
    const std::string topic = fresh_topic("plain");
    round_trip(spec(base_config(cluster().listener("PLAINTEXT"), topic) +
                    R"(,"sasl_mechanism":"none","tls":"false")"),
               topic);
  }
  SECTION("none on SSL") {
    const std::string topic = fresh_topic("ssl");
    round_trip(spec(base_config(cluster().listener("SSL"), topic) +
                    R"(,"sasl_mechanism":"none","ca_location":")" + cluster().ca() + "\""),
               topic);
  }
  SECTION("mTLS: a client certificate on a listener that requires one") {
    const std::string topic = fresh_topic("mtls");
    round_trip(spec(base_config(cluster().listener("MTLS"), topic) +
                    R"(,"sasl_mechanism":"none","ca_location":")" + cluster().ca() +
                    R"(","client_cert_location":")" + cluster().client_cert() +
                    R"(","client_key_location":")" + cluster().client_key() + "\""),
               topic);
  }
}

TEST_CASE("a wrong password fails at once with auth_failed, naming mechanism and broker",
          "[kafka-broker]") {
  const std::string topic = fresh_topic("auth");
  for (const auto& [mechanism, kind] :
       std::map<std::string, std::string>{{"plain", "SASL_PLAINTEXT"},
                                          {"scram-sha-256", "SASL_SSL"},
                                          {"scram-sha-512", "SASL_SSL"}}) {
    SECTION(mechanism) {
      const std::string brokers = cluster().listener(kind);
      std::string config = base_config(brokers, topic) + R"(,"sasl_mechanism":")" + mechanism +
                           R"(","delivery_timeout_ms":60000)";
      config +=
          kind == "SASL_SSL" ? R"(,"ca_location":")" + cluster().ca() + "\"" : R"(,"tls":false)";
      const auto [r, took] =
          publish_one(spec(config, R"("username":"alice","password":"Wr0ng-Passw0rd")"));
      INFO(r.to_json());
      CHECK(r.status == DeliveryStatus::failed);
      CHECK(r.error == errc::auth_failed);
      CHECK_FALSE(r.retryable);
      CHECK(took < 10s);  // not after delivery_timeout_ms (60 s)
      std::string upper = mechanism;
      for (auto& ch : upper)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      CHECK(r.message.find(upper) != std::string::npos);
      CHECK(r.message.find(brokers) != std::string::npos);
      CHECK(r.message.find("Wr0ng-Passw0rd") == std::string::npos);
      CHECK(r.to_json().find("Wr0ng-Passw0rd") == std::string::npos);
    }
  }
}

TEST_CASE("certificates that cannot be trusted fail with tls_error saying why", "[kafka-broker]") {
  const std::string topic = fresh_topic("tls");
  SECTION("a certificate for another host") {
    const auto [r, took] = publish_one(spec(base_config(cluster().listener("WRONGHOST"), topic) +
                                            R"(,"sasl_mechanism":"none","ca_location":")" +
                                            cluster().ca() + R"(","delivery_timeout_ms":60000)"));
    INFO(r.to_json());
    CHECK(r.error == errc::tls_error);
    CHECK(took < 10s);
    CHECK(r.message.find("is for another host") != std::string::npos);
    CHECK(r.message.find("DNS:other.invalid") != std::string::npos);
  }
  SECTION("a CA the client does not trust") {
    const auto [r, took] =
        publish_one(spec(base_config(cluster().listener("SSL"), topic) +
                         R"(,"sasl_mechanism":"none","ca_location":")" + make_unrelated_ca() +
                         R"(","delivery_timeout_ms":60000)"));
    INFO(r.to_json());
    CHECK(r.error == errc::tls_error);
    CHECK(took < 10s);
    CHECK(r.message.find("CA that is not trusted") != std::string::npos);
  }
  SECTION("no client certificate where one is required") {
    const auto [r, took] = publish_one(spec(base_config(cluster().listener("MTLS"), topic) +
                                            R"(,"sasl_mechanism":"none","ca_location":")" +
                                            cluster().ca() + R"(","delivery_timeout_ms":4000)"));
    INFO(r.to_json());
    CHECK(r.status == DeliveryStatus::failed);
    CHECK(r.message.find("last error:") != std::string::npos);
  }
}

TEST_CASE("TLS or SASL against the wrong listener names the cause", "[kafka-broker]") {
  const std::string topic = fresh_topic("wrong-listener");
  SECTION("TLS against a plaintext listener") {
    const auto [r, took] = publish_one(spec(base_config(cluster().listener("PLAINTEXT"), topic) +
                                            R"(,"sasl_mechanism":"none","ca_location":")" +
                                            cluster().ca() + R"(","delivery_timeout_ms":3000)"));
    INFO(r.to_json());
    CHECK(r.error == errc::tls_error);
    CHECK(r.message.find("PLAINTEXT broker listener") != std::string::npos);
  }
  SECTION("SASL on a plaintext listener") {
    const auto [r, took] = publish_one(
        spec(base_config(cluster().listener("PLAINTEXT"), topic) +
                 R"(,"sasl_mechanism":"scram-sha-512","tls":false,"delivery_timeout_ms":60000)",
             alice()));
    INFO(r.to_json());
    CHECK(r.error == errc::auth_failed);  // the broker refuses the SASL handshake
    CHECK(took < 10s);
    CHECK(r.message.find("SCRAM-SHA-512 mechanism handshake failed") != std::string::npos);
  }
  SECTION("no SASL on a SASL listener") {
    const auto [r, took] =
        publish_one(spec(base_config(cluster().listener("SASL_PLAINTEXT"), topic) +
                         R"(,"sasl_mechanism":"none","tls":false,"delivery_timeout_ms":3000)"));
    INFO(r.to_json());
    CHECK(r.error == errc::timeout);
    CHECK(r.message.find("last error:") != std::string::npos);
  }
}

TEST_CASE("a topic that does not exist is not_found within seconds", "[kafka-broker]") {
  const auto [r, took] =
      publish_one(spec(base_config(cluster().listener("PLAINTEXT"), "no-such-topic") +
                       R"(,"sasl_mechanism":"none","tls":false,"delivery_timeout_ms":60000)"));
  INFO(r.to_json());
  CHECK(r.error == errc::not_found);
  CHECK_FALSE(r.retryable);
  CHECK(took < 10s);
}

TEST_CASE("a user without WRITE on the topic gets access_denied, the one with it delivers",
          "[kafka-broker]") {
  const std::string topic = fresh_topic("guarded");
  cluster().allow_write("alice", topic);
  const std::string config =
      base_config(cluster().listener("SASL_PLAINTEXT"), topic) +
      R"(,"sasl_mechanism":"scram-sha-256","tls":false,"delivery_timeout_ms":60000)";
  const auto [denied, took] =
      publish_one(spec(config, R"("username":"bob","password":"bob-secret")"));
  INFO(denied.to_json());
  CHECK(denied.error == errc::access_denied);
  CHECK_FALSE(denied.retryable);
  CHECK(took < 10s);
  const auto [allowed, took2] = publish_one(spec(config, alice()));
  INFO(allowed.to_json());
  CHECK(allowed.delivered());
}
