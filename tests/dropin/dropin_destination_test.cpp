// Specs and options of Hookdeck Outpost and hookstream, through real destinations against local
// peers: the C++ REST Proxy v3 emulator over HTTP, and librdkafka's mock cluster for the native
// kafka destination when it is built.
#include <string>
#include <vector>

#include "eventdest/eventdest.hpp"
#include "kafka_rest/emulator/fast_rest_proxy.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"
#ifdef EVENTDEST_DROPIN_TEST_KAFKA
#include <librdkafka/rdkafka.h>

#include "eventdest/kafka.hpp"
#include "kafka/kafka_consumer.hpp"
#include "kafka/mock_cluster.hpp"
#endif

using namespace eventdest;
using namespace eventdest::test;
using namespace std::chrono_literals;

namespace {

const char* const kDisabledAt = "2024-06-01T00:00:00Z";

std::string rest_spec(const FastRestProxy& emu, const std::string& top_level,
                      const std::string& config = "") {
  return R"({"type":"kafka_rest","topics":["orders"])" + top_level +
         R"(,"config":{"bootstrap_servers":")" + emu.url() +
         R"(","cluster_id":"c1","topic":"orders","delivery_timeout_ms":20000)" + config + "}}";
}

Event order(int i) {
  return Event::from_json(R"({"id":"o)" + std::to_string(i) +
                          R"(","topic":"orders","time":1704067200,"metadata":{"source":"web"},)"
                          R"("data":{"n":)" +
                          std::to_string(i) + "}}");
}

// Publishes o0..o4; every report must be not_matched saying the destination is disabled.
void check_all_disabled(Destination& d) {
  ReportCollector reports;
  for (int i = 0; i < 5; ++i)
    d.publish(order(i), reports.callback());
  d.close();
  REQUIRE(reports.total() == 5);
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == DeliveryStatus::not_matched);
    CHECK(rs[0].message ==
          "the destination is disabled (disabled_at " + std::string(kDisabledAt) + ")");
  }
  CHECK(d.metrics().not_matched == 5);
}

}  // namespace

TEST_CASE("kafka_rest with disabled_at publishes nothing", "[dropin][outpost]") {
  FastRestProxy emu;
  auto d = make_destination(
      rest_spec(emu, R"(,"id":"des_1","disabled_at":")" + std::string(kDisabledAt) + R"(")"));
  check_all_disabled(*d);
  CHECK(emu.records().GetArray().Size() == 0);

  // The same body with disabled_at null delivers.
  auto enabled = make_destination(rest_spec(emu, R"(,"id":"des_1","disabled_at":null)"));
  ReportCollector reports;
  enabled->publish(order(7), reports.callback());
  enabled->close();
  REQUIRE(reports.total() == 1);
  CHECK(reports.by_id["o7"][0].delivered());
  CHECK(emu.records().GetArray().Size() == 1);
}

#ifdef EVENTDEST_DROPIN_TEST_KAFKA
namespace {

std::string kafka_spec(const kafka::MockCluster& cluster, const std::string& top_level,
                       const std::string& config = "") {
  return R"({"type":"kafka","topics":["orders"])" + top_level + R"(,"config":{"brokers":")" +
         cluster.bootstraps() +
         R"(","topic":"orders","sasl_mechanism":"none","tls":"false","delivery_timeout_ms":10000)" +
         config + "}}";
}

}  // namespace

TEST_CASE("kafka with disabled_at publishes nothing", "[dropin][outpost][kafka]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 1);
  auto d = make_destination(
      kafka_spec(cluster, R"(,"disabled_at":")" + std::string(kDisabledAt) + R"(")"));
  check_all_disabled(*d);
  CHECK(consume_all(cluster.bootstraps(), "orders", 1, 2s).empty());
}
#endif

namespace {

// An event with metadata of its own, published with a key template reading the data.
Event customer_event() {
  return Event::from_json(
      R"({"id":"e1","topic":"orders","time":1704067200,)"
      R"("metadata":{"source":"web","env":"test"},"data":{"customer":"c-42"}})");
}

using Headers = std::vector<std::pair<std::string, std::string>>;

const Headers kHookstreamHeaders = {{"hookstream-event-id", "e1"},
                                    {"hookstream-destination-id", "des_7"},
                                    {"env", "test"},  // the event's metadata wins
                                    {"region", "eu"},
                                    {"source", "web"}};
// Outpost's headers for the same event and delivery_metadata: the system keys, then the merged
// metadata (the event's env in the destination's env's place, the destination's region before
// the event's source).
const Headers kOutpostHeaders = {{"content-type", "application/json"},
                                 {"event-id", "e1"},
                                 {"topic", "orders"},
                                 {"timestamp", "1704067200"},
                                 {"env", "test"},
                                 {"region", "eu"},
                                 {"source", "web"}};

Headers stored_headers(const rapidjson::Value& record) {
  Headers out;
  for (const auto& h : record["headers"].GetArray())
    out.emplace_back(h["name"].GetString(), h["value"].GetString());
  return out;
}

}  // namespace

TEST_CASE("kafka_rest record_format hookstream writes hookstream's headers",
          "[dropin][hookstream]") {
  FastRestProxy emu;
  const std::string config = R"(,"partition_key_template":"data.customer")";
  const std::string top = R"(,"id":"des_7","delivery_metadata":{"env":"prod","region":"eu"})";
  for (const std::string format : {"hookstream", "outpost"}) {
    auto d =
        make_destination(rest_spec(emu, top, config + R"(,"record_format":")" + format + "\""));
    ReportCollector reports;
    d->publish(customer_event(), reports.callback());
    d->close();
    REQUIRE(reports.total() == 1);
    REQUIRE(reports.by_id["e1"][0].delivered());
  }
  const auto records = emu.records();
  REQUIRE(records.GetArray().Size() == 2);
  CHECK(std::string(records[0]["key"].GetString()) == "c-42");
  CHECK(stored_headers(records[0]) == kHookstreamHeaders);
  CHECK(std::string(records[1]["key"].GetString()) == "c-42");
  CHECK(stored_headers(records[1]) == kOutpostHeaders);
}

TEST_CASE("hookstream's body delivers hookstream's headers by default", "[dropin][hookstream]") {
  FastRestProxyOptions o;
  o.api_key = "key";
  o.api_secret = "secret";
  FastRestProxy emu(o);
  auto d = make_destination(R"({"name":"orders-sink","type":"kafka","config":{)"
                            R"("bootstrap_servers":")" +
                            emu.url() +
                            R"(","cluster_id":"c1","topic":"orders","api_key":"key",)"
                            R"("api_secret":"secret"}})");
  ReportCollector reports;
  d->publish(customer_event(), reports.callback());
  d->close();
  REQUIRE(reports.by_id["e1"].size() == 1);
  REQUIRE(reports.by_id["e1"][0].delivered());
  const auto records = emu.records();
  REQUIRE(records.GetArray().Size() == 1);
  CHECK(std::string(records[0]["key"].GetString()) == "e1");  // no template: the event id
  CHECK(stored_headers(records[0]) == Headers{{"hookstream-event-id", "e1"},
                                              {"hookstream-destination-id", "orders-sink"},
                                              {"env", "test"},
                                              {"source", "web"}});
}

#ifdef EVENTDEST_DROPIN_TEST_KAFKA
namespace {

// customer_event() delivered by a kafka destination with des_7's delivery_metadata, keyed by
// data.customer, `config` added; the messages of the mock cluster's topic read back.
std::vector<test::ConsumedMessage> deliver_customer_event(const std::string& config) {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 1);
  auto d = make_destination(
      kafka_spec(cluster, R"(,"id":"des_7","delivery_metadata":{"env":"prod","region":"eu"})",
                 R"(,"partition_key_template":"data.customer")" + config));
  ReportCollector reports;
  d->publish(customer_event(), reports.callback());
  d->close();
  REQUIRE(reports.by_id["e1"].size() == 1);
  REQUIRE(reports.by_id["e1"][0].delivered());
  return consume_all(cluster.bootstraps(), "orders", 1, 20s);
}

}  // namespace

TEST_CASE("kafka record_format hookstream writes hookstream's headers",
          "[dropin][hookstream][kafka]") {
  const auto messages = deliver_customer_event(R"(,"record_format":"hookstream")");
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].key == "c-42");
  CHECK(messages[0].value == R"({"customer":"c-42"})");
  CHECK(messages[0].headers == kHookstreamHeaders);
}
#endif

#ifdef EVENTDEST_DROPIN_TEST_KAFKA
TEST_CASE("kafka: delivery_metadata and the event's own metadata merge into the headers",
          "[dropin][outpost][kafka]") {
  const auto messages = deliver_customer_event("");
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].headers == kOutpostHeaders);
}
#endif

TEST_CASE("timestamp-ms and rfc3339 timestamps reach the record's headers", "[dropin][outpost]") {
  FastRestProxy emu;
  auto d = make_destination(
      rest_spec(emu, "",
                R"(,"timestamp_format":"rfc3339","include_millisecond_timestamp":"yes",)"
                R"("partition_key_template":"metadata.\"timestamp-ms\"")"));
  ReportCollector reports;
  d->publish(Event::from_json(R"({"id":"e1","topic":"orders","time":"2024-01-01T00:00:00.250Z",)"
                              R"("metadata":{"attempt":2},"data":{}})"),
             reports.callback());
  d->close();
  REQUIRE(reports.by_id["e1"].size() == 1);
  REQUIRE(reports.by_id["e1"][0].delivered());
  const auto records = emu.records();
  REQUIRE(records.GetArray().Size() == 1);
  CHECK(std::string(records[0]["key"].GetString()) == "1704067200250");
  CHECK(stored_headers(records[0]) == Headers{{"content-type", "application/json"},
                                              {"event-id", "e1"},
                                              {"topic", "orders"},
                                              {"timestamp", "2024-01-01T00:00:00Z"},
                                              {"timestamp-ms", "1704067200250"},
                                              {"attempt", "2"}});
}

#ifdef EVENTDEST_DROPIN_TEST_KAFKA
TEST_CASE("kafka: timestamp-ms also for events without metadata", "[dropin][outpost][kafka]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 1);
  auto d = make_destination(kafka_spec(cluster, "", R"(,"include_millisecond_timestamp":"on")"));
  ReportCollector reports;
  d->publish(Event::from_json(R"({"id":"e1","topic":"orders","time":1704067200.5,"data":{}})"),
             reports.callback());
  d->close();
  REQUIRE(reports.by_id["e1"].size() == 1);
  REQUIRE(reports.by_id["e1"][0].delivered());
  const auto messages = consume_all(cluster.bootstraps(), "orders", 1, 20s);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].headers == Headers{{"content-type", "application/json"},
                                       {"event-id", "e1"},
                                       {"topic", "orders"},
                                       {"timestamp", "1704067200"},
                                       {"timestamp-ms", "1704067200500"}});
}
#endif
