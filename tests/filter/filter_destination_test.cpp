// A destination with a `filter` against a real local peer (the C++ REST Proxy v3 emulator, over
// HTTP; and the native kafka destination against librdkafka's mock cluster when it is built):
// only matching events arrive; the others are reported not_matched with the reason.
#include <set>
#include <string>

#include "eventdest/eventdest.hpp"
#include "kafka_rest/emulator/fast_rest_proxy.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"
#ifdef EVENTDEST_FILTER_TEST_KAFKA
#include <librdkafka/rdkafka.h>

#include "eventdest/kafka.hpp"
#include "kafka/kafka_consumer.hpp"
#include "kafka/mock_cluster.hpp"
#endif

using namespace eventdest;
using namespace eventdest::test;
using namespace std::chrono_literals;

namespace {

// Matches events 10..19 from "web" and event 3 (by id), on the topic "orders".
const char* const kFilter =
    R"({"$or":[{"data":{"n":{"$gte":10}},"metadata":{"source":"web"}},{"id":"o3"}],)"
    R"("time":{"$startsWith":"2024-01-01T"}})";

Event order(int i, const std::string& topic = "orders") {
  return Event::from_json(R"({"id":"o)" + std::to_string(i) + R"(","topic":")" + topic +
                          R"(","time":1704067200,"metadata":{"source":")" +
                          (i % 7 == 0 ? "app" : "web") + R"("},"data":{"n":)" + std::to_string(i) +
                          "}}");
}

std::set<std::string> expected_ids() {
  std::set<std::string> ids{"o3"};
  for (int i = 10; i < 20; ++i)
    if (i % 7 != 0) ids.insert("o" + std::to_string(i));
  return ids;
}

// Publishes o0..o19 on "orders" and o100 on "other"; checks every report, returns the delivered.
std::set<std::string> publish_and_check(Destination& d) {
  ReportCollector reports;
  for (int i = 0; i < 20; ++i)
    d.publish(order(i), reports.callback());
  d.publish(order(100, "other"), reports.callback());
  d.close();
  REQUIRE(reports.total() == 21);
  std::set<std::string> delivered;
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    INFO(id << ": " << rs[0].message);
    if (rs[0].status == DeliveryStatus::not_matched) {
      CHECK(rs[0].message == (id == "o100"
                                  ? "topic \"other\" is not one of the destination's topics"
                                  : "the event does not match the destination's filter"));
    } else {
      CHECK(rs[0].delivered());
      delivered.insert(id);
    }
  }
  CHECK(delivered == expected_ids());
  CHECK(d.metrics().not_matched == 21 - expected_ids().size());
  return delivered;
}

}  // namespace

TEST_CASE("kafka_rest with a filter: only matching events reach the REST proxy", "[filter]") {
  FastRestProxyOptions o;
  o.cluster_id = "c1";
  o.topics = {{"orders", 3}};
  o.api_key = "key";
  o.api_secret = "secret";
  FastRestProxy emu(o);
  auto d = make_destination(
      R"({"type":"kafka_rest","topics":["orders"],"filter":)" + std::string(kFilter) +
      R"(,"config":{"bootstrap_servers":")" + emu.url() +
      R"(","cluster_id":"c1","topic":"orders","linger_ms":5,"delivery_timeout_ms":20000},)"
      R"("credentials":{"api_key":"key","api_secret":"secret"}})");
  publish_and_check(*d);
  std::set<std::string> stored;
  const auto records = emu.records();
  for (const auto& r : records.GetArray())
    stored.insert(r["headers"][1]["value"].GetString());  // event-id
  CHECK(stored == expected_ids());
}

TEST_CASE("an invalid filter is a config error naming its path", "[filter]") {
  try {
    parse_spec(R"({"type":"kafka_rest","topics":["orders"],"filter":{"data":{"$gtt":1}},)"
               R"("config":{}})");
    FAIL("no ConfigError");
  } catch (const ConfigError& e) {
    REQUIRE_FALSE(e.problems().empty());
    CHECK(e.problems()[0].field == "filter.data.$gtt");
  }
  CHECK_THROWS_AS(parse_spec(R"({"type":"kafka_rest","filter":[1],"config":{}})"), ConfigError);
}

#ifdef EVENTDEST_FILTER_TEST_KAFKA
TEST_CASE("kafka with a filter: only matching events reach the broker", "[filter][kafka]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 3);
  auto d =
      make_destination(R"({"type":"kafka","topics":["orders"],"filter":)" + std::string(kFilter) +
                       R"(,"config":{"brokers":")" + cluster.bootstraps() +
                       R"(","topic":"orders","sasl_mechanism":"none","tls":"false",)"
                       R"("delivery_timeout_ms":10000}})");
  publish_and_check(*d);
  const auto messages = consume_all(cluster.bootstraps(), "orders", expected_ids().size(), 20s);
  std::set<std::string> stored;
  for (const auto& m : messages)
    stored.insert(m.headers[1].second);  // event-id
  CHECK(stored == expected_ids());
}
#endif
