#include "spool/spooled_destination.hpp"

#include <atomic>
#include <mutex>
#include <vector>

#include "eventdest/log.hpp"
#include "spool/spool_payload.hpp"
#include "spool/spool_store.hpp"

namespace eventdest::detail {
namespace {

class SpooledDestination final : public Destination {
 public:
  SpooledDestination(std::unique_ptr<Destination> inner, const DeliveryOptions& options)
      : store_(std::make_unique<SpoolStore>(*options.spool, inner->to_string(), recovered_)),
        inner_(std::move(inner)),
        block_(options.on_queue_full == QueueFullBehavior::block),
        max_bytes_(options.spool->max_bytes) {
    if (!recovered_.empty()) {
      log(LogLevel::info, inner_->to_string() + ": the spool " + store_->dir() + " holds " +
                              std::to_string(recovered_.size()) +
                              " events from a previous run; they are published first");
    }
  }

  ~SpooledDestination() override {
    // The inner destination reports what it holds (errc::closed: kept in the spool) before the
    // spool's files are closed.
    store_->stop_waiting();
    inner_.reset();
  }

  void publish(Event event, DeliveryCallback callback) override {
    start_replay(nullptr);
    if (closed_.load(std::memory_order_acquire)) {
      local_failure(event, callback, errc::closed, false, "the destination is closed");
      return;
    }
    // One buffer per publishing thread, reused: no allocation per event for the payload.
    thread_local std::string payload;
    write_spool_payload(event, payload);
    const SpoolStore::AppendResult written = store_->append(payload, block_);
    const std::size_t size = payload.size();
    if (payload.capacity() > (1u << 20)) std::string().swap(payload);  // after a huge event
    if (written.status == SpoolStore::Appended::full) {
      local_failure(event, callback, closed_ ? errc::closed : errc::queue_full, !closed_,
                    closed_ ? "the destination is closed"
                            : "the spool is full (max_bytes " + std::to_string(max_bytes_) +
                                  " of events without a final report)");
      return;
    }
    if (written.status == SpoolStore::Appended::failed) {
      local_failure(event, callback, errc::spool_failed, false, written.error);
      return;
    }
    const std::uint64_t sequence = written.sequence;
    inner_->publish(std::move(event),
                    [this, sequence, size, callback = std::move(callback)](
                        const DeliveryReport& r) { finished(sequence, size, r, callback); });
  }

  std::size_t replay(DeliveryCallback callback) override {
    return start_replay(std::move(callback));
  }

  bool flush(std::chrono::milliseconds timeout) override {
    start_replay(nullptr);
    store_->sync();
    return inner_->flush(timeout);
  }

  void close() override {
    start_replay(nullptr);
    closed_ = true;
    store_->stop_waiting();
    inner_->close();
    store_->close();
  }

  void close(std::chrono::milliseconds timeout) override {
    start_replay(nullptr);
    closed_ = true;
    store_->stop_waiting();
    inner_->close(timeout);
    store_->close();
  }

  DestinationMetrics metrics() const override {
    DestinationMetrics m = inner_->metrics();
    const auto local = local_failures_.load();
    m.published += local;
    m.failed += local;
    const SpoolStore::Stats s = store_->stats();
    m.spooled_events = s.events;
    m.spooled_bytes = s.bytes;
    m.replayed = replayed_.load();
    m.spool_fsyncs = s.fsyncs;
    m.spool_torn_tails = s.torn_tails;
    m.spool_damaged_records = s.damaged_records;
    return m;
  }

  const std::string& type() const noexcept override { return inner_->type(); }
  std::string to_string() const override {
    return inner_->to_string() + " with spool " + store_->dir();
  }

 private:
  // The final report of a spooled event: its record is released, unless the event is still to
  // be delivered by a later run (the destination closed or was interrupted before an outcome).
  void finished(std::uint64_t sequence, std::size_t size, const DeliveryReport& report,
                const DeliveryCallback& callback) {
    const bool kept = report.status == DeliveryStatus::failed &&
                      (report.error == make_error_code(errc::closed) ||
                       report.error == make_error_code(errc::interrupted));
    if (!kept) {
      store_->release(sequence, size);
      if (callback) callback(report);
      return;
    }
    DeliveryReport copy = report;
    copy.message += copy.message.empty() ? "" : "; ";
    copy.message += "kept in the spool: published again by the next run";
    if (callback) callback(copy);
  }

  // `retryable`: a full spool, which may have room later.
  void local_failure(const Event& event, const DeliveryCallback& callback, errc error,
                     bool retryable, std::string message) {
    ++local_failures_;
    if (!callback) return;
    DeliveryReport r;
    r.status = DeliveryStatus::failed;
    r.event_id = event.id();
    r.topic = event.topic();
    r.destination_type = inner_->type();
    r.error = make_error_code(error);
    r.retryable = retryable;
    r.message = std::move(message);
    callback(r);
  }

  // Publishes the previous run's events, once, before anything else (concurrent callers wait).
  std::size_t start_replay(DeliveryCallback callback) {
    std::size_t count = 0;
    std::call_once(replay_once_, [&] { count = replay_recovered(std::move(callback)); });
    return count;
  }

  std::size_t replay_recovered(DeliveryCallback callback) {
    std::vector<SpoolStore::Recovered> records;
    records.swap(recovered_);
    if (!callback) {
      const std::string label = inner_->to_string();
      callback = [label](const DeliveryReport& r) {
        if (!r.delivered()) {
          log(LogLevel::warning,
              label + ": an event replayed from the spool failed: " + r.to_json());
        }
      };
    }
    auto shared = std::make_shared<DeliveryCallback>(std::move(callback));
    std::size_t count = 0;
    for (auto& record : records) {
      Event event;
      try {
        event = Event::from_json(record.payload);
      } catch (const std::exception& e) {
        // Written by this library, so only a damaged file that still passed its checksum, or
        // a newer library's format, gets here: say so, and do not keep it forever.
        log(LogLevel::warning, inner_->to_string() + ": an event in the spool cannot be read (" +
                                   e.what() + "); dropped from the spool");
        store_->release(record.sequence, record.payload.size());
        continue;
      }
      ++count;
      ++replayed_;
      const std::uint64_t sequence = record.sequence;
      const std::size_t size = record.payload.size();
      inner_->publish(std::move(event), [this, sequence, size, shared](const DeliveryReport& r) {
        DeliveryReport copy = r;
        copy.replayed = true;
        copy.possible_duplicate = true;
        finished(sequence, size, copy, *shared);
      });
    }
    return count;
  }

  std::vector<SpoolStore::Recovered> recovered_;  // before store_: filled by its constructor
  std::unique_ptr<SpoolStore> store_;
  std::unique_ptr<Destination> inner_;  // after store_: destroyed first, its reports release
  const bool block_;
  const std::uint64_t max_bytes_;
  std::once_flag replay_once_;
  std::atomic<bool> closed_{false};
  std::atomic<std::uint64_t> local_failures_{0};
  std::atomic<std::uint64_t> replayed_{0};
};

}  // namespace

std::unique_ptr<Destination> with_spool(std::unique_ptr<Destination> destination,
                                        const DeliveryOptions& options) {
  if (!options.spool) return destination;
  return std::make_unique<SpooledDestination>(std::move(destination), options);
}

}  // namespace eventdest::detail
