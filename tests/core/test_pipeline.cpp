// The delivery pipeline against a scripted transport: the transport is the pipeline's
// collaborator (the HTTP destinations' real transports are tested against real servers).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "pipeline/backoff.hpp"
#include "pipeline/delivery_pipeline.hpp"
#include "support/catch.hpp"

using namespace eventdest;
using namespace eventdest::detail;
using namespace std::chrono_literals;

namespace {

// Decides the outcome of each attempt of each record (by event id and attempt number).
using Script = std::function<Outcome(const Record&)>;

class TestTransport {
 public:
  // `outcome_limit`: at most this many outcomes per completed batch (a faulty transport).
  explicit TestTransport(Script script, std::size_t outcome_limit = SIZE_MAX)
      : script_(std::move(script)), outcome_limit_(outcome_limit) {}
  ~TestTransport() { stop(); }

  void attach(DeliveryPipeline* p) { pipeline_ = p; }

  // Completes on a separate thread, as an I/O thread would.
  void send(Batch batch) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> ids;
    for (auto& r : batch)
      ids.push_back(r->event.id());
    sent_batches_.push_back(ids);
    for (auto& r : batch)
      ++sends_[r->event.id()];
    if (stalled_) {
      held_.push_back(std::move(batch));
      return;
    }
    complete_async(std::move(batch));
  }

  void stall() {
    std::lock_guard<std::mutex> lock(mutex_);
    stalled_ = true;
  }
  void release() {
    std::vector<Batch> held;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stalled_ = false;
      held.swap(held_);
    }
    for (auto& b : held)
      complete_async(std::move(b));
  }
  // Joins completion threads until none are left (a completion may schedule a retry whose
  // completion starts another thread meanwhile).
  void stop() {
    while (true) {
      std::vector<std::thread> threads;
      {
        std::lock_guard<std::mutex> lock(threads_mutex_);
        threads.swap(threads_);
      }
      if (threads.empty()) return;
      for (auto& t : threads)
        t.join();
    }
  }
  std::size_t held_batches() {
    std::lock_guard<std::mutex> lock(mutex_);
    return held_.size();
  }
  std::map<std::string, int> sends() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sends_;
  }
  std::vector<std::vector<std::string>> batches() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_batches_;
  }

 private:
  void complete_async(Batch batch) {
    auto shared = std::make_shared<Batch>(std::move(batch));
    std::lock_guard<std::mutex> lock(threads_mutex_);
    threads_.emplace_back([this, shared] {
      std::vector<Outcome> outcomes;
      for (auto& r : *shared) {
        if (outcomes.size() == outcome_limit_) break;
        outcomes.push_back(script_(*r));
      }
      pipeline_->complete(std::move(*shared), outcomes);
    });
  }

  Script script_;
  const std::size_t outcome_limit_;
  DeliveryPipeline* pipeline_ = nullptr;
  std::mutex mutex_;
  std::mutex threads_mutex_;
  bool stalled_ = false;
  std::vector<Batch> held_;
  std::map<std::string, int> sends_;
  std::vector<std::vector<std::string>> sent_batches_;
  std::vector<std::thread> threads_;
};

struct Collector {
  std::mutex mutex;
  std::condition_variable cv;
  std::map<std::string, std::vector<DeliveryReport>> reports;

  DeliveryCallback callback() {
    return [this](const DeliveryReport& r) {
      std::lock_guard<std::mutex> lock(mutex);
      reports[r.event_id].push_back(r);
      cv.notify_all();
    };
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mutex);
    std::size_t n = 0;
    for (auto& [id, rs] : reports)
      n += rs.size();
    return n;
  }
  const DeliveryReport& only(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE(reports[id].size() == 1);
    return reports[id].front();
  }
};

RecordPtr make_record(const std::string& id, Collector& c, std::size_t bytes = 100) {
  auto r = std::make_unique<Record>();
  r->event = Event("t", "1");
  r->event.set_id(id);
  r->callback = c.callback();
  r->bytes = bytes;
  return r;
}

DeliveryOptions fast_options() {
  DeliveryOptions o;
  o.linger = 1ms;
  o.retry_backoff = 1ms;
  o.retry_backoff_max = 5ms;
  o.delivery_timeout = 10s;
  o.max_in_flight = 2;
  return o;
}

std::string id(int i) {
  return "e" + std::to_string(i);
}

}  // namespace

TEST_CASE("backoff grows exponentially, is capped and jittered within bounds", "[backoff]") {
  Backoff b(100ms, 2000ms);
  for (int attempt = 1; attempt <= 40; ++attempt) {
    const long long d = std::min<long long>(2000, 100LL << std::min(attempt - 1, 30));
    for (int i = 0; i < 50; ++i) {
      const auto wait = b.delay(attempt).count();
      CHECK(wait >= d / 2);
      CHECK(wait <= d);
    }
  }
  std::set<long long> seen;
  for (int i = 0; i < 200; ++i)
    seen.insert(b.delay(5).count());
  CHECK(seen.size() > 10);  // jitter spreads retries
}

TEST_CASE("every record gets exactly one report, batched within limits", "[pipeline]") {
  Collector c;
  TestTransport t([](const Record&) {
    Outcome o = Outcome::delivered_ok();
    o.shard_id = "shardId-000000000000";
    return o;
  });
  {
    DeliveryPipeline p("test", fast_options(), BatchLimits{7, 1000},
                       [&](Batch b) { t.send(std::move(b)); });
    t.attach(&p);
    for (int i = 0; i < 100; ++i)
      p.submit(make_record(id(i), c, 100));
    REQUIRE(p.flush(10s));
    t.stop();
    auto m = p.metrics();
    CHECK(m.delivered == 100);
    CHECK(m.in_flight == 0);
    CHECK(m.buffered_bytes == 0);
  }
  CHECK(c.count() == 100);
  for (int i = 0; i < 100; ++i)
    CHECK(c.only(id(i)).delivered());
  for (const auto& batch : t.batches()) {
    CHECK(batch.size() <= 7);  // max_records; 10 * 100 bytes would break max_bytes
  }
}

TEST_CASE("transient failures are retried until delivered; only failed records are re-sent",
          "[pipeline]") {
  Collector c;
  std::atomic<int> attempts_of_e3{0};
  TestTransport t([&](const Record& r) {
    // e3 fails twice with throttling, e5 once with a 5xx: the rest succeed at once.
    if (r.event.id() == "e3" && ++attempts_of_e3 <= 2) {
      return Outcome::classify(errc::throttled, "slow down",
                               "ProvisionedThroughputExceededException");
    }
    if (r.event.id() == "e5" && r.attempts == 1) {
      return Outcome::classify(errc::server_error, "oops", "InternalFailure", 0, true);
    }
    return Outcome::delivered_ok();
  });
  DeliveryPipeline p("test", fast_options(), BatchLimits{500, 1 << 20},
                     [&](Batch b) { t.send(std::move(b)); });
  t.attach(&p);
  for (int i = 0; i < 10; ++i)
    p.submit(make_record(id(i), c));
  REQUIRE(p.flush(10s));
  t.stop();
  auto sends = t.sends();
  CHECK(sends["e3"] == 3);
  CHECK(sends["e5"] == 2);
  for (int i = 0; i < 10; ++i) {
    if (i != 3 && i != 5) CHECK(sends[id(i)] == 1);
    CHECK(c.only(id(i)).delivered());
  }
  CHECK(c.only("e3").attempts == 3);
  CHECK_FALSE(c.only("e3").possible_duplicate);
  CHECK(c.only("e5").possible_duplicate);  // the failed attempt may have been written
  CHECK(p.metrics().retried == 3);
}

TEST_CASE("recycled records start clean: no attempts, flags or errors carried over", "[pipeline]") {
  Collector c;
  std::atomic<int> callbacks_alive{0};
  TestTransport t([&](const Record& r) {
    // The first round is retried once with an ambiguous failure, the second succeeds at once.
    if (r.event.id()[0] == 'a' && r.attempts == 1) {
      return Outcome::classify(errc::server_error, "oops", "InternalFailure", 500, true);
    }
    return Outcome::delivered_ok();
  });
  DeliveryPipeline p("test", fast_options(), BatchLimits{500, 1 << 20},
                     [&](Batch b) { t.send(std::move(b)); });
  t.attach(&p);
  auto submit = [&](const std::string& id) {
    // A callback owning state: the record must release it once reported, even when pooled.
    auto alive = std::shared_ptr<int>(new int(0), [&](int* x) {
      --callbacks_alive;
      delete x;
    });
    ++callbacks_alive;
    auto record =
        p.make_record(Event("t", "1"), [cb = c.callback(), alive](const auto& r) { cb(r); });
    record->event.set_id(id);
    record->bytes = 100;
    record->payload = "payload of " + id;
    p.submit(std::move(record));
  };
  for (int i = 0; i < 20; ++i)
    submit("a" + std::to_string(i));
  REQUIRE(p.flush(10s));
  for (int i = 0; i < 20; ++i)
    submit("b" + std::to_string(i));
  REQUIRE(p.flush(10s));
  t.stop();
  for (int i = 0; i < 20; ++i) {
    const auto& first = c.only("a" + std::to_string(i));
    CHECK(first.attempts == 2);
    CHECK(first.possible_duplicate);
    const auto& second = c.only("b" + std::to_string(i));
    CHECK(second.delivered());
    CHECK(second.attempts == 1);
    CHECK_FALSE(second.possible_duplicate);
    CHECK(second.message.empty());
  }
  CHECK(callbacks_alive == 0);
  CHECK(p.metrics().buffered_bytes == 0);
}

TEST_CASE("permanent failures are reported at once", "[pipeline]") {
  Collector c;
  TestTransport t([](const Record&) {
    return Outcome::classify(errc::access_denied, "not allowed", "AccessDeniedException", 400);
  });
  DeliveryPipeline p("test", fast_options(), BatchLimits{}, [&](Batch b) { t.send(std::move(b)); });
  t.attach(&p);
  p.submit(make_record("x", c));
  REQUIRE(p.flush(10s));
  t.stop();
  const auto& r = c.only("x");
  CHECK(r.status == DeliveryStatus::failed);
  CHECK(r.error == make_error_code(errc::access_denied));
  CHECK_FALSE(r.retryable);
  CHECK(r.provider_code == "AccessDeniedException");
  CHECK(r.http_status == 400);
  CHECK(r.attempts == 1);
}

// Reports of one batch are built in turn: nothing of one record's outcome may show in the next.
TEST_CASE("mixed outcomes in one batch: each report carries only its own details", "[pipeline]") {
  Collector c;
  TestTransport t([](const Record& r) {
    const int n = std::stoi(r.event.id().substr(1));
    if (n % 2 == 0) {
      Outcome o = Outcome::delivered_ok();
      o.shard_id = "shardId-00000000000" + std::to_string(n % 10);
      o.sequence_number = "4959" + std::to_string(n);
      o.partition = n;
      o.offset = 1000 + n;
      return o;
    }
    return Outcome::classify(errc::access_denied, "denied " + r.event.id(), "AccessDeniedException",
                             400, n % 3 == 0);
  });
  DeliveryPipeline p("test", fast_options(), BatchLimits{500, 1 << 20},
                     [&](Batch b) { t.send(std::move(b)); });
  t.attach(&p);
  for (int i = 0; i < 40; ++i) {
    auto r = make_record(id(i), c);
    r->partition_key = "key-" + std::to_string(i);
    p.submit(std::move(r));
  }
  REQUIRE(p.flush(10s));
  t.stop();
  for (int i = 0; i < 40; ++i) {
    const auto& r = c.only(id(i));
    INFO(id(i));
    CHECK(r.event_id == id(i));
    CHECK(r.partition_key == "key-" + std::to_string(i));
    CHECK(r.topic == "t");
    CHECK(r.destination_type == "test");
    if (i % 2 == 0) {
      CHECK(r.delivered());
      CHECK_FALSE(r.error);
      CHECK_FALSE(r.retryable);
      CHECK(r.message.empty());
      CHECK(r.provider_code.empty());
      CHECK(r.http_status == 0);
      CHECK(r.shard_id == "shardId-00000000000" + std::to_string(i % 10));
      CHECK(r.sequence_number == "4959" + std::to_string(i));
      CHECK(r.partition == i);
      CHECK(r.offset == 1000 + i);
      CHECK_FALSE(r.possible_duplicate);
    } else {
      CHECK(r.status == DeliveryStatus::failed);
      CHECK(r.error == make_error_code(errc::access_denied));
      CHECK(r.message == "denied " + id(i));
      CHECK(r.provider_code == "AccessDeniedException");
      CHECK(r.http_status == 400);
      CHECK(r.shard_id.empty());
      CHECK(r.sequence_number.empty());
      CHECK(r.partition == -1);
      CHECK(r.offset == -1);
      CHECK(r.possible_duplicate == (i % 3 == 0));
    }
  }
}

TEST_CASE("retries stop at delivery_timeout_ms with the last error", "[pipeline]") {
  Collector c;
  TestTransport t(
      [](const Record&) { return Outcome::classify(errc::throttled, "busy", "Throttled"); });
  auto o = fast_options();
  o.delivery_timeout = 150ms;
  DeliveryPipeline p("test", o, BatchLimits{}, [&](Batch b) { t.send(std::move(b)); });
  t.attach(&p);
  p.submit(make_record("x", c));
  REQUIRE(p.flush(10s));
  t.stop();
  const auto& r = c.only("x");
  CHECK(r.error == make_error_code(errc::timeout));
  CHECK(r.retryable);
  CHECK(r.provider_code == "Throttled");
  CHECK(r.attempts > 1);
  CHECK(r.message.find("busy") != std::string::npos);
}

TEST_CASE("a deferred record is sent again later without counting an attempt", "[pipeline]") {
  Collector c;
  std::mutex mutex;
  std::map<std::string, int> calls;
  // "d": held back twice, then delivered; "t": held back until its delivery timeout.
  TestTransport t([&](const Record& r) {
    std::lock_guard<std::mutex> lock(mutex);
    const int n = ++calls[r.event.id()];
    if (r.event.id() == "t" || n <= 2) return Outcome::deferred(20ms, "shard at its limit");
    return Outcome::delivered_ok();
  });
  auto o = fast_options();
  o.delivery_timeout = 300ms;
  DeliveryPipeline p("test", o, BatchLimits{}, [&](Batch b) { t.send(std::move(b)); });
  t.attach(&p);
  const auto start = std::chrono::steady_clock::now();
  p.submit(make_record("d", c));
  p.submit(make_record("t", c));
  REQUIRE(p.flush(10s));
  t.stop();
  const auto& d = c.only("d");
  CHECK(d.delivered());
  CHECK(d.attempts == 1);
  CHECK(d.latency >= 40ms);  // two waits of 20 ms before it went
  const auto& timed_out = c.only("t");
  CHECK(timed_out.error == make_error_code(errc::timeout));
  CHECK(timed_out.attempts == 0);
  CHECK(timed_out.message.find("held back: shard at its limit") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start >= 280ms);
  CHECK(p.metrics().retried == 0);
}

TEST_CASE("an unreachable endpoint pauses sending: one probe at a time, records time out",
          "[pipeline]") {
  Collector c;
  std::atomic<bool> reachable{false};
  TestTransport t([&](const Record&) {
    if (reachable.load()) return Outcome::delivered_ok();
    Outcome o = Outcome::classify(errc::network_error, "connect_failed: Connection refused");
    o.unreachable = true;
    return o;
  });
  auto o = fast_options();
  o.retry_backoff = 20ms;
  o.retry_backoff_max = 40ms;
  o.delivery_timeout = 400ms;
  o.max_in_flight = 4;
  DeliveryPipeline p("test", o, BatchLimits{10, 1 << 20}, [&](Batch b) { t.send(std::move(b)); });
  t.attach(&p);
  for (int i = 0; i < 500; ++i)
    p.submit(make_record(id(i), c));
  REQUIRE(p.flush(10s));
  const auto batches = t.batches().size();
  // Unpaused, 50 batches would each be sent and retried every 20-40 ms for 400 ms (hundreds of
  // requests); paused, one probe per pause.
  CHECK(batches < 40);
  for (int i = 0; i < 500; ++i) {
    const auto& r = c.only(id(i));
    CHECK(r.error == make_error_code(errc::timeout));
    CHECK(r.retryable);
  }
  CHECK(c.only(id(499)).message.find("Connection refused") != std::string::npos);
  // Reachable again: the next probe delivers and sending resumes.
  reachable = true;
  for (int i = 500; i < 600; ++i)
    p.submit(make_record(id(i), c));
  REQUIRE(p.flush(10s));
  t.stop();
  for (int i = 500; i < 600; ++i)
    CHECK(c.only(id(i)).delivered());
}

TEST_CASE("outcomes made by the pipeline: missing ones and retries out of time, many per batch",
          "[pipeline]") {
  // complete() reports these from outcomes it makes itself while the transport's are only
  // referenced: each report must carry its own, however many there are in one batch.
  Collector c;
  TestTransport t(
      [](const Record& r) {
        const int n = std::stoi(r.event.id().substr(1));
        return n % 2 == 0 ? Outcome::classify(errc::throttled, "busy " + r.event.id(), "Throttled")
                          : Outcome::delivered_ok();
      },
      15);
  auto o = fast_options();
  o.linger = 50ms;  // all 20 in one batch
  o.delivery_timeout = 30ms;
  o.retry_backoff = 200ms;  // a retry would end after the deadline: reported at once
  o.retry_backoff_max = 200ms;
  DeliveryPipeline p("test", o, BatchLimits{}, [&](Batch b) { t.send(std::move(b)); });
  t.attach(&p);
  for (int i = 0; i < 20; ++i)
    p.submit(make_record(id(i), c));
  REQUIRE(p.flush(10s));
  t.stop();
  REQUIRE(t.batches().size() == 1);
  for (int i = 0; i < 20; ++i) {
    CAPTURE(i);
    const auto& r = c.only(id(i));
    if (i >= 15) {
      CHECK(r.error == make_error_code(errc::internal));
      CHECK(r.message == "the transport returned no outcome");
    } else if (i % 2 == 0) {
      CHECK(r.error == make_error_code(errc::timeout));
      CHECK(r.provider_code == "Throttled");
      CHECK(r.message.find("last error: busy " + id(i)) != std::string::npos);
    } else {
      CHECK(r.delivered());
      CHECK(r.message.empty());
    }
  }
}

TEST_CASE("fail-fast mode reports queue_full and never buffers past the limit", "[pipeline]") {
  Collector c;
  TestTransport t([](const Record&) { return Outcome::delivered_ok(); });
  t.stall();
  auto o = fast_options();
  o.max_buffered_bytes = 1000;
  o.on_queue_full = QueueFullBehavior::fail;
  DeliveryPipeline p("test", o, BatchLimits{1, 1 << 20}, [&](Batch b) { t.send(std::move(b)); });
  t.attach(&p);
  for (int i = 0; i < 15; ++i) {
    p.submit(make_record(id(i), c, 100));
    CHECK(p.metrics().buffered_bytes <= 1000);
  }
  // 10 fit; the other 5 were refused at once.
  CHECK(c.count() == 5);
  for (int i = 10; i < 15; ++i)
    CHECK(c.only(id(i)).error == make_error_code(errc::queue_full));
  p.submit(make_record("huge", c, 5000));
  CHECK(c.only("huge").error == make_error_code(errc::queue_full));
  t.release();
  REQUIRE(p.flush(10s));
  t.stop();
  for (int i = 0; i < 10; ++i)
    CHECK(c.only(id(i)).delivered());
}

TEST_CASE("block mode makes publish wait for space", "[pipeline]") {
  Collector c;
  TestTransport t([](const Record&) { return Outcome::delivered_ok(); });
  t.stall();
  auto o = fast_options();
  o.max_buffered_bytes = 1000;
  o.max_in_flight = 1;
  DeliveryPipeline p("test", o, BatchLimits{100, 1 << 20}, [&](Batch b) { t.send(std::move(b)); });
  t.attach(&p);
  for (int i = 0; i < 10; ++i)
    p.submit(make_record(id(i), c, 100));
  std::atomic<bool> released{false};
  std::atomic<bool> returned_before_release{false};
  std::thread publisher([&] {
    p.submit(make_record("blocked", c, 100));
    if (!released) returned_before_release = true;
  });
  // Wait until the stalled transport holds the first batch, then release it.
  while (t.held_batches() == 0)
    std::this_thread::sleep_for(1ms);
  CHECK(p.metrics().buffered_bytes == 1000);
  released = true;
  t.release();
  publisher.join();
  CHECK_FALSE(returned_before_release);
  REQUIRE(p.flush(10s));
  t.stop();
  CHECK(c.only("blocked").delivered());
  CHECK(c.count() == 11);
}

TEST_CASE("flush honours its timeout; shutdown reports everything", "[pipeline]") {
  Collector c;
  TestTransport t([](const Record&) { return Outcome::classify(errc::server_error, "down"); });
  t.stall();
  auto o = fast_options();
  o.max_in_flight = 1;
  {
    DeliveryPipeline p("test", o, BatchLimits{2, 1 << 20}, [&](Batch b) { t.send(std::move(b)); });
    t.attach(&p);
    for (int i = 0; i < 6; ++i)
      p.submit(make_record(id(i), c));
    CHECK_FALSE(p.flush(50ms));
    p.stop_accepting();
    p.submit(make_record("late", c));
    CHECK(c.only("late").error == make_error_code(errc::closed));
    p.shutdown();           // queued records fail now with "closed"
    CHECK(c.count() == 5);  // 4 queued + late; 2 are in flight in the stalled transport
    t.release();            // the transport completes them: retryable, but shutting down -> closed
    t.stop();
  }
  CHECK(c.count() == 7);
  for (int i = 0; i < 6; ++i)
    CHECK(c.only(id(i)).error == make_error_code(errc::closed));
}

TEST_CASE("an answer that comes after shutdown, past the record's deadline, reports its timeout",
          "[pipeline]") {
  // close() reports what is left `closed`, except an event already past its delivery_timeout_ms:
  // its report is the timeout, also when the transport answers it (retry, or hold back) only
  // after the stop. Before, that answer made it `closed`.
  for (const bool deferred : {false, true}) {
    INFO((deferred ? "held back" : "retryable error"));
    Collector c;
    TestTransport t([deferred](const Record&) {
      return deferred ? Outcome::deferred(5ms, "shard_rate_limit")
                      : Outcome::classify(errc::network_error, "connection reset");
    });
    t.stall();
    auto o = fast_options();
    o.delivery_timeout = 50ms;
    o.max_in_flight = 1;
    {
      DeliveryPipeline p("test", o, BatchLimits{2, 1 << 20},
                         [&](Batch b) { t.send(std::move(b)); });
      t.attach(&p);
      p.submit(make_record("past-deadline", c));
      for (int i = 0; i < 200 && t.held_batches() == 0; ++i)
        std::this_thread::sleep_for(5ms);
      REQUIRE(t.held_batches() == 1);
      std::this_thread::sleep_for(100ms);  // its deadline passes while the request is out
      p.shutdown();
      t.release();
      t.stop();
    }
    const DeliveryReport& r = c.only("past-deadline");
    INFO(r.message);
    CHECK(r.error == make_error_code(errc::timeout));
  }
}
