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
