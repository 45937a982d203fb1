#include <cstdio>
#include <eventdest/eventdest.hpp>

int main() {
  const eventdest::PartitionKeyTemplate key("data.customer_id");
  const eventdest::Event event("orders", R"({"customer_id": "c-42"})");
  const auto problems = eventdest::validate_spec(eventdest::parse_spec(
      R"({"type": "aws_kinesis", "topics": ["*"],
          "config": {"stream_name": "orders", "region": "us-east-1"}})"));
  std::printf("partition key %s, %zu spec problems\n", key.key(event).c_str(), problems.size());
  return key.key(event) == "c-42" && problems.empty() ? 0 : 1;
}
