// The router: one event published once reaches exactly the destinations whose topics and filter
// match (read back from kinesis-local, the REST v3 emulator and a Kafka cluster); a dead or full
// destination does not hold the others back; destinations replaced and removed under load report
// each (event, destination) once.
#include <rapidjson/document.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "eventdest/eventdest.hpp"
#include "kafka_rest/rest_emulator.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "kinesis/kinesis_local.hpp"
#include "support/catch.hpp"
#include "support/subprocess.hpp"
#include "util/json_util.hpp"
#ifdef EVENTDEST_ROUTER_WITH_KAFKA
#include <librdkafka/rdkafka.h>

#include "eventdest/kafka.hpp"
#include "kafka/kafka_consumer.hpp"
#include "kafka/mock_cluster.hpp"
#endif

using namespace eventdest;
using namespace eventdest::test;
using namespace std::chrono_literals;

namespace {

// Reports and completions by event id, thread-safe.
struct Outcomes {
  std::mutex mutex;
  std::map<std::string, std::vector<DeliveryReport>> reports;
  std::map<std::string, std::vector<EventCompletion>> completions;

  DeliveryCallback on_report() {
    return [this](const DeliveryReport& r) {
      std::lock_guard<std::mutex> lock(mutex);
      reports[r.event_id].push_back(r);
    };
  }
  CompletionCallback on_complete() {
    return [this](const EventCompletion& c) {
      std::lock_guard<std::mutex> lock(mutex);
      completions[c.event_id].push_back(c);
    };
  }
  std::size_t completed() {
    std::lock_guard<std::mutex> lock(mutex);
    return completions.size();
  }
  std::size_t delivered_by(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex);
    std::size_t n = 0;
    for (const auto& [event, list] : reports) {
      for (const auto& r : list)
        n += r.destination_id == id && r.delivered();
    }
    return n;
  }
  std::size_t failed_by(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex);
    std::size_t n = 0;
    for (const auto& [event, list] : reports) {
      for (const auto& r : list)
        n += r.destination_id == id && !r.delivered();
    }
    return n;
  }
};

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string fake_kinesis_spec(const std::string& id, const std::string& url,
                              const std::string& extra = "") {
  return R"({"id":")" + id +
         R"(","type":"aws_kinesis","topics":["orders"],"config":{)"
         R"("stream_name":"s","region":"us-east-1","endpoint":")" +
         url + R"(","linger_ms":2,"retry_backoff_ms":10,"retry_backoff_max_ms":50)" + extra +
         R"(},"credentials":{"key":"AKIDEXAMPLE","secret":"secret"}})";
}

// "a" takes "orders" events into `sink`; "dead" takes "refunds" events and cannot connect, so an
// event fails or is delivered by its topic.
std::unique_ptr<Router> live_and_refunds_dead(FakeKinesis& sink, const RefusingPort& dead_port) {
  return Router::from_json(
      "[" + fake_kinesis_spec("a", sink.url()) + "," +
      R"({"id":"dead","type":"aws_kinesis","topics":["refunds"],"config":{"stream_name":"s",)"
      R"("region":"us-east-1","endpoint":"http://127.0.0.1:)" +
      std::to_string(dead_port.port()) +
      R"(","linger_ms":2,"delivery_timeout_ms":300,"retry_backoff_ms":10},)"
      R"("credentials":{"key":"AKIDEXAMPLE","secret":"secret"}}])");
}

Event order(int i, int total, const std::string& topic = "orders") {
  Event e(topic, R"({"customer_id":"c)" + std::to_string(i % 7) + R"(","total":)" +
                     std::to_string(total) + "}");
  e.set_id("e" + std::to_string(i));
  return e;
}

}  // namespace

TEST_CASE("router: each event lands exactly in the destinations whose topics and filter match",
          "[router]") {
  auto& kinesis = KinesisLocal::instance();
  RestEmulator rest;
  std::string specs =
      "["
      R"({"id":"big-orders","type":"aws_kinesis","topics":["orders"],)"
      R"("filter":{"data":{"total":{"$gte":100}}},"config":{"stream_name":"orders",)"
      R"("region":"us-east-1","endpoint":")" +
      kinesis.plain_url() +
      R"(","linger_ms":5},"credentials":{"key":"AKIDLOCAL","secret":"s"}},)"
      R"({"id":"everything","type":"kafka_rest","topics":["orders","refunds"],)"
      R"("config":{"bootstrap_servers":")" +
      rest.url() +
      R"(","cluster_id":"c1","topic":"orders","linger_ms":5},)"
      R"("credentials":{"api_key":"key","api_secret":"secret"}})";
#ifdef EVENTDEST_ROUTER_WITH_KAFKA
  kafka::MockCluster cluster;
  specs += R"(,{"id":"refunds","type":"kafka","topics":["refunds"],"config":{"brokers":")" +
           cluster.bootstraps() +
           R"(","topic":"refunds","sasl_mechanism":"none","tls":"false","linger_ms":5}})";
#endif
  specs += "]";
  auto router = Router::from_json(specs);
  Outcomes out;
  std::set<std::string> want_kinesis, want_rest, want_kafka, want_none;
  for (int i = 0; i < 60; ++i) {
    const int total = (i * 37) % 200;
    const std::string topic = i % 3 == 0 ? "refunds" : i % 10 == 7 ? "other" : "orders";
    const std::string id = "e" + std::to_string(i);
    if (topic == "orders" && total >= 100) want_kinesis.insert(id);
    if (topic != "other") want_rest.insert(id);
    if (topic == "refunds") want_kafka.insert(id);
    if (topic == "other") want_none.insert(id);
    router->publish(order(i, total, topic), out.on_report(), out.on_complete());
  }
  router->close();
  // Reports: one per (event, matched destination), naming the destination.
  for (int i = 0; i < 60; ++i) {
    const std::string id = "e" + std::to_string(i);
    INFO(id);
    std::set<std::string> got;
    for (const auto& r : out.reports[id]) {
      CHECK(r.delivered());
      CHECK(got.insert(r.destination_id).second);
    }
    std::set<std::string> want;
    if (want_kinesis.count(id)) want.insert("big-orders");
    if (want_rest.count(id)) want.insert("everything");
#ifdef EVENTDEST_ROUTER_WITH_KAFKA
    if (want_kafka.count(id)) want.insert("refunds");
#endif
    CHECK(got == want);
    REQUIRE(out.completions[id].size() == 1);
    const auto& c = out.completions[id][0];
    CHECK(c.matched == want.size());
    CHECK(c.outcome == (want.empty() ? EventCompletion::Outcome::none_matched
                                     : EventCompletion::Outcome::all_delivered));
  }
  // Read back from each peer: exactly the events it matched.
  std::set<std::string> in_kinesis;
  for (const auto& r : kinesis.read_all("orders")) {
    rapidjson::Document doc;
    doc.Parse(r.data.c_str());
    in_kinesis.insert(doc["metadata"]["event-id"].GetString());
  }
  CHECK(in_kinesis == want_kinesis);
  std::set<std::string> in_rest;
  const auto records = rest.records("orders");
  for (const auto& r : records.GetArray()) {
    for (const auto& h : r["headers"].GetArray()) {
      if (std::string(h["name"].GetString()) == "event-id") {
        in_rest.insert(h["value"].GetString());
      }
    }
  }
  CHECK(in_rest == want_rest);
#ifdef EVENTDEST_ROUTER_WITH_KAFKA
  std::set<std::string> in_kafka;
  for (const auto& m : consume_all(cluster.bootstraps(), "refunds", want_kafka.size(), 20s)) {
    for (const auto& [name, value] : m.headers) {
      if (name == "event-id") in_kafka.insert(value);
    }
  }
  CHECK(in_kafka == want_kafka);
#endif
  const RouterMetrics m = router->metrics();
  CHECK(m.events == 60);
  CHECK(m.none_matched == want_none.size());
  CHECK(m.all_delivered == 60 - want_none.size());
  CHECK(m.destinations.size() >= 2);
  CHECK(m.destinations[0].first == "big-orders");
  CHECK(m.destinations[0].second.delivered == want_kinesis.size());
}

TEST_CASE("router: a dead destination retries and fails while the others deliver everything",
          "[router]") {
  FakeKinesis live1, live2;
  const RefusingPort dead_port;  // connection refused
  auto router = Router::from_json(
      "[" + fake_kinesis_spec("a", live1.url()) + "," +
      fake_kinesis_spec("dead", "http://127.0.0.1:" + std::to_string(dead_port.port()),
                        R"(,"delivery_timeout_ms":5000)") +
      "," + fake_kinesis_spec("b", live2.url()) + "]");
  Outcomes out;
  for (int i = 0; i < 300; ++i)
    router->publish(order(i, 1), out.on_report(), out.on_complete());
  // The live destinations have everything while the dead one is still retrying.
  REQUIRE(eventually([&] { return out.delivered_by("a") == 300 && out.delivered_by("b") == 300; }));
  CHECK(out.failed_by("dead") == 0);
  router->close();
  CHECK(out.failed_by("dead") == 300);
  CHECK(out.completed() == 300);
  for (const auto& [id, list] : out.completions) {
    CHECK(list.at(0).outcome == EventCompletion::Outcome::some_failed);
    CHECK(list.at(0).delivered == 2);
  }
  for (const auto& [id, list] : out.reports) {
    for (const auto& r : list) {
      if (r.destination_id != "dead") continue;
      CHECK(r.attempts > 1);  // retried before failing
      INFO(r.error.message() << " " << r.message);
      CHECK((r.error == make_error_code(errc::timeout) ||
             r.error == make_error_code(errc::network_error)));
    }
  }
}

TEST_CASE("router: finished events release their callbacks and reused records start afresh",
          "[router]") {
  FakeKinesis sink;
  const RefusingPort dead_port;
  auto router = live_and_refunds_dead(sink, dead_port);
  auto token = std::make_shared<int>(0);  // held by every callback given to the router
  Outcomes out;
  // Waves, each finished before the next, so later events reuse earlier events' records.
  for (int wave = 0; wave < 4; ++wave) {
    for (int i = 0; i < 100; ++i) {
      const int n = wave * 100 + i;
      auto report = out.on_report();
      auto complete = out.on_complete();
      router->publish(
          order(n, 1, n % 2 ? "refunds" : "orders"),
          [token, report](const DeliveryReport& r) { report(r); },
          [token, complete](const EventCompletion& c) { complete(c); });
    }
    REQUIRE(
        eventually([&] { return out.completed() == static_cast<std::size_t>(wave + 1) * 100; }));
  }
  router->flush(5s);
  CHECK(token.use_count() == 1);  // no finished event still holds what the caller gave
  std::lock_guard<std::mutex> lock(out.mutex);
  REQUIRE(out.completions.size() == 400);
  for (const auto& [id, list] : out.completions) {
    REQUIRE(list.size() == 1);
    const EventCompletion& c = list[0];
    const bool refund = std::stoi(id.substr(1)) % 2 == 1;
    INFO(id);
    CHECK(c.event_id == id);
    CHECK(c.matched == 1);
    CHECK(c.delivered == (refund ? 0u : 1u));
    CHECK(c.failed == (refund ? 1u : 0u));
    CHECK(c.outcome == (refund ? EventCompletion::Outcome::some_failed
                               : EventCompletion::Outcome::all_delivered));
    REQUIRE(out.reports.at(id).size() == 1);
    CHECK(out.reports.at(id)[0].destination_id == (refund ? "dead" : "a"));
  }
}

// Each destination but the last is handed a copy made into one of its reused records: a later
// event must carry its own id and metadata only, not keys or bytes of the event the record held.
TEST_CASE("router: copies into reused records carry only their own event's id and metadata",
          "[router]") {
  FakeKinesis first, second;
  auto router = Router::from_json("[" + fake_kinesis_spec("first", first.url()) + "," +
                                  fake_kinesis_spec("second", second.url()) + "]");
  Outcomes out;
  std::map<std::string, Metadata> sent;
  // Waves, each delivered before the next; metadata shrinks and grows and ids change length.
  const std::vector<Metadata> shapes = {
      {{"a", "1"}, {"b", "22"}, {"c", std::string(40, 'c')}}, {{"x", "9"}}, {}, {{"b", "2"}}};
  int n = 0;
  for (std::size_t wave = 0; wave < shapes.size(); ++wave) {
    for (int i = 0; i < 50; ++i, ++n) {
      Event e = order(n, 1);
      e.set_id(wave % 2 == 0 ? "event-" + std::string(30, 'x') + std::to_string(n)
                             : "e" + std::to_string(n));
      e.set_metadata(shapes[wave]);
      sent[e.id()] = shapes[wave];
      router->publish(std::move(e), out.on_report(), out.on_complete());
    }
    REQUIRE(eventually([&] { return out.completed() == static_cast<std::size_t>(n); }));
  }
  for (FakeKinesis* sink : {&first, &second}) {
    std::map<std::string, Metadata> got;
    for (const auto& entry : sink->stored()) {
      rapidjson::Document doc;
      doc.Parse(entry.data.c_str());
      REQUIRE(doc.IsObject());
      Metadata user;
      for (const auto& m : doc["metadata"].GetObject()) {
        const std::string key = m.name.GetString();
        if (key != "event-id" && key != "topic" && key != "timestamp")
          user[key] = m.value.GetString();
      }
      CHECK(got.emplace(doc["metadata"]["event-id"].GetString(), user).second);
    }
    CHECK(got == sent);
  }
  std::lock_guard<std::mutex> lock(out.mutex);
  for (const auto& [id, list] : out.reports) {
    INFO(id);
    REQUIRE(list.size() == 2);
    for (const auto& r : list)
      CHECK(r.event_id == id);
  }
}

// An event one destination alone takes, published without a completion callback, goes the
// router's shortest way (no per-event record shared between destinations): the same reports,
// callbacks released, and the router's counts.
TEST_CASE("router: events one destination alone takes, without a completion callback", "[router]") {
  FakeKinesis sink;
  const RefusingPort dead_port;
  auto router = live_and_refunds_dead(sink, dead_port);
  auto token = std::make_shared<int>(0);
  Outcomes out;
  std::atomic<int> reports{0};
  // Waves, each finished before the next, so later events reuse earlier events' records.
  for (int wave = 0; wave < 3; ++wave) {
    for (int i = 0; i < 100; ++i) {
      const int n = wave * 100 + i;
      auto report = out.on_report();
      router->publish(order(n, 1, n % 2 ? "refunds" : "orders"),
                      [token, report, &reports](const DeliveryReport& r) {
                        report(r);
                        ++reports;
                      });
    }
    REQUIRE(eventually([&] { return reports.load() == (wave + 1) * 100; }));
  }
  router->flush(5s);
  CHECK(token.use_count() == 1);
  {
    std::lock_guard<std::mutex> lock(out.mutex);
    REQUIRE(out.reports.size() == 300);
    for (const auto& [id, list] : out.reports) {
      const bool refund = std::stoi(id.substr(1)) % 2 == 1;
      INFO(id);
      REQUIRE(list.size() == 1);
      CHECK(list[0].destination_id == (refund ? "dead" : "a"));
      CHECK(list[0].delivered() == !refund);
    }
  }
  CHECK(sink.stored().size() == 150);
  RouterMetrics m = router->metrics();
  CHECK(m.events == 300);
  CHECK(m.all_delivered == 150);
  CHECK(m.some_failed == 150);
  // A removed destination's events stay counted.
  CHECK(router->remove("dead"));
  m = router->metrics();
  CHECK(m.all_delivered == 150);
  CHECK(m.some_failed == 150);
  router->close();
}

#ifdef EVENTDEST_ROUTER_WITH_KAFKA
// A destination that does not carry the router's hook (native Kafka) takes the events it alone
// matches with the router's per-event record: the same reports and counts.
TEST_CASE("router: events a native Kafka destination alone takes, without a completion callback",
          "[router]") {
  kafka::MockCluster cluster;
  FakeKinesis sink;
  auto router = Router::from_json(
      "[" + fake_kinesis_spec("a", sink.url()) +
      R"(,{"id":"refunds","type":"kafka","topics":["refunds"],"config":{"brokers":")" +
      cluster.bootstraps() +
      R"(","topic":"refunds","sasl_mechanism":"none","tls":"false","linger_ms":5}}])");
  auto token = std::make_shared<int>(0);
  Outcomes out;
  for (int i = 0; i < 200; ++i) {
    auto report = out.on_report();
    router->publish(order(i, 1, i % 2 ? "refunds" : "orders"),
                    [token, report](const DeliveryReport& r) { report(r); });
  }
  router->close();
  CHECK(token.use_count() == 1);
  {
    std::lock_guard<std::mutex> lock(out.mutex);
    REQUIRE(out.reports.size() == 200);
    for (const auto& [id, list] : out.reports) {
      INFO(id);
      REQUIRE(list.size() == 1);
      CHECK(list[0].delivered());
      CHECK(list[0].destination_id == (std::stoi(id.substr(1)) % 2 ? "refunds" : "a"));
    }
  }
  CHECK(consume_all(cluster.bootstraps(), "refunds", 100, 20s).size() == 100);
  const RouterMetrics m = router->metrics();
  CHECK(m.all_delivered == 200);
  CHECK(m.some_failed == 0);
}
#endif

TEST_CASE("router: a lone destination replaced under load, without completion callbacks",
          "[router]") {
  FakeKinesis old_sink, new_sink;
  auto router = Router::from_json("[" + fake_kinesis_spec("b", old_sink.url()) + "]");
  Outcomes out;
  const int n = 3000;
  std::atomic<int> published{0};
  std::thread publisher([&] {
    for (int i = 0; i < n; ++i) {
      router->publish(order(i, 1), out.on_report());
      ++published;
    }
  });
  REQUIRE(eventually([&] { return published.load() > n / 3; }));
  router->add(parse_spec(fake_kinesis_spec("b", new_sink.url())));
  publisher.join();
  router->close();
  std::lock_guard<std::mutex> lock(out.mutex);
  REQUIRE(out.reports.size() == static_cast<std::size_t>(n));
  for (const auto& [id, list] : out.reports) {
    INFO(id);
    REQUIRE(list.size() == 1);
    CHECK(list[0].delivered());
    CHECK(list[0].destination_id == "b");
  }
  CHECK(old_sink.stored().size() + new_sink.stored().size() == static_cast<std::size_t>(n));
  CHECK(old_sink.stored().size() > 0);
  const RouterMetrics m = router->metrics();
  CHECK(m.all_delivered == static_cast<std::uint64_t>(n));
  CHECK(m.some_failed == 0);
}

TEST_CASE("router: events published after close are reported closed and counted", "[router]") {
  FakeKinesis a_sink, b_sink;
  auto router = Router::from_json("[" + fake_kinesis_spec("a", a_sink.url()) + "," +
                                  fake_kinesis_spec("b", b_sink.url()) + "]");
  router->close();
  Outcomes out;
  for (int i = 0; i < 3; ++i)
    router->publish(order(i, 1), out.on_report(), out.on_complete());  // both destinations
  router->publish(order(3, 1), out.on_report());                       // no completion callback
  std::lock_guard<std::mutex> lock(out.mutex);
  for (int i = 0; i < 4; ++i) {
    const std::string id = "e" + std::to_string(i);
    INFO(id);
    REQUIRE(out.reports[id].size() == 2);
    for (const auto& r : out.reports[id])
      CHECK(r.error == make_error_code(errc::closed));
  }
  for (int i = 0; i < 3; ++i) {
    const auto& c = out.completions.at("e" + std::to_string(i));
    REQUIRE(c.size() == 1);
    CHECK(c[0].outcome == EventCompletion::Outcome::some_failed);
    CHECK(c[0].matched == 2);
    CHECK(c[0].failed == 2);
    CHECK(c[0].delivered == 0);
  }
  const RouterMetrics m = router->metrics();
  CHECK(m.events == 4);
  CHECK(m.some_failed == 4);
  CHECK(m.all_delivered == 0);
}

TEST_CASE("router: with block, publish waits only for the full destination", "[router]") {
  FakeKinesis stalled, live;
  stalled.script_requests([](std::size_t, const ServerRequest&) { return Action::stall(); });
  // "full" holds about one event; its requests stall until they time out.
  auto router = Router::from_json(
      "[" +
      fake_kinesis_spec("full", stalled.url(),
                        R"(,"max_buffered_bytes":1024,"request_timeout_ms":300,)"
                        R"("delivery_timeout_ms":600,"max_in_flight_requests":1)") +
      "," + fake_kinesis_spec("live", live.url()) + "]");
  Outcomes out;
  std::atomic<int> returned{0};
  const std::string pad(250, 'x');
  std::thread publisher([&] {
    for (int i = 0; i < 6; ++i) {
      Event e("orders", "\"" + pad + "\"");
      e.set_id("e" + std::to_string(i));
      router->publish(std::move(e), out.on_report(), out.on_complete());
      ++returned;
    }
  });
  // While publish() waits for room in "full", "live" already has that event.
  bool seen_waiting = false;
  for (int round = 0; round < 400 && returned.load() < 6; ++round) {
    std::this_thread::sleep_for(5ms);
    const int r = returned.load();
    if (r < 6 && out.delivered_by("live") >= static_cast<std::size_t>(r + 1)) {
      std::this_thread::sleep_for(20ms);
      if (returned.load() == r) seen_waiting = true;
    }
  }
  publisher.join();
  router->close();
  CHECK(seen_waiting);
  CHECK(out.delivered_by("live") == 6);
  CHECK(out.completed() == 6);
  // No queue_full report: waiting for room is what `block` means.
  for (const auto& [id, list] : out.reports) {
    for (const auto& r : list)
      CHECK(r.error != make_error_code(errc::queue_full));
  }
}

TEST_CASE("router: with block, the last destination full for a while still gets each event whole",
          "[router]") {
  // A destination that had no room is handed the event again later: with its data and metadata
  // (which encoding drops from what a destination holds), whatever its place in the list.
  FakeKinesis live, slow;
  // Its first request stalls until request_timeout_ms: the buffer, about one event, stays full.
  slow.script_requests([](std::size_t n, const ServerRequest&) -> std::optional<Action> {
    if (n == 1) return Action::stall();
    return std::nullopt;
  });
  auto router = Router::from_json(
      "[" + fake_kinesis_spec("live", live.url()) + "," +
      fake_kinesis_spec("slow", slow.url(),
                        R"(,"max_buffered_bytes":1024,"request_timeout_ms":300,)"
                        R"("delivery_timeout_ms":10000,"max_in_flight_requests":1)") +
      "]");
  Outcomes out;
  std::map<std::string, std::string> data_of;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) {
    Event e("orders",
            R"({"n":)" + std::to_string(i) + R"(,"pad":")" + std::string(250, 'x') + R"("})");
    e.set_id("e" + std::to_string(i));
    e.set_metadata({{"shard-hint", "h" + std::to_string(i)}});
    data_of[e.id()] = e.data();
    router->publish(std::move(e), out.on_report(), out.on_complete());
  }
  // The stalled request held the buffer full: publish() waited for room at least once.
  CHECK(std::chrono::steady_clock::now() - start >= 250ms);
  REQUIRE(eventually([&] { return out.completed() == 6; }));
  router->close();
  CHECK(out.delivered_by("live") == 6);
  CHECK(out.delivered_by("slow") == 6);
  std::map<std::string, int> seen;
  for (const auto& entry : slow.stored()) {
    rapidjson::Document doc;
    doc.Parse(entry.data.c_str());
    REQUIRE(doc.IsObject());
    const std::string id = doc["metadata"]["event-id"].GetString();
    INFO(id);
    ++seen[id];
    REQUIRE(data_of.count(id) == 1);
    CHECK(detail::compact_json(doc["data"]) == data_of[id]);
    REQUIRE(doc["metadata"].HasMember("shard-hint"));
    CHECK(std::string(doc["metadata"]["shard-hint"].GetString()) == "h" + id.substr(1));
  }
  CHECK(seen.size() == 6);
  for (const auto& [id, times] : seen) {
    INFO(id);
    CHECK(times == 1);  // the stalled request stored nothing
  }
}

TEST_CASE("router: with block, a lone full destination makes publish wait, no queue_full",
          "[router]") {
  FakeKinesis stalled;
  stalled.script_requests([](std::size_t, const ServerRequest&) { return Action::stall(); });
  auto router =
      Router::from_json("[" +
                        fake_kinesis_spec("full", stalled.url(),
                                          R"(,"on_queue_full":"block","max_buffered_bytes":1024,)"
                                          R"("request_timeout_ms":200,"delivery_timeout_ms":400,)"
                                          R"("max_in_flight_requests":1)") +
                        "]");
  Outcomes out;
  const std::string pad(250, 'x');
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    Event e("orders", "\"" + pad + "\"");
    e.set_id("e" + std::to_string(i));
    router->publish(std::move(e), out.on_report());  // no completion callback
  }
  // Room came only as earlier events timed out: publish() waited for it.
  CHECK(std::chrono::steady_clock::now() - start >= 700ms);
  router->close();
  std::lock_guard<std::mutex> lock(out.mutex);
  REQUIRE(out.reports.size() == 4);
  for (const auto& [id, list] : out.reports) {
    INFO(id);
    REQUIRE(list.size() == 1);
    CHECK(list[0].error != make_error_code(errc::queue_full));
  }
}

TEST_CASE("router: replacing and removing destinations under load reports each pair once",
          "[router]") {
  FakeKinesis a_sink, b_old, b_new, c_sink;
  auto router = Router::from_json("[" + fake_kinesis_spec("a", a_sink.url()) + "," +
                                  fake_kinesis_spec("b", b_old.url()) + "," +
                                  fake_kinesis_spec("c", c_sink.url()) + "]");
  Outcomes out;
  const int n = 3000;
  std::atomic<int> published{0};
  std::atomic<bool> removed{false};
  std::thread publisher([&] {
    for (int i = 0; i < n; ++i) {
      // Whatever the machine's speed, the last third is published after the removal.
      if (i == 2 * n / 3) {
        while (!removed.load())
          std::this_thread::sleep_for(1ms);
      }
      router->publish(order(i, 1), out.on_report(), out.on_complete());
      ++published;
    }
  });
  REQUIRE(eventually([&] { return published.load() > n / 4; }));
  router->add(parse_spec(fake_kinesis_spec("b", b_new.url())));
  REQUIRE(eventually([&] { return published.load() > n / 2; }));
  CHECK(router->remove("c"));
  removed = true;
  CHECK_FALSE(router->remove("c"));
  publisher.join();
  router->close();
  CHECK(router->ids() == std::vector<std::string>{"a", "b"});
  REQUIRE(out.completed() == static_cast<std::size_t>(n));
  // c took a prefix of the events (those published before its removal), each once.
  int c_last = -1;
  bool c_prefix = true;
  for (int i = 0; i < n; ++i) {
    const std::string id = "e" + std::to_string(i);
    std::map<std::string, int> per_destination;
    for (const auto& r : out.reports[id]) {
      CHECK(r.delivered());
      ++per_destination[r.destination_id];
    }
    INFO(id);
    CHECK(per_destination["a"] == 1);
    CHECK(per_destination["b"] == 1);
    CHECK(per_destination["c"] <= 1);
    if (per_destination["c"] == 1) {
      if (c_last != i - 1) c_prefix = false;
      c_last = i;
    }
    CHECK(out.completions[id].size() == 1);
    CHECK(out.completions[id][0].matched == out.reports[id].size());
  }
  CHECK(c_prefix);
  CHECK(c_last >= n / 4);
  CHECK(c_last < n - 1);
  CHECK(b_old.stored().size() + b_new.stored().size() == static_cast<std::size_t>(n));
  CHECK(b_old.stored().size() > 0);
  CHECK(b_new.stored().size() > 0);
  CHECK(c_sink.stored().size() == static_cast<std::size_t>(c_last + 1));
}

TEST_CASE("router: config problems of every spec at once, prefixed by id or index",
          "[router][spec]") {
  try {
    Router::from_json(
        R"([{"type":"aws_kinesis","config":{"stream_name":"s"}},)"
        R"({"id":"rest","type":"kafka_rest","config":{"url":"http://127.0.0.1:1"}},)"
        R"({"id":"rest","type":"kafka_rest","config":{"bootstrap_servers":"http://127.0.0.1:1",)"
        R"("cluster_id":"c","topic":"t"}}])");
    FAIL("no ConfigError");
  } catch (const ConfigError& e) {
    std::set<std::string> fields;
    for (const auto& p : e.problems())
      fields.insert(p.field);
    CHECK(fields.count("[0].config.region"));
    CHECK(fields.count("rest.config.topic"));
    CHECK(fields.count("rest.id"));  // the second "rest"
  }
  Router empty;
  Outcomes out;
  empty.publish(order(1, 1), out.on_report(), out.on_complete());
  REQUIRE(out.completions["e1"].size() == 1);
  CHECK(out.completions["e1"][0].outcome == EventCompletion::Outcome::none_matched);
  CHECK(out.reports.empty());
  CHECK(empty.metrics().none_matched == 1);
}
