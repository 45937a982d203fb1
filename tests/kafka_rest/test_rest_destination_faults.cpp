// kafka_rest against a scripted server of the tests' own: per-record errors inside HTTP 200,
// streams cut mid-way, HTTP-level errors, records:batch 207. Every event gets exactly one
// report; records that got a report are never re-sent.
#include <rapidjson/document.h>

#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "eventdest/kafka_rest.hpp"
#include "http/test_server.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"
#include "support/subprocess.hpp"
#include "util/base64.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

using Reports = ReportCollector;

// Splits a streamed request body (concatenated ProduceRequest objects) or a batch body into
// the event ids of its records (the event-id header, base64).
std::vector<std::string> event_ids(const std::string& body) {
  std::vector<std::string> ids;
  rapidjson::Document doc;
  auto take = [&](const rapidjson::Value& record) {
    for (const auto& h : record["headers"].GetArray()) {
      if (std::string(h["name"].GetString()) == "event-id") ids.push_back(h["value"].GetString());
    }
  };
  doc.Parse(body.c_str());
  if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("entries")) {
    for (const auto& e : doc["entries"].GetArray())
      take(e);
    return ids;
  }
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto next = body.find('\n', pos);
    if (next == std::string::npos) next = body.size();
    if (next > pos) {
      rapidjson::Document one;
      one.Parse(body.c_str() + pos, next - pos);
      if (!one.HasParseError()) take(one);
    }
    pos = next + 1;
  }
  return ids;
}

std::string ok_report(int offset) {
  return R"({"error_code":200,"cluster_id":"c1","topic_name":"orders","partition_id":0,"offset":)" +
         std::to_string(offset) + "}\r\n";
}

std::unique_ptr<Destination> rest_at(HttpServer& server, const std::string& extra = "") {
  return make_destination(
      R"({"type":"kafka_rest","config":{"bootstrap_servers":")" + server.url("") +
      R"(","cluster_id":"c1","topic":"orders","linger_ms":2,"retry_backoff_ms":2,)"
      R"("retry_backoff_max_ms":20,"delivery_timeout_ms":20000)" +
      extra + R"(},"credentials":{"api_key":"key","api_secret":"secret"}})");
}

void publish_n(Destination& d, Reports& reports, int n) {
  for (int i = 0; i < n; ++i) {
    Event e("orders", R"({"n":)" + std::to_string(i) + "}");
    e.set_id("e" + std::to_string(i));
    d.publish(std::move(e), reports.callback());
  }
}

}  // namespace

TEST_CASE("stream mode: errors inside HTTP 200 are checked per record and retried alone",
          "[kafka_rest][retry]") {
  std::mutex m;
  std::map<std::string, int> sent;
  int offset = 0;
  HttpServer server([&](const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(m);
    std::string body;
    for (const auto& b64 : event_ids(r.body)) {
      const int attempt = ++sent[b64];
      // Every third record fails once with a retryable code inside the 200 stream.
      if (attempt == 1 && (offset % 3 == 1)) {
        body += "{\"error_code\":50003,\"message\":\"Broker not available\"}\r\n";
        ++offset;
      } else {
        body += ok_report(offset++);
      }
    }
    return Action::chunked(200, {{"Content-Type", "application/json"}}, {body});
  });
  Reports reports;
  auto d = rest_at(server);
  publish_n(*d, reports, 100);
  d->close();
  int retried = 0;
  for (int i = 0; i < 100; ++i) {
    auto& rs = reports.by_id["e" + std::to_string(i)];
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].delivered());
    CHECK(rs[0].offset >= 0);
    retried += rs[0].attempts > 1;
  }
  CHECK(retried > 0);
  for (auto& [id, n] : sent)
    CHECK(n <= 2);
}

TEST_CASE("stream mode: a stream cut mid-way retries only the records without a report",
          "[kafka_rest][retry]") {
  std::mutex m;
  std::map<std::string, int> sent;
  int requests = 0;
  int offset = 0;
  HttpServer server([&](const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(m);
    auto ids = event_ids(r.body);
    for (auto& id : ids)
      ++sent[id];
    std::vector<std::string> parts;
    const bool cut = ++requests == 1;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (cut && i == ids.size() / 2) break;
      parts.push_back(ok_report(offset++));
    }
    return Action::chunked(200, {{"Content-Type", "application/json"}}, parts,
                           std::chrono::milliseconds(0), /*finish=*/!cut);
  });
  Reports reports;
  auto d = rest_at(server, R"(,"max_in_flight_requests":1,"linger_ms":100)");
  publish_n(*d, reports, 20);
  d->close();
  int resent = 0;
  for (int i = 0; i < 20; ++i) {
    auto& rs = reports.by_id["e" + std::to_string(i)];
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].delivered());
    if (rs[0].attempts == 2) {
      ++resent;
      CHECK(rs[0].possible_duplicate);
    }
  }
  CHECK(resent == 10);  // the second half of the cut stream, no more
  int sent_twice = 0;
  for (auto& [id, n] : sent)
    sent_twice += n == 2;
  CHECK(sent_twice == 10);
}

namespace {

// A REST Proxy whose first response breaks the one-report-per-record stream in one way; later
// responses are right. Remembers the offsets it gave each event, so a report can be checked
// against what the server really said about that event.
struct BrokenStream {
  enum class Fault { duplicate, missing, extra, out_of_order };

  explicit BrokenStream(Fault fault)
      : server([this, fault](const ServerRequest& r) {
          std::lock_guard<std::mutex> lock(m);
          const auto ids = event_ids(r.body);
          std::vector<std::string> reports;
          for (const auto& id : ids) {
            ++sent[id];
            given[id].insert(offset);
            reports.push_back(ok_report(offset++));
          }
          if (++requests == 1 && ids.size() > 8) {
            switch (fault) {
              case Fault::duplicate:  // report 5 twice: every later report shifts by one
                reports.insert(reports.begin() + 5, reports[4]);
                break;
              case Fault::missing:  // report 3 never comes: later reports shift back
                reports.erase(reports.begin() + 3);
                break;
              case Fault::extra:  // one report too many, for an offset nobody got
                reports.push_back(ok_report(offset++));
                break;
              case Fault::out_of_order:  // reports 6 and 7 swapped
                std::swap(reports[6], reports[7]);
                break;
            }
          }
          std::string body;
          for (const auto& report : reports)
            body += report;
          return Action::chunked(200, {{"Content-Type", "application/json"}}, {body});
        }) {}

  std::mutex m;
  std::map<std::string, int> sent;             // event id (base64) -> times sent
  std::map<std::string, std::set<int>> given;  // event id (base64) -> offsets given
  int offset = 0;
  int requests = 0;
  HttpServer server;
};

// base64 of "e<i>", as the event-id header carries it.
std::string b64_id(int i) {
  return detail::base64("e" + std::to_string(i));
}

// Publishes 20 events in one request; returns how many were delivered by the first attempt.
// Every report must carry an offset the server gave that very event; retried events are flagged.
int check_broken_stream(BrokenStream::Fault fault) {
  BrokenStream proxy(fault);
  Reports reports;
  auto d = rest_at(proxy.server, R"(,"max_in_flight_requests":1,"linger_ms":100)");
  publish_n(*d, reports, 20);
  d->close();
  std::lock_guard<std::mutex> lock(proxy.m);
  REQUIRE(proxy.requests >= 2);
  int first_time = 0;
  for (int i = 0; i < 20; ++i) {
    INFO("e" << i);
    auto& rs = reports.by_id["e" + std::to_string(i)];
    REQUIRE(rs.size() == 1);
    REQUIRE(rs[0].delivered());
    CHECK(proxy.given[b64_id(i)].count(static_cast<int>(rs[0].offset)) == 1);
    if (rs[0].attempts == 1) {
      ++first_time;
    } else {
      CHECK(rs[0].possible_duplicate);  // the first attempt may have written it
    }
  }
  return first_time;
}

}  // namespace

TEST_CASE("stream mode: a duplicated report is never taken for the next record",
          "[kafka_rest][retry]") {
  // Reports 1-5 are sound; from the duplicate on, no report can be matched to its record.
  CHECK(check_broken_stream(BrokenStream::Fault::duplicate) == 5);
}

TEST_CASE("stream mode: reports out of order end the trusted reports", "[kafka_rest][retry]") {
  // Reports 7 and 8 swapped: report 7 was already out of place when 8 went back.
  CHECK(check_broken_stream(BrokenStream::Fault::out_of_order) == 6);
}

TEST_CASE("stream mode: a missing or extra report that cannot be placed retries every record",
          "[kafka_rest][retry]") {
  CHECK(check_broken_stream(BrokenStream::Fault::missing) == 0);
  CHECK(check_broken_stream(BrokenStream::Fault::extra) == 0);
}

// While the endpoint refuses connections, events are held unencoded and encoded when sent: the
// records REST Proxy receives and the reports are those of events encoded at publish().
TEST_CASE("events held while the endpoint is unreachable are sent whole when it comes back",
          "[kafka_rest][unreachable]") {
  RefusingPort refusing;
  const int port = refusing.port();
  Reports reports;
  auto d = make_destination(
      R"({"type":"kafka_rest","config":{"bootstrap_servers":"http://127.0.0.1:)" +
      std::to_string(port) +
      R"(","cluster_id":"c1","topic":"orders","linger_ms":2,"retry_backoff_ms":20,)"
      R"("retry_backoff_max_ms":50,"delivery_timeout_ms":20000,)"
      R"("partition_key_template":"data.key"},"credentials":{"api_key":"key","api_secret":"secret"}})");
  d->publish(Event("orders", R"({"key":"first"})"), reports.callback());
  for (int i = 0; i < 500 && d->metrics().retried == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(d->metrics().retried >= 1);  // refused once: paused from here on
  for (int i = 0; i < 30; ++i) {
    Event e("orders",
            R"({"key":"k)" + std::to_string(i % 3) + R"(","n":)" + std::to_string(i) + "}");
    e.set_id("held-" + std::to_string(i));
    d->publish(std::move(e), reports.callback());
  }
  std::mutex mutex;
  std::map<std::string, std::string> keys, values;  // by event id, as REST Proxy got them
  refusing.release();
  HttpServer server(
      [&](const ServerRequest& request) {
        std::string body;
        std::size_t pos = 0, n = 0;
        while (pos < request.body.size()) {
          auto next = request.body.find('\n', pos);
          if (next == std::string::npos) next = request.body.size();
          rapidjson::Document one;
          one.Parse(request.body.c_str() + pos, next - pos);
          if (!one.HasParseError()) {
            std::string id, key, value;
            for (const auto& h : one["headers"].GetArray()) {
              if (std::string(h["name"].GetString()) == "event-id")
                detail::decode_base64(h["value"].GetString(), id);
            }
            key = one["key"]["data"].GetString();     // STRING: as is
            const auto& data = one["value"]["data"];  // JSON: the event's data
            value = std::string(data["key"].GetString()) + "/" +
                    (data.HasMember("n") ? std::to_string(data["n"].GetInt()) : "-");  // "first"
            std::lock_guard<std::mutex> lock(mutex);
            keys[id] = key;
            values[id] = value;
            body += ok_report(static_cast<int>(n++));
          }
          pos = next + 1;
        }
        return Action::chunked(200, {{"Content-Type", "application/json"}}, {body});
      },
      nullptr, static_cast<std::uint16_t>(port));
  REQUIRE(d->flush(std::chrono::seconds(20)));
  d->close();
  CHECK(reports.total() == 31);
  for (int i = 0; i < 30; ++i) {
    const std::string id = "held-" + std::to_string(i);
    INFO(id);
    REQUIRE(reports.by_id[id].size() == 1);
    CHECK(reports.by_id[id][0].delivered());
    CHECK(reports.by_id[id][0].partition_key == "k" + std::to_string(i % 3));
    std::lock_guard<std::mutex> lock(mutex);
    CHECK(keys[id] == "k" + std::to_string(i % 3));
    CHECK(values[id] == "k" + std::to_string(i % 3) + "/" + std::to_string(i));
  }
}

TEST_CASE("events held while the endpoint is unreachable time out with their partition keys",
          "[kafka_rest][unreachable]") {
  const RefusingPort refusing;
  Reports reports;
  auto d = make_destination(
      R"({"type":"kafka_rest","config":{"bootstrap_servers":"http://127.0.0.1:)" +
      std::to_string(refusing.port()) +
      R"(","cluster_id":"c1","topic":"orders","linger_ms":2,"retry_backoff_ms":20,)"
      R"("retry_backoff_max_ms":50,"delivery_timeout_ms":600,)"
      R"("partition_key_template":"data.key"},"credentials":{"api_key":"key","api_secret":"secret"}})");
  d->publish(Event("orders", R"({"key":"first"})"), reports.callback());
  for (int i = 0; i < 500 && d->metrics().retried == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(d->metrics().retried >= 1);
  publish_n(*d, reports, 10);  // no "key" in the data: the template gives ""
  for (int i = 0; i < 10; ++i) {
    Event e("orders", R"({"key":"k)" + std::to_string(i) + R"("})");
    e.set_id("keyed-" + std::to_string(i));
    d->publish(std::move(e), reports.callback());
  }
  REQUIRE(d->flush(std::chrono::seconds(10)));
  CHECK(reports.total() == 21);
  for (int i = 0; i < 10; ++i) {
    const std::string id = "keyed-" + std::to_string(i);
    INFO(id);
    REQUIRE(reports.by_id[id].size() == 1);
    CHECK(reports.by_id[id][0].error == make_error_code(errc::timeout));
    CHECK(reports.by_id[id][0].partition_key == "k" + std::to_string(i));
  }
  d->close();
}

TEST_CASE("delivery_timeout_ms bounds a request the server holds", "[kafka_rest][retry]") {
  HttpServer server([](const ServerRequest&) { return Action::stall(); });
  // request_timeout_ms stays at its 30 s default: only the deadline can end the request.
  auto d = make_destination(
      R"({"type":"kafka_rest","config":{"bootstrap_servers":")" + server.url("") +
      R"(","cluster_id":"c1","topic":"orders","linger_ms":2,"delivery_timeout_ms":1000}})");
  const auto start = std::chrono::steady_clock::now();
  auto report = d->publish(Event("orders", "{}"));
  REQUIRE(report.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= std::chrono::milliseconds(900));
  CHECK(elapsed < std::chrono::seconds(3));
  const auto r = report.get();
  CHECK(r.error == make_error_code(errc::timeout));
  CHECK(r.possible_duplicate);  // the server read the request: it may have written it
  d->close();
}

TEST_CASE("HTTP-level errors: 429/5xx retried, 401/403/404/413/415/422 fail at once",
          "[kafka_rest][retry]") {
  struct Case {
    int status;
    int code;
    errc error;
  };
  for (auto c : {Case{401, 40101, errc::auth_failed}, Case{403, 40301, errc::access_denied},
                 Case{404, 40403, errc::not_found}, Case{413, 413, errc::record_too_large},
                 Case{415, 415, errc::invalid_request}, Case{422, 42206, errc::invalid_request},
                 Case{400, 40002, errc::invalid_request}}) {
    INFO(c.status);
    HttpServer server([&](const ServerRequest&) {
      return Action::respond(c.status, {{"Content-Type", "application/json"}},
                             R"({"error_code":)" + std::to_string(c.code) + R"(,"message":"no"})");
    });
    Reports reports;
    auto d = rest_at(server);
    publish_n(*d, reports, 3);
    d->close();
    for (auto& [id, rs] : reports.by_id) {
      REQUIRE(rs.size() == 1);
      CHECK(rs[0].error == make_error_code(c.error));
      CHECK(rs[0].attempts == 1);
      CHECK(rs[0].http_status == c.status);
      CHECK(rs[0].provider_code == std::to_string(c.code));
    }
    CHECK(server.requests_received() <= 3);  // never retried (a slow run may split the batch)
  }
  std::atomic<int> n{0};
  HttpServer flaky([&](const ServerRequest& r) {
    switch (++n) {
      case 1:
        return Action::respond(429, {}, R"({"error_code":429,"message":"Too many"})");
      case 2:
        return Action::respond(503, {}, R"({"error_code":50302,"message":"unavailable"})");
      case 3:
        return Action::respond(408, {}, "");
      case 4:
        return Action::reset();
      default: {
        std::string body;
        for (std::size_t i = 0; i < event_ids(r.body).size(); ++i)
          body += ok_report(static_cast<int>(i));
        return Action::respond(200, {}, body);
      }
    }
  });
  Reports reports;
  auto d = rest_at(flaky, R"(,"max_in_flight_requests":1,"linger_ms":50)");
  publish_n(*d, reports, 5);
  d->close();
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].delivered());
    // 429, 503 and 408 are each one attempt. The reset arrives on a reused keep-alive
    // connection, which libcurl itself re-sends once on a fresh connection: 4 or 5 attempts.
    CHECK(rs[0].attempts >= 4);
  }
  CHECK(flaky.requests_received() == 5);
}

TEST_CASE("every request carries Basic auth and JSON content type", "[kafka_rest]") {
  std::mutex m;
  std::vector<ServerRequest> seen;
  HttpServer server([&](const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(m);
    seen.push_back(r);
    return Action::respond(200, {}, ok_report(0));
  });
  Reports reports;
  auto d = rest_at(server, R"(,"mode":"single")");
  publish_n(*d, reports, 3);
  d->close();
  REQUIRE(seen.size() == 3);  // single mode: one request per event
  for (const auto& r : seen) {
    CHECK(r.target == "/kafka/v3/clusters/c1/topics/orders/records");
    CHECK(r.header("authorization") == "Basic a2V5OnNlY3JldA==");  // key:secret
    CHECK(r.header("content-type") == "application/json");
  }
}

TEST_CASE("batch mode: records:batch results are matched by id", "[kafka_rest]") {
  std::mutex m;
  std::map<std::string, int> sent;
  HttpServer server([&](const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(m);
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    std::string successes, failures;
    for (const auto& e : doc["entries"].GetArray()) {
      const std::string id = e["id"].GetString();
      std::string event_id;
      for (const auto& h : e["headers"].GetArray()) {
        if (std::string(h["name"].GetString()) == "event-id") event_id = h["value"].GetString();
      }
      const int attempt = ++sent[event_id];
      if (attempt == 1 && std::stoi(id) % 2 == 1) {
        failures += std::string(failures.empty() ? "" : ",") + R"({"id":")" + id +
                    R"(","error_code":42901,"message":"slow down"})";
      } else {
        successes += std::string(successes.empty() ? "" : ",") + R"({"id":")" + id +
                     R"(","partition_id":2,"offset":)" + id + "}";
      }
    }
    return Action::respond(207, {{"Content-Type", "application/json"}},
                           R"({"successes":[)" + successes + R"(],"failures":[)" + failures + "]}");
  });
  Reports reports;
  auto d = rest_at(server, R"(,"mode":"batch")");
  publish_n(*d, reports, 25);
  d->close();
  for (int i = 0; i < 25; ++i) {
    auto& rs = reports.by_id["e" + std::to_string(i)];
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].delivered());
    CHECK(rs[0].partition == 2);
  }
  std::lock_guard<std::mutex> lock(m);
  for (auto& [id, n] : sent)
    CHECK(n <= 2);
}
