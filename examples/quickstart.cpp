// The README's first example: a destination from a JSON spec, a publish with a callback, close
// (which flushes). Usage: quickstart [KINESIS_ENDPOINT] (e.g. a local kinesis-local URL).
#include <cstdio>
#include <eventdest/eventdest.hpp>

int main(int argc, char** argv) {
  try {
    auto spec = eventdest::parse_spec(R"({
      "type": "aws_kinesis", "topics": ["orders"],
      "config": {"stream_name": "orders", "region": "us-east-1",
                 "partition_key_template": "data.customer_id"}})");
    if (argc > 1) spec.config["endpoint"] = argv[1];
    auto destination = eventdest::make_destination(spec);

    eventdest::Event event("orders", R"({"customer_id": "c-42", "total": 12.5})");
    event.metadata()["source"] = "checkout";
    destination->publish(std::move(event), [](const eventdest::DeliveryReport& r) {
      std::printf("%s\n", r.to_json().c_str());
    });
    destination->close();  // flushes; every event has had its report when it returns
  } catch (const eventdest::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());  // one line per field problem
    return 2;
  }
  return 0;
}
