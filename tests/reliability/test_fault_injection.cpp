// Fault-injection suite for the HTTP destinations. For N events under a seeded random mix of
// faults: every event gets exactly one report; delivered + failed = N; every delivered event is
// on the server; an event is on the server twice only if its report says possible_duplicate.
#include <cstdio>
#include <map>
#include <mutex>
#include <random>

#include "eventdest/eventdest.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "reliability/fake_rest_proxy.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"

using namespace eventdest;
using namespace eventdest::test;

namespace {

using Reports = ReportCollector;

struct Tally {
  int delivered = 0, failed = 0, lost = 0, duplicates = 0, unflagged_duplicates = 0;
};

// Checks the invariants and returns the counts.
Tally check(Reports& reports, const std::map<std::string, int>& stored, int n,
            const std::string& prefix) {
  Tally t;
  for (int i = 0; i < n; ++i) {
    const std::string id = prefix + std::to_string(i);
    INFO(id);
    auto it = reports.by_id.find(id);
    if (it == reports.by_id.end()) {
      ++t.lost;
      continue;
    }
    REQUIRE(it->second.size() == 1);  // exactly one report
    const auto& r = it->second[0];
    const auto s = stored.find(id);
    const int copies = s == stored.end() ? 0 : s->second;
    if (r.delivered()) {
      ++t.delivered;
      CHECK(copies >= 1);  // a delivered event is on the server
    } else {
      ++t.failed;
      if (copies > 0) CHECK(r.possible_duplicate);  // written although failed: flagged
    }
    if (copies > 1) {
      ++t.duplicates;
      if (!r.possible_duplicate) ++t.unflagged_duplicates;
    }
  }
  CHECK(t.lost == 0);
  CHECK(t.delivered + t.failed == n);
  return t;
}

const std::string kOptions =
    R"("linger_ms":5,"retry_backoff_ms":5,"retry_backoff_max_ms":50,"request_timeout_ms":400,)"
    R"("delivery_timeout_ms":60000,"max_batch_records":50)";

}  // namespace

TEST_CASE("aws_kinesis under a random fault mix loses nothing", "[reliability][kinesis]") {
  const int n = 3000;
  std::mt19937 rng(20261123);
  std::mt19937 accept_rng(7);
  std::mutex accept_mutex;
  std::map<std::string, int> faults_fired;
  FakeKinesis sink;
  std::vector<int> fault_of_request(1, 0);
  sink.script_requests([&](std::size_t, const ServerRequest&) -> std::optional<Action> {
    const int roll = static_cast<int>(rng() % 100);
    const Headers json = {{"Content-Type", "application/x-amz-json-1.1"}};
    auto fire = [&](const char* name, Action a) {
      ++faults_fired[name];
      return std::optional<Action>(std::move(a));
    };
    if (roll < 8) return fire("500", Action::respond(500, json, R"({"__type":"InternalFailure"})"));
    if (roll < 16) {
      return fire("throttle",
                  Action::respond(400, json,
                                  R"({"__type":"ThrottlingException","message":"Rate exceeded"})")
                      .after(std::chrono::milliseconds(20)));
    }
    if (roll < 22) return fire("reset", Action::reset());
    if (roll < 26) return fire("stall", Action::stall());
    if (roll < 30) return fire("malformed", Action::respond(200, json, R"({"Records": [tru)"));
    if (roll < 34) {
      return fire("truncated", Action::truncated(200, json, std::string(500, ' '), 100, true));
    }
    return std::nullopt;
  });
  sink.script_store_then_reset([&](std::size_t) { return rng() % 100 < 5; });
  sink.script_records([&](const KinesisEntry&, int) -> std::string {
    const int roll = static_cast<int>(rng() % 100);
    if (roll < 8) return "ProvisionedThroughputExceededException";
    if (roll < 10) return "InternalFailure";
    return "";
  });
  sink.server().set_accept_hook([&](std::size_t) {
    std::lock_guard<std::mutex> lock(accept_mutex);
    return accept_rng() % 100 < 5 ? AcceptAction::reset : AcceptAction::serve;
  });
  Reports reports;
  auto d = make_destination(
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1",)"
      R"("endpoint":")" +
      sink.url() + R"(",)" + kOptions + R"(},"credentials":{"key":"AK","secret":"S"}})");
  for (int i = 0; i < n; ++i) {
    Event e("orders", R"({"i":)" + std::to_string(i) + "}");
    e.set_id("k" + std::to_string(i));
    d->publish(std::move(e), reports.callback());
  }
  d->close();
  std::map<std::string, int> stored;
  for (const auto& e : sink.stored())
    ++stored[e.event_id];
  const Tally t = check(reports, stored, n, "k");
  std::printf(
      "kinesis fault mix: %d events, %zu requests, %zu connections; delivered %d, failed %d, "
      "lost %d, duplicates %d (all flagged: %s); faults:",
      n, sink.requests().size(), sink.server().connections_accepted(), t.delivered, t.failed,
      t.lost, t.duplicates, t.unflagged_duplicates == 0 ? "yes" : "no");
  for (auto& [name, count] : faults_fired)
    std::printf(" %s=%d", name.c_str(), count);
  std::printf("\n");
  CHECK(t.failed == 0);  // every fault is transient and the timeout is generous
  CHECK(t.unflagged_duplicates == 0);
}

TEST_CASE("kafka_rest (stream mode) under a random fault mix loses nothing",
          "[reliability][kafka_rest]") {
  const int n = 3000;
  std::mt19937 rng(42);
  std::map<FakeRestProxy::Fault, int> fired;
  using F = FakeRestProxy::Fault;
  FakeRestProxy proxy([&](std::size_t) {
    const int roll = static_cast<int>(rng() % 100);
    F f = F::none;
    if (roll < 8)
      f = F::http_429;
    else if (roll < 16)
      f = F::http_503;
    else if (roll < 22)
      f = F::reset_before;
    else if (roll < 27)
      f = F::store_then_reset;
    else if (roll < 35)
      f = F::cut_stream;
    else if (roll < 43)
      f = F::record_errors;
    else if (roll < 47)
      f = F::garbage;
    else if (roll < 50)
      f = F::stall;
    ++fired[f];
    return f;
  });
  Reports reports;
  auto d = make_destination(R"({"type":"kafka_rest","config":{"bootstrap_servers":")" +
                            proxy.url() + R"(","cluster_id":"c1","topic":"orders",)" + kOptions +
                            R"(},"credentials":{"api_key":"k","api_secret":"s"}})");
  for (int i = 0; i < n; ++i) {
    Event e("orders", R"({"i":)" + std::to_string(i) + "}");
    e.set_id("r" + std::to_string(i));
    d->publish(std::move(e), reports.callback());
  }
  d->close();
  const Tally t = check(reports, proxy.stored(), n, "r");
  std::printf(
      "kafka_rest fault mix: %d events, %zu requests; delivered %d, failed %d, lost %d, "
      "duplicates %d (all flagged: %s); faults:",
      n, proxy.server().requests_received(), t.delivered, t.failed, t.lost, t.duplicates,
      t.unflagged_duplicates == 0 ? "yes" : "no");
  const char* names[] = {
      "none",       "429",           "503",     "reset_before", "store_then_reset",
      "cut_stream", "record_errors", "garbage", "stall"};
  for (auto& [f, count] : fired)
    std::printf(" %s=%d", names[static_cast<int>(f)], count);
  std::printf("\n");
  CHECK(t.failed == 0);
  CHECK(t.unflagged_duplicates == 0);
}
