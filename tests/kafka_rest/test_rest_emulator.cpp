// kafka_rest against the REST Proxy v3 emulator: every mode produces the DESIGN.md record exactly,
// auth and unknown topics fail clearly, and injected faults lose nothing.
#include <map>

#include "eventdest/eventdest.hpp"
#include "kafka_rest/rest_emulator.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

std::string spec(const RestEmulator& emu, const std::string& extra = "",
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

}  // namespace

TEST_CASE("every mode writes the same Kafka record, exactly", "[kafka_rest][emulator]") {
  for (const std::string mode : {"single", "stream", "batch"}) {
    INFO(mode);
    RestEmulator emu;
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
}

TEST_CASE("wrong credentials and unknown topics fail at once", "[kafka_rest][emulator]") {
  RestEmulator emu;
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
