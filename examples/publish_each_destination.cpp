// Publishes the same events to each destination type, built from a DestinationSpec in code
// (the C++ form of the JSON spec), and prints where each one landed.
//
//   publish_each_destination [--kinesis URL] [--kafka-rest URL] [--kafka BROKERS] < events.ndjson
//
// Each option adds one destination: a Kinesis endpoint (stream "orders"; credentials from the
// AWS chain, e.g. AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), a REST Proxy v3 base URL (topic
// "orders") and a bootstrap list of plaintext Kafka brokers (topic "orders"). The REST Proxy's
// cluster id and API key come from the environment, as a service would keep them:
// KAFKA_REST_CLUSTER_ID (default "local"), KAFKA_REST_API_KEY, KAFKA_REST_API_SECRET.
// Events are NDJSON on stdin, as `eventdest publish` reads them.
#include <cstdio>
#include <cstdlib>
#include <eventdest/eventdest.hpp>
#include <eventdest/kafka.hpp>  // registers the native "kafka" type
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

eventdest::DestinationSpec spec(std::string type, std::map<std::string, std::string> config) {
  eventdest::DestinationSpec s;
  s.type = std::move(type);
  s.topics = {"orders"};
  s.config = std::move(config);
  s.config["partition_key_template"] = "data.customer_id";
  return s;
}

// Where the destination put the event, in its own terms.
std::string env(const char* name, const char* fallback = "") {
  const char* value = std::getenv(name);
  return value ? value : fallback;
}

std::string where(const eventdest::DeliveryReport& r) {
  if (!r.shard_id.empty()) return r.shard_id + " seq " + r.sequence_number;
  return "partition " + std::to_string(r.partition) + " offset " + std::to_string(r.offset);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<eventdest::DestinationSpec> specs;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i], value = argv[i + 1];
    if (option == "--kinesis") {
      specs.push_back(
          spec("aws_kinesis",
               {{"stream_name", "orders"}, {"region", "us-east-1"}, {"endpoint", value}}));
    } else if (option == "--kafka-rest") {
      auto rest = spec("kafka_rest", {{"bootstrap_servers", value},
                                      {"cluster_id", env("KAFKA_REST_CLUSTER_ID", "local")},
                                      {"topic", "orders"}});
      if (!env("KAFKA_REST_API_KEY").empty()) {
        rest.credentials = {{"api_key", env("KAFKA_REST_API_KEY")},
                            {"api_secret", env("KAFKA_REST_API_SECRET")}};
      }
      specs.push_back(std::move(rest));
    } else if (option == "--kafka") {
      specs.push_back(spec(
          "kafka",
          {{"brokers", value}, {"topic", "orders"}, {"tls", "false"}, {"sasl_mechanism", "none"}}));
    } else {
      std::fprintf(stderr, "unknown option %s\n", option.c_str());
      return 2;
    }
  }

  std::vector<eventdest::Event> events;
  for (std::string line; std::getline(std::cin, line);) {
    if (line.empty()) continue;
    try {
      events.push_back(eventdest::Event::from_json(line));
    } catch (const eventdest::EventError& e) {
      std::fprintf(stderr, "skipping a bad event: %s\n", e.what());
    }
  }

  int failed = 0;
  for (const auto& s : specs) {
    std::unique_ptr<eventdest::Destination> destination;
    try {
      destination = eventdest::make_destination(s);
    } catch (const eventdest::ConfigError& e) {
      std::fprintf(stderr, "%s: %s\n", s.type.c_str(), e.what());
      return 2;
    }
    // Futures keep the reports in publish order; Event is cheap to copy (shared data).
    std::vector<std::future<eventdest::DeliveryReport>> reports;
    for (const auto& event : events)
      reports.push_back(destination->publish(event));
    destination->close();
    for (auto& future : reports) {
      const auto r = future.get();
      if (r.status == eventdest::DeliveryStatus::not_matched) {
        std::printf("%s skipped %s: topic %s is not one of its topics\n", s.type.c_str(),
                    r.event_id.c_str(), r.topic.c_str());
      } else if (r.delivered()) {
        std::printf("%s delivered %s key %s at %s\n", s.type.c_str(), r.event_id.c_str(),
                    r.partition_key.c_str(), where(r).c_str());
      } else {
        ++failed;
        std::printf("%s FAILED %s: %s\n", s.type.c_str(), r.event_id.c_str(), r.message.c_str());
      }
    }
  }
  return failed == 0 ? 0 : 1;
}
