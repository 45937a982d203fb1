// The native kafka destination and events built in code whose strings librdkafka would cut (a
// NUL) or a consumer could not decode (not UTF-8): they fail alone as invalid_event (issue 17,
// items 5 and 6).
#include "eventdest/eventdest.hpp"
#include "eventdest/kafka.hpp"
#include "kafka/mock_cluster.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"

using namespace eventdest;
using namespace eventdest::test;

TEST_CASE("kafka: an event with a NUL or invalid UTF-8 in its strings fails alone",
          "[kafka][hostile]") {
  kafka::MockCluster cluster;
  cluster.create_topic("orders", 1);
  ReportCollector reports;
  auto d = make_destination(R"({"type":"kafka","config":{"brokers":")" + cluster.bootstraps() +
                            R"(","topic":"orders","sasl_mechanism":"none","tls":"false",)"
                            R"("delivery_timeout_ms":10000}})");
  for (int i = 0; i < 5; ++i) {
    Event e("orders", "1");
    e.set_id("k" + std::to_string(i));
    if (i == 1) e.metadata()[std::string("a\0b", 3)] = "v";  // a header name librdkafka would cut
    if (i == 3) e.metadata()["source"] = "\xed\xb0\x80";     // a lone surrogate, encoded
    d->publish(std::move(e), reports.callback());
  }
  d->close();
  REQUIRE(reports.total() == 5);
  for (int i = 0; i < 5; ++i) {
    INFO("event " << i);
    const auto& r = reports.by_id["k" + std::to_string(i)].at(0);
    if (i == 1 || i == 3) {
      CHECK(r.error == errc::invalid_event);
      CHECK(r.message.rfind("metadata.", 0) == 0);
    } else {
      CHECK(r.delivered());
    }
  }
}
