// kafka_rest against the REST Proxy v3 emulators (Python with fault injection, and the C++ one the
// benchmark uses): every mode produces the DESIGN.md record exactly, auth and unknown topics fail
// clearly, injected faults lose nothing, and the C++ emulator is as strict as the Python one.
#include <map>

#include "eventdest/eventdest.hpp"
#include "http/http_client.hpp"
#include "kafka_rest/emulator/fast_rest_proxy.hpp"
#include "kafka_rest/rest_emulator.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

template <typename Emulator>
std::string spec(const Emulator& emu, const std::string& extra = "",
                 const std::string& secret = "secret", const std::string& topic = "orders") {
  return R"({"type":"kafka_rest","topics":["orders"],"config":{"bootstrap_servers":")" + emu.url() +
         R"(","cluster_id":"c1","topic":")" + topic +
         R"(","partition_key_template":"data.customer_id","linger_ms":5,"retry_backoff_ms":5,)"
         R"("retry_backoff_max_ms":50,"delivery_timeout_ms":20000)" +
         extra + R"(},"credentials":{"api_key":"key","api_secret":")" + secret + "\"}}";
}

Event order(int i) {
  Event e = Event::from_json(R"({"id":"o)" + std::to_string(i) +
                             R"(","topic":"orders","time":1704067200,"metadata":{"source":"web"},)"
                             R"("data":{"customer_id":"c)" +
                             std::to_string(i % 4) + R"(","n":)" + std::to_string(i) + "}}");
  return e;
}

FastRestProxyOptions fast_options() {
  FastRestProxyOptions o;
  o.cluster_id = "c1";
  o.topics = {{"orders", 3}};
  o.api_key = "key";
  o.api_secret = "secret";
  return o;
}

template <typename Emulator>
void check_every_mode_writes_the_record(Emulator& emu, const std::string& mode) {
  ReportCollector reports;
  auto d = make_destination(spec(emu, R"(,"mode":")" + mode + "\""));
  for (int i = 0; i < 25; ++i)
    d->publish(order(i), reports.callback());
  d->close();
  REQUIRE(reports.total() == 25);
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].delivered());
    CHECK(rs[0].partition >= 0);
    CHECK(rs[0].offset >= 0);
  }
  auto records = emu.records();
  REQUIRE(records.Size() == 25);
  std::map<std::string, const rapidjson::Value*> by_id;
  for (const auto& r : records.GetArray()) {
    const auto& h = r["headers"];
    REQUIRE(h.Size() == 5);
    CHECK(std::string(h[0]["name"].GetString()) == "content-type");
    CHECK(std::string(h[0]["value"].GetString()) == "application/json");
    CHECK(std::string(h[1]["name"].GetString()) == "event-id");
    CHECK(std::string(h[2]["name"].GetString()) == "topic");
    CHECK(std::string(h[2]["value"].GetString()) == "orders");
    CHECK(std::string(h[3]["name"].GetString()) == "timestamp");
    CHECK(std::string(h[3]["value"].GetString()) == "1704067200");
    CHECK(std::string(h[4]["name"].GetString()) == "source");
    by_id[h[1]["value"].GetString()] = &r;
  }
  for (int i = 0; i < 25; ++i) {
    const auto& r = *by_id.at("o" + std::to_string(i));
    CHECK(std::string(r["key"].GetString()) == "c" + std::to_string(i % 4));
    CHECK(r["value"]["n"].GetInt() == i);
    CHECK(std::string(r["value_type"].GetString()) == "JSON");
    // Same key, same partition: the report and the record agree.
    CHECK(reports.by_id["o" + std::to_string(i)][0].partition == r["partition"].GetInt());
  }
}

}  // namespace

TEST_CASE("every mode writes the same Kafka record, exactly", "[kafka_rest][emulator]") {
  std::map<std::string, std::vector<int>> partitions_by_emulator;
  for (const std::string mode : {"single", "stream", "batch"}) {
    INFO(mode);
    SECTION("python emulator, " + mode) {
      RestEmulator emu;
      check_every_mode_writes_the_record(emu, mode);
    }
    SECTION("C++ emulator, " + mode) {
      FastRestProxy emu(fast_options());
      check_every_mode_writes_the_record(emu, mode);
    }
  }
}

template <typename Emulator>
void check_credentials_and_topics(Emulator& emu) {
  {
    auto d = make_destination(spec(emu, "", "wrong-secret"));
    auto r = d->publish_and_wait(order(1));
    CHECK(r.error == make_error_code(errc::auth_failed));
    CHECK(r.provider_code == "40101");
    CHECK(r.attempts == 1);
    CHECK(r.message.find("wrong-secret") == std::string::npos);
  }
  {
    auto d = make_destination(spec(emu, "", "secret", "missing-topic"));
    auto r = d->publish_and_wait(order(1));
    CHECK(r.error == make_error_code(errc::not_found));
    CHECK(r.provider_code == "40403");
  }
  CHECK(emu.records().Size() == 0);
}

TEST_CASE("wrong credentials and unknown topics fail at once", "[kafka_rest][emulator]") {
  SECTION("python emulator") {
    RestEmulator emu;
    check_credentials_and_topics(emu);
  }
  SECTION("C++ emulator") {
    FastRestProxy emu(fast_options());
    check_credentials_and_topics(emu);
  }
}

TEST_CASE("a cluster id given in code is checked as a spec's is, and cannot redirect records",
          "[kafka_rest][emulator]") {
  RestEmulator emu({"--topic", "other:1"});
  KafkaRestConfig config;
  config.bootstrap_servers = emu.url();
  config.cluster_id = "c1/topics/other/records?";
  config.topic = "orders";
  config.api_key = "key";
  config.api_secret = "secret";
  config.delivery.linger = std::chrono::milliseconds(5);
  // The typed path runs the spec's rules: refused before anything is sent.
  const auto problems = config.validate();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == "config.cluster_id");
  CHECK_THROWS_AS(make_kafka_rest_destination(config), ConfigError);
  CHECK(emu.records("other").Size() == 0);
  CHECK(emu.records("orders").Size() == 0);
}

namespace {

// One raw produce request to the C++ emulator: (status, body).
std::pair<long, std::string> produce(const FastRestProxy& emu, const std::string& body,
                                     const std::string& suffix = "/records",
                                     const std::string& content_type = "application/json",
                                     const std::string& auth = "a2V5OnNlY3JldA==") {
  static http::Client client;
  http::Request r;
  r.url = emu.url() + "/kafka/v3/clusters/c1/topics/orders" + suffix;
  r.body = body;
  r.headers = {{"Content-Type", content_type}};
  if (!auth.empty()) r.headers.push_back({"Authorization", "Basic " + auth});
  auto response = client.send_sync(std::move(r));
  return {response.status, response.body};
}

std::vector<int> report_codes(const std::string& body) {
  std::vector<int> codes;
  std::size_t pos = 0;
  while (pos < body.size()) {
    const auto end = body.find("\r\n", pos);
    REQUIRE(end != std::string::npos);  // every report ends with CRLF
    rapidjson::Document d;
    d.Parse(body.data() + pos, end - pos);
    REQUIRE(d.IsObject());
    codes.push_back(d["error_code"].GetInt());
    pos = end + 2;
  }
  return codes;
}

const std::string kGood =
    R"({"key":{"type":"STRING","data":"k"},"value":{"type":"JSON","data":{"a":1}},)"
    R"("headers":[{"name":"h","value":"dmFsdWU="}]})";

}  // namespace

// The checks of test_emulator.py's record and request validation, against the C++ emulator.
TEST_CASE("C++ emulator: strict validation like the Python emulator", "[kafka_rest][emulator]") {
  FastRestProxy emu(fast_options());
  SECTION("record errors are reported inside the 200, in order") {
    const auto [status, body] =
        produce(emu, R"({"value":{"type":"JSON","data":1},"extra":1})"
                     "\n"
                     R"({"value":{"type":"AVRO","data":1}})"
                     "\n"
                     R"({"value":{"type":"STRING","data":5}})"
                     "\n"
                     R"({"headers":[{"name":"h","value":"dmFsdWU"}]})"  // unpadded base64
                     "\n" +
                         kGood);
    CHECK(status == 200);
    CHECK(report_codes(body) == std::vector<int>{400, 400, 400, 400, 200});
    CHECK(emu.accepted() == 1);
    const auto records = emu.records();
    REQUIRE(records.Size() == 1);
    CHECK(std::string(records[0]["headers"][0]["value"].GetString()) == "value");
    CHECK(records[0]["value"]["a"].GetInt() == 1);
  }
  SECTION("base64 must be padded standard base64") {
    for (const char* bad : {"dmFsdWU", "dmFs dWU=", "dmFsdWU_", "dm=sdWU=", "====", "Zm9v===="}) {
      INFO(bad);
      const auto [status, body] =
          produce(emu, R"({"headers":[{"name":"h","value":")" + std::string(bad) + "\"}]}");
      CHECK(report_codes(body) == std::vector<int>{400});
    }
    CHECK(report_codes(produce(emu, R"({"value":{"type":"BINARY","data":"AAE="}})").second) ==
          std::vector<int>{200});
  }
  SECTION("an unparsable record ends the stream with a 400 report") {
    CHECK(report_codes(produce(emu, kGood + kGood + "{oops").second) ==
          std::vector<int>{200, 200, 400});
  }
  SECTION("request-level errors") {
    CHECK(produce(emu, kGood, "/records", "application/json", "").first == 401);
    const auto [status, body] = produce(emu, kGood, "/records", "application/json", "eDp5");
    CHECK(status == 401);
    CHECK(body.find("40101") != std::string::npos);
    CHECK(produce(emu, kGood, "/records", "text/plain").first == 415);
    CHECK(produce(emu, kGood, "/nope").first == 404);
    CHECK(emu.accepted() == 0);
  }
  SECTION("keyed records use Kafka's murmur2 partitioner") {
    // (murmur2 & 0x7fffffff) % 3 with Kafka's own murmur2 vectors (UtilsTest#testMurmur2):
    // "foobar" -> -790332482 -> 0, "a-little-bit-long-string" -> -985981536 -> 2; "c2" -> 1
    // as the Python emulator computes it.
    produce(emu, R"({"key":{"type":"STRING","data":"foobar"}})"
                 R"({"key":{"type":"STRING","data":"a-little-bit-long-string"}})"
                 R"({"key":{"type":"STRING","data":"c2"}})"
                 R"({"key":{"type":"STRING","data":"foobar"}})");
    const auto records = emu.records();
    REQUIRE(records.Size() == 4);
    CHECK(records[0]["partition"].GetInt() == 0);
    CHECK(records[1]["partition"].GetInt() == 2);
    CHECK(records[2]["partition"].GetInt() == 1);
    CHECK(records[3]["partition"].GetInt() == 0);
    CHECK(records[3]["offset"].GetInt64() == records[0]["offset"].GetInt64() + 1);
  }
  SECTION("records:batch answers 207 with successes and failures by id") {
    const auto [status, body] =
        produce(emu,
                R"({"entries":[{"id":"1","value":{"type":"JSON","data":1}},)"
                R"({"id":"2","value":{"type":"BINARY","data":"bad"}}]})",
                "/records:batch");
    CHECK(status == 207);
    rapidjson::Document d;
    d.Parse(body.c_str());
    REQUIRE(d.IsObject());
    REQUIRE(d["successes"].Size() == 1);
    CHECK(std::string(d["successes"][0]["id"].GetString()) == "1");
    REQUIRE(d["failures"].Size() == 1);
    CHECK(std::string(d["failures"][0]["id"].GetString()) == "2");
    CHECK(d["failures"][0]["error_code"].GetInt() == 400);
    CHECK(produce(emu, R"({"entries":[{"id":"1"},{"id":"1"}]})", "/records:batch").first == 400);
  }
}

TEST_CASE("emulator faults: bursts, record errors and cut streams lose nothing",
          "[kafka_rest][emulator][reliability]") {
  RestEmulator emu;
  emu.faults(R"([{"when":"request","nth":[1],"action":"burst","count":3},)"
             R"({"when":"record","every":7,"action":"record_error","error_code":50003},)"
             R"({"when":"record","nth":[40,90],"action":"drop_connection"},)"
             R"({"when":"request","nth":[6],"action":"http","status":503,"error_code":50302}])");
  ReportCollector reports;
  auto d = make_destination(spec(emu, R"(,"max_batch_records":20,"max_in_flight_requests":1)"));
  const int n = 200;
  for (int i = 0; i < n; ++i)
    d->publish(order(i), reports.callback());
  d->close();
  std::map<std::string, int> stored;
  const auto records = emu.records();
  for (const auto& r : records.GetArray())
    ++stored[r["headers"][1]["value"].GetString()];
  int retried = 0;
  for (int i = 0; i < n; ++i) {
    const std::string id = "o" + std::to_string(i);
    INFO(id);
    REQUIRE(reports.by_id[id].size() == 1);
    const auto& r = reports.by_id[id][0];
    CHECK(r.delivered());
    CHECK(stored[id] >= 1);
    if (stored[id] > 1) CHECK(r.possible_duplicate);
    retried += r.attempts > 1;
  }
  CHECK(retried > 20);
}
