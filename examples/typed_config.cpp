// A destination configured in code (no JSON): a typed KinesisConfig checked with validate(), the
// program's own credentials source, and close() bounded by a shutdown deadline.
// Usage: typed_config [KINESIS_ENDPOINT] (e.g. a local kinesis-local URL).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <eventdest/aws/credentials.hpp>
#include <eventdest/eventdest.hpp>
#include <memory>

int main(int argc, char** argv) {
  eventdest::KinesisConfig config;
  config.stream_name = "orders";
  config.region = "us-east-1";
  config.partition_key_template = "data.customer_id";
  config.delivery.linger = std::chrono::milliseconds(20);
  if (argc > 1) config.endpoint = argv[1];
  // Where a program keeps its own credentials (a vault client, an SSO cache). The static provider
  // stands in for one here; without it the AWS credential chain is used.
  const char* key = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (key && secret) {
    config.credentials_provider =
        eventdest::aws::make_static_credentials_provider({key, secret, "", std::nullopt});
  }

  // Every problem at once, named as in a JSON spec (config.stream_name, ...).
  if (auto problems = config.validate(); !problems.empty()) {
    for (const auto& p : problems)
      std::fprintf(stderr, "%s: %s\n", p.field.c_str(), p.problem.c_str());
    return 2;
  }
  auto destination = eventdest::make_kinesis_destination(config, {"orders"});
  for (int i = 0; i < 3; ++i) {
    eventdest::Event event("orders", R"({"customer_id": "c-)" + std::to_string(i) + R"("})");
    destination->publish(std::move(event), [](const eventdest::DeliveryReport& r) {
      std::printf("%s\n", r.to_json().c_str());
    });
  }
  // A service manager's stop deadline: what is not delivered within 5 s is reported closed.
  destination->close(std::chrono::seconds(5));
  return 0;
}
