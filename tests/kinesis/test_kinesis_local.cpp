// aws_kinesis against kinesis-local: records read back with GetRecords equal the DESIGN.md
// format in both payload modes, keys follow the template and its fallbacks, session credentials
// and TLS (with and without a CA override) behave.
#include <map>

#include "eventdest/kinesis.hpp"
#include "kinesis/kinesis_local.hpp"
#include "support/catch.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

std::string spec(
    const std::string& stream, const std::string& endpoint, const std::string& extra_config = "",
    const std::string& credentials = R"({"key":"AKIDLOCAL","secret":"local-secret"})") {
  return R"({"type":"aws_kinesis","topics":["orders"],"config":{"stream_name":")" + stream +
         R"(","region":"us-east-1","endpoint":")" + endpoint + R"(","linger_ms":5)" + extra_config +
         R"(},"credentials":)" + credentials + "}";
}

std::vector<Event> sample_events() {
  std::vector<Event> events;
  events.push_back(Event::from_json(
      R"({"id":"k1","topic":"orders","time":"2024-01-01T00:00:00Z","metadata":{"source":"web"},"data":{"customer_id":"c-42","total": 12.50}})"));
  events.push_back(Event::from_json(
      R"({"id":"k2","topic":"orders","time":1704067201,"data":{"customer_id":7,"items":[1, 2]}})"));
  events.push_back(Event::from_json(  // no customer_id: the key falls back to the event id
      R"({"id":"k3","topic":"orders","time":1704067202,"metadata":{"a":"b"},"data":{"other":true}})"));
  events.push_back(Event::from_json(
      R"({"id":"k4","topic":"orders","time":1704067203,"data":{"customer_id":"ü-ñ"}})"));
  return events;
}

std::map<std::string, DeliveryReport> publish_all(Destination& d,
                                                  const std::vector<Event>& events) {
  std::vector<std::future<DeliveryReport>> futures;
  for (const auto& e : events)
    futures.push_back(d.publish(e));
  std::map<std::string, DeliveryReport> reports;
  for (auto& f : futures) {
    auto r = f.get();
    reports[r.event_id] = r;
  }
  return reports;
}

}  // namespace

TEST_CASE("kinesis-local: records carry metadata and data, keys follow the template",
          "[kinesis][integration]") {
  auto& local = KinesisLocal::instance();
  auto d = make_destination(
      spec("orders", local.plain_url(), R"(,"partition_key_template":"data.customer_id")"));
  const auto events = sample_events();
  auto reports = publish_all(*d, events);
  d->close();
  const std::map<std::string, std::string> expected_key = {
      {"k1", "c-42"}, {"k2", "7"}, {"k3", "k3"}, {"k4", "ü-ñ"}};
  const std::map<std::string, std::string> expected_data = {
      {"k1",
       R"({"metadata":{"event-id":"k1","topic":"orders","timestamp":"1704067200","source":"web"},"data":{"customer_id":"c-42","total": 12.50}})"},
      {"k2",
       R"({"metadata":{"event-id":"k2","topic":"orders","timestamp":"1704067201"},"data":{"customer_id":7,"items":[1, 2]}})"},
      {"k3",
       R"({"metadata":{"event-id":"k3","topic":"orders","timestamp":"1704067202","a":"b"},"data":{"other":true}})"},
      {"k4",
       R"({"metadata":{"event-id":"k4","topic":"orders","timestamp":"1704067203"},"data":{"customer_id":"ü-ñ"}})"}};
  for (const auto& [id, r] : reports) {
    INFO(id << ": " << r.to_json());
    CHECK(r.delivered());
    CHECK(r.partition_key == expected_key.at(id));
  }
  auto records = local.read_all("orders");
  REQUIRE(records.size() == 4);
  for (const auto& rec : records) {
    // Match each record to its report by sequence number: the report's provider details are real.
    auto it = std::find_if(reports.begin(), reports.end(), [&](const auto& p) {
      return p.second.sequence_number == rec.sequence_number;
    });
    REQUIRE(it != reports.end());
    INFO(it->first);
    CHECK(rec.shard_id == it->second.shard_id);
    CHECK(rec.partition_key == expected_key.at(it->first));
    CHECK(rec.data == expected_data.at(it->first));
  }
}

TEST_CASE("kinesis-local: metadata_in_payload false sends the data alone",
          "[kinesis][integration]") {
  auto& local = KinesisLocal::instance();
  auto d = make_destination(spec("plain", local.plain_url(), R"(,"metadata_in_payload":false)"));
  auto reports = publish_all(*d, sample_events());
  d->close();
  for (const auto& [id, r] : reports)
    CHECK(r.delivered());
  auto records = local.read_all("plain");
  REQUIRE(records.size() == 4);
  std::map<std::string, std::string> by_key;
  for (const auto& r : records)
    by_key[r.partition_key] = r.data;
  // No template: every key is the event id.
  CHECK(by_key.at("k1") == R"({"customer_id":"c-42","total": 12.50})");
  CHECK(by_key.at("k2") == R"({"customer_id":7,"items":[1, 2]})");
  CHECK(by_key.at("k3") == R"({"other":true})");
}

TEST_CASE("kinesis-local: session credentials are accepted", "[kinesis][integration]") {
  auto& local = KinesisLocal::instance();
  auto d = make_destination(spec("session", local.plain_url(), "",
                                 R"({"key":"ASIALOCAL","secret":"s","session":"token-123"})"));
  auto r = d->publish_and_wait(Event("orders", R"({"n":1})"));
  d->close();
  CHECK(r.delivered());
  CHECK(local.read_all("session").size() == 1);
}

TEST_CASE("kinesis-local: TLS works with a CA override and fails clearly without",
          "[kinesis][integration][tls]") {
  auto& local = KinesisLocal::instance();
  {
    auto d =
        make_destination(spec("tls", local.tls_url(), R"(,"ca_file":")" + local.ca_file() + "\""));
    auto r = d->publish_and_wait(Event("orders", R"({"secure":true})"));
    d->close();
    INFO(r.to_json());
    CHECK(r.delivered());
  }
  {
    auto d = make_destination(spec("tls", local.tls_url(), R"(,"delivery_timeout_ms":3000)"));
    auto r = d->publish_and_wait(Event("orders", R"({"secure":false})"));
    d->close();
    INFO(r.to_json());
    CHECK(r.status == DeliveryStatus::failed);
    CHECK(r.error == make_error_code(errc::tls_error));
    CHECK_FALSE(r.retryable);
    CHECK(r.message.find("certificate") != std::string::npos);
  }
  CHECK(local.read_all("tls").size() == 1);
}

TEST_CASE("kinesis-local: a missing stream fails at once with not_found",
          "[kinesis][integration]") {
  auto& local = KinesisLocal::instance();
  auto d = make_destination(spec("no-such-stream", local.plain_url()));
  auto r = d->publish_and_wait(Event("orders", "{}"));
  d->close();
  INFO(r.to_json());
  CHECK(r.error == make_error_code(errc::not_found));
  CHECK(r.attempts == 1);
}

TEST_CASE("kinesis-local: api put_record sends one PutRecord per event, read back exactly",
          "[kinesis][integration]") {
  auto& local = KinesisLocal::instance();
  auto d = make_destination(spec("single", local.plain_url(),
                                 R"(,"api":"put_record","partition_key_template":"data.n")"));
  std::vector<Event> events;
  for (int i = 0; i < 60; ++i) {
    Event e("orders", R"({"n":")" + std::to_string(i) + R"("})");
    e.set_id("s" + std::to_string(i));
    events.push_back(std::move(e));
  }
  auto reports = publish_all(*d, events);
  d->close();
  REQUIRE(reports.size() == 60);
  for (const auto& [id, r] : reports) {
    INFO(r.to_json());
    CHECK(r.delivered());
    CHECK(r.attempts == 1);
  }
  auto records = local.read_all("single");
  REQUIRE(records.size() == 60);
  for (const auto& rec : records) {
    auto it = std::find_if(reports.begin(), reports.end(), [&](const auto& p) {
      return p.second.sequence_number == rec.sequence_number;
    });
    REQUIRE(it != reports.end());
    CHECK(rec.shard_id == it->second.shard_id);
    CHECK(rec.partition_key == it->second.partition_key);
    CHECK(rec.data.find("\"event-id\":\"" + it->first + "\"") != std::string::npos);
  }
}
