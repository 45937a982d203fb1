// A program outside the eventdest tree, built against the installed CMake package, against
// add_subdirectory() and against pkg-config. It exercises the whole stack at run time: spec
// parsing with field errors, the JMESPath partition key, and a publish through libcurl (to a
// closed port) and, with the kafka component, through librdkafka, each ending in a report.
#include <cstdio>
#include <eventdest/eventdest.hpp>
#include <string>
#ifdef CONSUMER_WITH_KAFKA
#include <eventdest/kafka.hpp>
#endif

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++failures;
}

void expect_failed_report(const std::string& spec, const std::string& what) {
  auto destination = eventdest::make_destination(spec);
  eventdest::Event event("orders", R"({"customer_id": "c-42"})");
  auto report = destination->publish(std::move(event)).get();
  destination->close();
  expect(!report.delivered() && report.partition_key == "c-42",
         what + " gives a failed report: " + report.to_json());
}

}  // namespace

int main() {
  try {
    eventdest::make_destination(R"({"type": "kafka_rest", "topics": ["*"], "config": {}})");
    expect(false, "an empty kafka_rest config is rejected");
  } catch (const eventdest::ConfigError& e) {
    const std::string message = e.what();
    expect(message.find("config.cluster_id") != std::string::npos &&
               message.find("config.topic") != std::string::npos,
           "one ConfigError lists every field problem");
  }

  const eventdest::PartitionKeyTemplate key("join('-', [metadata.source, data.customer_id])");
  eventdest::Event event("orders", R"({"customer_id": "c-42"})");
  event.metadata()["source"] = "checkout";
  expect(key.key(event) == "checkout-c-42", "JMESPath partition key: " + key.key(event));

  expect_failed_report(R"({"type": "kafka_rest", "topics": ["orders"], "config": {
      "bootstrap_servers": "http://127.0.0.1:1", "cluster_id": "c1", "topic": "orders",
      "partition_key_template": "data.customer_id", "delivery_timeout_ms": 300}})",
                       "kafka_rest to a closed port");
#ifdef CONSUMER_WITH_KAFKA
  expect_failed_report(R"({"type": "kafka", "topics": ["orders"], "config": {
      "brokers": "127.0.0.1:1", "topic": "orders", "tls": false, "sasl_mechanism": "none",
      "partition_key_template": "data.customer_id", "delivery_timeout_ms": 500}})",
                       "kafka to a closed port");
#endif
  return failures == 0 ? 0 : 1;
}
