// One service, three destinations: each event is published once to a Router, which hands it to
// every destination whose topics and filter take it — Outpost's model.
//
//   router --kinesis URL --kafka-rest URL --kafka BROKERS < events.ndjson
//
// The destinations (all on topic "orders" of their system):
//   orders-stream  aws_kinesis  topics orders            (credentials from the AWS chain)
//   big-orders     kafka_rest   topics orders, only data.total >= 100
//                               (KAFKA_REST_CLUSTER_ID, KAFKA_REST_API_KEY/SECRET)
//   everything     kafka        all topics
// Prints one line per (event, destination) report, and one per event when all have reported.
#include <cstdio>
#include <cstdlib>
#include <eventdest/eventdest.hpp>
#include <eventdest/kafka.hpp>  // registers the native "kafka" type
#include <iostream>
#include <mutex>
#include <string>

namespace {

std::string env(const char* name, const char* fallback = "") {
  const char* value = std::getenv(name);
  return value ? value : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  std::string kinesis, rest, kafka;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    (option == "--kinesis" ? kinesis : option == "--kafka-rest" ? rest : kafka) = argv[i + 1];
  }
  if (kinesis.empty() || rest.empty() || kafka.empty()) {
    std::cerr << "usage: router --kinesis URL --kafka-rest URL --kafka BROKERS < events.ndjson\n";
    return 2;
  }
  // The list as Outpost's list-destinations API returns it.
  const std::string destinations =
      R"([{"id":"orders-stream","type":"aws_kinesis","topics":["orders"],)"
      R"("config":{"stream_name":"orders","region":"us-east-1","endpoint":")" +
      kinesis +
      R"(","partition_key_template":"data.customer_id"}},)"
      R"({"id":"big-orders","type":"kafka_rest","topics":["orders"],)"
      R"("filter":{"data":{"total":{"$gte":100}}},)"
      R"("config":{"bootstrap_servers":")" +
      rest + R"(","cluster_id":")" + env("KAFKA_REST_CLUSTER_ID", "local") +
      R"(","topic":"orders"},"credentials":{"api_key":")" + env("KAFKA_REST_API_KEY") +
      R"(","api_secret":")" + env("KAFKA_REST_API_SECRET") +
      R"("}},)"
      R"({"id":"everything","type":"kafka","topics":["*"],)"
      R"("config":{"brokers":")" +
      kafka + R"(","topic":"orders","tls":"false"}}])";
  std::unique_ptr<eventdest::Router> router;
  try {
    router = eventdest::Router::from_json(destinations);
  } catch (const eventdest::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  std::mutex out;
  int failed = 0;
  for (std::string line; std::getline(std::cin, line);) {
    if (line.empty()) continue;
    router->publish(
        eventdest::Event::from_json(line),
        [&](const eventdest::DeliveryReport& r) {
          std::lock_guard<std::mutex> lock(out);
          std::cout << r.event_id << " -> " << r.destination_id << ": "
                    << (r.delivered() ? "delivered" : "FAILED " + r.message) << "\n";
        },
        [&](const eventdest::EventCompletion& c) {
          std::lock_guard<std::mutex> lock(out);
          std::cout << c.event_id << " done: " << eventdest::to_string(c.outcome) << " ("
                    << c.delivered << " of " << c.matched << " delivered)\n";
          failed += c.failed > 0;
        });
  }
  router->close();
  std::cout << router->metrics().to_json() << "\n";
  return failed == 0 ? 0 : 1;
}
