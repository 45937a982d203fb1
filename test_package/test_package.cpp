#include <cstdio>
#include <eventdest/eventdest.hpp>
#ifdef TEST_PACKAGE_WITH_KAFKA
#include <eventdest/kafka.hpp>
#endif

int main() {
  const eventdest::PartitionKeyTemplate key("data.customer_id");
  const eventdest::Event event("orders", R"({"customer_id": "c-42"})");
  const auto problems = eventdest::validate_spec(eventdest::parse_spec(
      R"({"type": "aws_kinesis", "topics": ["*"],
          "config": {"stream_name": "orders", "region": "us-east-1"}})"));
  std::printf("partition key %s, %zu spec problems\n", key.key(event).c_str(), problems.size());
  bool ok = key.key(event) == "c-42" && problems.empty();
#ifdef TEST_PACKAGE_WITH_KAFKA
  // A librdkafka producer made and closed (its broker is a closed loopback port; nothing is sent).
  auto kafka = eventdest::make_destination(R"({"type": "kafka", "topics": ["orders"],
      "config": {"brokers": "127.0.0.1:1", "topic": "orders", "tls": false,
                 "sasl_mechanism": "none"}})");
  kafka->close();
  std::printf("kafka destination made and closed\n");
#else
  std::printf("built without the kafka adapter\n");
#endif
  return ok ? 0 : 1;
}
