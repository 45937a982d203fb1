// A destination type registered by the program is parsed, validated and created exactly like the
// built-in ones.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "eventdest/destination.hpp"
#include "eventdest/spec.hpp"
#include "support/catch.hpp"

using namespace eventdest;

namespace {

// A destination that delivers every event at once and counts them.
class CountingDestination : public Destination {
 public:
  explicit CountingDestination(std::string label) : label_(std::move(label)) {}
  using Destination::close;
  void publish(Event event, DeliveryCallback callback) override {
    ++published_;
    DeliveryReport report;
    report.status = DeliveryStatus::delivered;
    report.event_id = event.id();
    report.topic = event.topic();
    report.destination_type = type_;
    callback(report);
  }
  bool flush(std::chrono::milliseconds) override { return true; }
  void close() override {}
  DestinationMetrics metrics() const override {
    DestinationMetrics m;
    m.published = published_;
    return m;
  }
  const std::string& type() const noexcept override { return type_; }
  std::string to_string() const override { return "memory(" + label_ + ")"; }

 private:
  std::string type_ = "memory";
  std::string label_;
  std::atomic<std::uint64_t> published_{0};
};

void register_memory_type() {
  DestinationType type;
  type.name = "memory";
  type.validate = [](const DestinationSpec& spec) {
    std::vector<FieldProblem> problems;
    if (!spec.config.count("label")) problems.push_back({"config.label", "is required"});
    for (const auto& [key, value] : spec.config) {
      if (key != "label" && key != "options")
        problems.push_back({"config." + key, "unknown field"});
    }
    return problems;
  };
  type.create = [](const DestinationSpec& spec) -> std::unique_ptr<Destination> {
    return std::make_unique<CountingDestination>(spec.config.at("label"));
  };
  type.object_fields = {"options"};
  register_destination_type(std::move(type));
}

std::vector<FieldProblem> problems_of(const std::string& json) {
  try {
    parse_spec(json);
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

}  // namespace

TEST_CASE("a registered type is parsed, validated and created like a built-in one", "[spec]") {
  register_memory_type();
  const auto names = destination_type_names();
  REQUIRE(names.size() >= 4);
  CHECK(names[0] == "aws_kinesis");  // built-in types first, in their CMake order
  CHECK(names[1] == "kafka_rest");
  CHECK(names[2] == "kafka");
  CHECK(std::count(names.begin(), names.end(), "memory") == 1);

  auto spec = parse_spec(
      R"({"type":"memory","topics":["a"],"config":{"label":"x","options":{"password":"p1"}}})");
  CHECK(spec.type == "memory");
  CHECK(spec.config.at("options") == R"({"password":"p1"})");
  // Object fields are redacted whole, as kafka's librdkafka object is.
  CHECK(spec.to_string().find("p1") == std::string::npos);
  CHECK(validate_spec(spec).empty());
  CHECK(has_destination_factory("memory"));

  auto destination = make_destination(spec);
  REQUIRE(destination->type() == "memory");
  CHECK(destination->to_string() == "memory(x)");
  auto report = destination->publish_and_wait(Event("a", "{}"));
  CHECK(report.delivered());
  CHECK(destination->metrics().published == 1);
}

TEST_CASE("a registered type's validator reports through parse_spec with every problem", "[spec]") {
  register_memory_type();
  auto problems = problems_of(R"({"type":"memory","topics":[5],"config":{"colour":"red"}})");
  auto has = [&](const std::string& field, const std::string& text) {
    return std::any_of(problems.begin(), problems.end(), [&](const FieldProblem& p) {
      return p.field == field && p.problem.find(text) != std::string::npos;
    });
  };
  CHECK(has("topics[0]", "non-empty string"));
  CHECK(has("config.label", "is required"));
  CHECK(has("config.colour", "unknown field"));
  // An object value is refused for fields the type did not declare as objects.
  problems = problems_of(R"({"type":"memory","config":{"label":{"a":1}}})");
  CHECK(has("config.label", "must be a string, number or boolean"));
}

TEST_CASE("unknown types are refused naming every registered type", "[spec]") {
  register_memory_type();
  auto problems = problems_of(R"({"type":"carrier_pigeon","config":{}})");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == "type");
  CHECK(problems[0].problem.find("aws_kinesis, kafka_rest, kafka") != std::string::npos);
  CHECK(problems[0].problem.find("memory") != std::string::npos);
}

TEST_CASE("register_destination_factory sets the factory of a known type", "[spec]") {
  // Without the adapter linked, kafka validates but cannot be created ...
  const std::string body = R"({"type":"kafka","config":{"brokers":"b:1","topic":"t"}})";
  CHECK_FALSE(has_destination_factory("kafka"));
  CHECK_THROWS_AS(make_destination(body), ConfigError);
  // ... a program may provide one (as the adapter does), and kafka's validation still applies.
  register_destination_factory("kafka", [](const DestinationSpec&) -> std::unique_ptr<Destination> {
    return std::make_unique<CountingDestination>("kafka stand-in");
  });
  CHECK(make_destination(body)->to_string() == "memory(kafka stand-in)");
  CHECK_THROWS_AS(make_destination(R"({"type":"kafka","config":{"topic":"t"}})"), ConfigError);
}

TEST_CASE("a type needs a name and a validator", "[spec]") {
  DestinationType nameless;
  nameless.validate = [](const DestinationSpec&) { return std::vector<FieldProblem>{}; };
  CHECK_THROWS_AS(register_destination_type(nameless), std::invalid_argument);
  DestinationType unchecked;
  unchecked.name = "unchecked";
  CHECK_THROWS_AS(register_destination_type(unchecked), std::invalid_argument);
}
