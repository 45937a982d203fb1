#include "pipeline/delivery_pipeline.hpp"

#include <algorithm>

#include "util/prefetch.hpp"
#include "util/thread_name.hpp"

namespace eventdest::detail {

namespace {

// The records a pipeline keeps for reuse hold at most an eighth of what its buffer may hold
// (8 MiB by default), between 1 and 64 MiB: an idle destination's pool stays proportionate to its
// buffer.
std::size_t record_pool_bytes(std::size_t max_buffered_bytes) {
  return std::clamp(max_buffered_bytes / 8, std::size_t{1} << 20, std::size_t{64} << 20);
}
constexpr std::size_t kMaxPooledRecords = 65536;

}  // namespace

DeliveryPipeline::DeliveryPipeline(std::string destination_type, DeliveryOptions options,
                                   BatchLimits limits, SendFn send, RecordEncoder* encoder)
    : type_(std::move(destination_type)),
      options_(std::move(options)),
      limits_(limits),
      expiry_grouping_(std::clamp(options_.delivery_timeout / 50, std::chrono::milliseconds(1),
                                  std::chrono::milliseconds(20))),
      backoff_(options_.retry_backoff, options_.retry_backoff_max),
      send_(std::move(send)),
      encoder_(encoder),
      pool_(kMaxPooledRecords, record_pool_bytes(options_.max_buffered_bytes)) {
  worker_ = std::thread([this] {
    set_thread_name("eventdest-batch");
    run();
  });
}

DeliveryPipeline::~DeliveryPipeline() {
  shutdown();
}

RecordPtr DeliveryPipeline::make_record(Event event, DeliveryCallback callback) {
  return pool_.take(std::move(event), std::move(callback));
}

RecordPtr DeliveryPipeline::make_record_copy(const Event& event, DeliveryCallback callback) {
  return pool_.take_copy(event, std::move(callback));
}

void DeliveryPipeline::submit(RecordPtr record, bool wait_for_room) {
  const auto now = SteadyClock::now();
  record->accepted = now;
  record->deadline = now + options_.delivery_timeout;
  std::unique_lock<std::mutex> lock(mutex_);
  if (!accepting_) {
    lock.unlock();
    reject(std::move(record),
           Outcome::failure(Outcome::Kind::fail, errc::closed, "the destination is closed"));
    return;
  }
  // A record larger than the whole buffer could never fit: fail it rather than block forever.
  if (record->bytes > options_.max_buffered_bytes) {
    lock.unlock();
    reject(std::move(record), Outcome::failure(Outcome::Kind::fail, errc::queue_full,
                                               "event of " + std::to_string(record->bytes) +
                                                   " bytes is larger than max_buffered_bytes"));
    return;
  }
  if (buffered_bytes_ + record->bytes > options_.max_buffered_bytes) {
    if (options_.on_queue_full == QueueFullBehavior::fail && !wait_for_room) {
      lock.unlock();
      // Kind::retry: full for now (publishing again later can work), unlike an event larger
      // than the whole buffer above.
      reject(std::move(record),
             Outcome::failure(Outcome::Kind::retry, errc::queue_full,
                              "max_buffered_bytes (" + std::to_string(options_.max_buffered_bytes) +
                                  ") reached"));
      return;
    }
    space_cv_.wait(lock, [&] {
      return !accepting_ || buffered_bytes_ + record->bytes <= options_.max_buffered_bytes;
    });
    if (!accepting_) {
      lock.unlock();
      reject(std::move(record),
             Outcome::failure(Outcome::Kind::fail, errc::closed, "the destination is closed"));
      return;
    }
  }
  record->sequence = next_sequence_++;
  done_.push_back(false);
  ++open_count_;
  if (record->request_bytes == 0) record->request_bytes = record->bytes;
  buffered_bytes_ += record->bytes;
  const bool was_empty = queue_.empty();
  const bool was_full = queue_full_locked();
  queued_bytes_ += record->request_bytes;
  ++counters_.published;
  const std::size_t request_bytes = record->request_bytes;
  const auto deadline = record->deadline;
  queue_.push_back(Queued{std::move(record), request_bytes, deadline});
  // The worker sleeps until the oldest record's linger ends, so it only needs waking when that
  // timer must start (first record) or when a full batch becomes ready. Once the queue holds a
  // full batch, the worker sends until it runs out of slots and is then woken by complete():
  // waking it for every further record (a deep queue) would only make it find no slot.
  if (was_empty || (!was_full && queue_full_locked()) || flush_waiters_ > 0) {
    work_cv_.notify_one();
  }
}

void DeliveryPipeline::reject(RecordPtr record, const Outcome& outcome) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counters_.published;
  }
  report(std::move(record), outcome);
}

void DeliveryPipeline::finish_locked(std::uint64_t sequence, std::size_t bytes) {
  done_[sequence - first_open_] = true;
  --open_count_;
  while (!done_.empty() && done_.front()) {
    done_.pop_front();
    ++first_open_;
  }
  buffered_bytes_ -= bytes;
}

void DeliveryPipeline::fill_report(DeliveryReport& r, Record& record, const Outcome& outcome,
                                   SteadyClock::time_point now) const {
  // Every field but destination_type and destination_id (set once by report_all) and event_id
  // (lent by report_all) is assigned: one report object serves a whole batch, so its strings keep
  // their capacity from record to record instead of allocating several strings per report.
  r.topic.assign(record.event.topic());
  r.partition_key.assign(record.partition_key);
  r.attempts = record.attempts;
  // An attempt that may have been written (an ambiguous failure, or a request the transport
  // re-sent) makes a second copy possible, or makes a failed event possibly written.
  r.possible_duplicate = record.maybe_sent || outcome.maybe_sent;
  r.latency = record.accepted != SteadyClock::time_point{}
                  ? std::chrono::duration_cast<std::chrono::microseconds>(now - record.accepted)
                  : std::chrono::microseconds(0);
  if (outcome.kind == Outcome::Kind::delivered) {
    r.status = DeliveryStatus::delivered;
    r.error = std::error_code();
    r.retryable = false;
    r.provider_code.clear();
    r.http_status = 0;
    r.message.clear();
    r.shard_id.assign(outcome.shard_id);
    r.sequence_number.assign(outcome.sequence_number);
    r.sub_sequence_number = outcome.sub_sequence_number;
    r.partition = outcome.partition;
    r.offset = outcome.offset;
  } else {
    r.status = DeliveryStatus::failed;
    r.error = make_error_code(outcome.error);
    // Running out of time after transient failures is itself transient: a later try may work.
    r.retryable = is_retryable(outcome.error) || outcome.error == errc::timeout ||
                  (outcome.error == errc::queue_full && outcome.kind == Outcome::Kind::retry);
    r.provider_code.assign(outcome.provider_code);
    r.http_status = outcome.http_status;
    r.message.assign(outcome.message);
    r.shard_id.clear();
    r.sequence_number.clear();
    r.sub_sequence_number = -1;
    r.partition = -1;
    r.offset = -1;
  }
}

void DeliveryPipeline::report(RecordPtr record, const Outcome& outcome) {
  std::vector<Final> one;
  one.emplace_back(std::move(record), &outcome);
  report_all(one);
}

void DeliveryPipeline::report_all(std::vector<Final>& finals) {
  if (finals.empty()) return;
  // What the bookkeeping below needs of each record, read while it is in cache: after a batch of
  // callbacks that do some work (the CLI formats a report line) the first records are not any
  // more, and reading them again cost a cache miss each, twice.
  struct Settled {
    std::uint64_t sequence;
    std::size_t bytes;
    std::chrono::microseconds latency;
  };
  std::vector<Settled> settled;
  settled.reserve(finals.size());
  std::vector<std::size_t> pool_bytes;
  pool_bytes.reserve(finals.size());
  std::size_t delivered = 0;
  DeliveryReport r;
  r.destination_type = type_;
  r.destination_id = destination_id_;
  // The records of a batch complete together: one clock reading serves them all.
  const auto now = SteadyClock::now();
  for (std::size_t i = 0; i < finals.size(); ++i) {
    auto& [record, outcome] = finals[i];
    // This thread has not touched these records yet (the batch thread built the request).
    if (i + kPrefetchAhead < finals.size())
      prefetch_lines(finals[i + kPrefetchAhead].first.get(), sizeof(Record));
    if (!record->encoded && record->partition_key.empty() && encoder_) {
      try {
        encoder_->fill_partition_key(*record);
      } catch (...) {  // reported without a key rather than not at all
      }
    }
    fill_report(r, *record, *outcome, now);
    delivered += r.delivered();
    if (record->callback || record->hook) {
      // The id is lent, not copied: its bytes (cold by now, after a deep queue) are only read if
      // the callback reads them. The record gets it back below, whatever the callback does.
      std::string& id = EventInternals::id(record->event);
      r.event_id.swap(id);
      // A throwing callback must not take the I/O thread down or skip other reports.
      try {
        if (record->hook) {
          record->hook->report(r, record->callback);
        } else {
          record->callback(r);
        }
      } catch (...) {
      }
      r.event_id.swap(id);
      record->callback = nullptr;  // the user's callback is released once it has reported
    }
    settled.push_back(Settled{record->sequence, record->bytes, r.latency});
    pool_bytes.push_back(RecordPool::bytes_of(*record));
  }
  // Bookkeeping after the callbacks, once per batch: flush() returns only when every report
  // has reached its callback.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Settled& s : settled) {
      if (s.sequence != 0) finish_locked(s.sequence, s.bytes);
      latencies_.record(s.latency);
    }
    counters_.delivered += delivered;
    counters_.failed += finals.size() - delivered;
    space_cv_.notify_all();
    done_cv_.notify_all();
  }
  pool_.give_back(finals, pool_bytes);
}

void DeliveryPipeline::complete(Batch batch, const std::vector<Outcome>& outcomes) {
  const auto now = SteadyClock::now();
  std::vector<Final> reports;
  reports.reserve(batch.size());
  // Outcomes made here: one per record the transport gave no outcome for, and one per retry
  // that runs out of time. Reserved for the most there can be, since reports point into it.
  const std::size_t given = std::min(batch.size(), outcomes.size());
  std::size_t most_made = batch.size() - given;
  for (std::size_t i = 0; i < given; ++i)
    most_made +=
        outcomes[i].kind == Outcome::Kind::retry || outcomes[i].kind == Outcome::Kind::defer;
  std::vector<Outcome> made;
  made.reserve(most_made);
  std::map<int, std::chrono::milliseconds> delays;
  bool all_unreachable = given > 0 && given == batch.size();
  for (std::size_t i = 0; i < given && all_unreachable; ++i)
    all_unreachable = outcomes[i].unreachable;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --batches_in_flight_;
    if (all_unreachable) {
      ++unreachable_batches_;
      paused_until_ = now + backoff_.delay(unreachable_batches_);
      unreachable_message_ = outcomes[0].message;
      paused_.store(true, std::memory_order_relaxed);
    } else if (given > 0) {
      unreachable_batches_ = 0;
      paused_.store(false, std::memory_order_relaxed);
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& record = batch[i];
      const Outcome& outcome =
          i < outcomes.size()
              ? outcomes[i]
              : made.emplace_back(Outcome::failure(Outcome::Kind::fail, errc::internal,
                                                   "the transport returned no outcome"));
      if (outcome.maybe_sent) record->maybe_sent = true;
      // Stopping, a record past its deadline still reports its timeout (as shutdown() does for
      // what it finds queued): an answer that comes in after the stop does not make it `closed`.
      const bool closed = stopping_ && now < record->deadline;
      if (outcome.kind == Outcome::Kind::defer) {
        --record->attempts;  // it was not sent
        if (stopping_ || now + outcome.retry_after >= record->deadline) {
          Outcome& final_outcome = made.emplace_back(outcome);
          final_outcome.kind = Outcome::Kind::fail;
          final_outcome.error = closed ? errc::closed : errc::timeout;
          final_outcome.message = (closed ? "closed while held back: "
                                          : "delivery_timeout_ms (" +
                                                std::to_string(options_.delivery_timeout.count()) +
                                                " ms) reached while held back: ") +
                                  outcome.message;
          reports.emplace_back(std::move(record), &final_outcome);
          continue;
        }
        record->not_before = now + outcome.retry_after;
        retries_.emplace(record->not_before, std::move(record));
        continue;
      }
      if (outcome.kind != Outcome::Kind::retry) {
        reports.emplace_back(std::move(record), &outcome);
        continue;
      }
      record->last_error = outcome.error;
      record->last_provider_code = outcome.provider_code;
      record->last_http_status = outcome.http_status;
      record->last_message = outcome.message;
      // One delay per attempt number for the whole batch keeps its retried records together in
      // the next request instead of scattering them by jitter.
      auto [slot, fresh] = delays.try_emplace(record->attempts);
      if (fresh) slot->second = backoff_.delay(record->attempts);
      const auto wait = slot->second;
      if (stopping_ || now + wait >= record->deadline) {
        Outcome& final_outcome = made.emplace_back(outcome);
        final_outcome.kind = Outcome::Kind::fail;
        if (!closed) {
          final_outcome.error = errc::timeout;
          final_outcome.message = "delivery_timeout_ms (" +
                                  std::to_string(options_.delivery_timeout.count()) +
                                  " ms) reached after " + std::to_string(record->attempts) +
                                  " attempts; last error: " + outcome.message;
        } else {
          final_outcome.error = errc::closed;
          final_outcome.message = "closed before a retry; last error: " + outcome.message;
        }
        reports.emplace_back(std::move(record), &final_outcome);
        continue;
      }
      ++counters_.retried;
      record->not_before = now + wait;
      retries_.emplace(record->not_before, std::move(record));
    }
    work_cv_.notify_one();
  }
  report_all(reports);
}

std::vector<RecordPtr> DeliveryPipeline::expire_locked(SteadyClock::time_point now) {
  std::vector<RecordPtr> out;
  // The queue is in acceptance order, so deadlines grow along it.
  while (!queue_.empty() && queue_.front().deadline <= now) {
    queued_bytes_ -= queue_.front().request_bytes;
    out.push_back(std::move(queue_.front().record));
    queue_.pop_front();
  }
  for (auto it = retries_.begin(); it != retries_.end();) {
    if (it->second->deadline <= now) {
      out.push_back(std::move(it->second));
      it = retries_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

Batch DeliveryPipeline::take_batch_locked(SteadyClock::time_point now) {
  Batch batch;
  std::size_t bytes = 0;
  auto fits = [&](std::size_t request_bytes) {
    return batch.size() < limits_.max_records &&
           (batch.empty() || bytes + request_bytes <= limits_.max_bytes);
  };
  // Retries first: they are the oldest.
  while (!retries_.empty() && retries_.begin()->first <= now &&
         fits(retries_.begin()->second->request_bytes)) {
    bytes += retries_.begin()->second->request_bytes;
    batch.push_back(std::move(retries_.begin()->second));
    retries_.erase(retries_.begin());
  }
  while (!queue_.empty() && fits(queue_.front().request_bytes)) {
    bytes += queue_.front().request_bytes;
    queued_bytes_ -= queue_.front().request_bytes;
    batch.push_back(std::move(queue_.front().record));
    queue_.pop_front();
  }
  return batch;
}

Batch DeliveryPipeline::encode_taken(Batch batch, std::unique_lock<std::mutex>& lock) {
  Batch kept;
  kept.reserve(batch.size());
  std::vector<Outcome> refusals;
  refusals.reserve(batch.size());  // reports point into it
  std::vector<Final> refused;
  long long growth = 0;  // bytes held, once encoded, minus the estimate charged at submit()
  for (auto& record : batch) {
    if (!record->encoded) {
      const std::size_t estimate = record->bytes;
      if (auto failure = encoder_->encode(*record)) {
        record->bytes = estimate;
        refused.emplace_back(std::move(record), &refusals.emplace_back(std::move(*failure)));
        continue;
      }
      growth += static_cast<long long>(record->bytes) - static_cast<long long>(estimate);
    }
    kept.push_back(std::move(record));
  }
  // The size estimate of an unencoded record is its event's: what no longer fits the request
  // once encoded waits at the front of the queue for the next batch.
  std::size_t cut = kept.size(), bytes = 0;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i > 0 && bytes + kept[i]->request_bytes > limits_.max_bytes) {
      cut = i;
      break;
    }
    bytes += kept[i]->request_bytes;
  }
  lock.lock();
  buffered_bytes_ = static_cast<std::size_t>(static_cast<long long>(buffered_bytes_) + growth);
  for (std::size_t i = kept.size(); i-- > cut;) {
    const std::size_t request_bytes = kept[i]->request_bytes;
    const auto deadline = kept[i]->deadline;
    queued_bytes_ += request_bytes;
    queue_.push_front(Queued{std::move(kept[i]), request_bytes, deadline});
  }
  lock.unlock();
  kept.resize(cut);
  report_all(refused);
  return kept;
}

void DeliveryPipeline::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    const auto now = SteadyClock::now();
    if (unreachable_batches_ > 0) {
      std::vector<RecordPtr> expired = expire_locked(now);
      if (!expired.empty()) {
        const Outcome timed_out = Outcome::failure(
            Outcome::Kind::fail, errc::timeout,
            "delivery_timeout_ms (" + std::to_string(options_.delivery_timeout.count()) +
                " ms) reached while the endpoint could not be reached (" + unreachable_message_ +
                ")");
        lock.unlock();
        std::vector<Final> finals;
        finals.reserve(expired.size());
        for (auto& r : expired)
          finals.emplace_back(std::move(r), &timed_out);
        report_all(finals);
        lock.lock();
        continue;
      }
    }
    // Paused: one probe batch at a time, once the pause is over.
    const bool paused = unreachable_batches_ > 0 && (now < paused_until_ || batches_in_flight_ > 0);
    const bool slot = !paused && batches_in_flight_ < options_.max_in_flight;
    const bool retry_due = !retries_.empty() && retries_.begin()->first <= now;
    const bool full = queue_full_locked();
    const bool lingered =
        !queue_.empty() && (flush_waiters_ > 0 || !accepting_ ||
                            now - queue_.front().record->accepted >= options_.linger);
    if (slot && (retry_due || full || lingered)) {
      Batch batch = take_batch_locked(now);
      if (!batch.empty()) {
        ++batches_in_flight_;
        ++counters_.requests;
        lock.unlock();
        if (encoder_ && std::any_of(batch.begin(), batch.end(),
                                    [](const RecordPtr& r) { return !r->encoded; })) {
          batch = encode_taken(std::move(batch), lock);
          if (batch.empty()) {  // none of them could be sent: each is reported
            lock.lock();
            --batches_in_flight_;
            --counters_.requests;
            continue;
          }
        }
        // Out of the lock: the batch is this thread's alone now. The first touch of each record
        // since it was queued, so the transport's loops find them in cache.
        const std::size_t n = batch.size();
        for (std::size_t i = 0; i < n; ++i) {
          if (i + kPrefetchAhead < n) {
            prefetch(&batch[i + kPrefetchAhead]->payload);
            prefetch(&batch[i + kPrefetchAhead]->attempts);
          }
          ++batch[i]->attempts;
        }
        send_(std::move(batch));
        lock.lock();
        continue;
      }
    }
    // Sleep until something can change the decision: a new record, a completion, a due retry or
    // the end of the oldest record's linger.
    auto wake = SteadyClock::time_point::max();
    if (paused && batches_in_flight_ == 0) {
      wake = std::min(wake, paused_until_);
      // Expired records are reported in groups, a little after the oldest one's deadline: waking
      // at each deadline in a steady stream would report a few records per wake-up. Not while
      // flush() or close() waits: bounded by delivery_timeout_ms, they must see each timeout
      // reported at its deadline (else it would be reported `closed`).
      const auto grouping =
          flush_waiters_ > 0 || !accepting_ ? std::chrono::milliseconds(0) : expiry_grouping_;
      if (!queue_.empty()) wake = std::min(wake, queue_.front().deadline + grouping);
    }
    if (slot && !retries_.empty()) wake = std::min(wake, retries_.begin()->first);
    if (slot && !queue_.empty())
      wake = std::min(wake, queue_.front().record->accepted + options_.linger);
    if (wake == SteadyClock::time_point::max()) {
      work_cv_.wait(lock);
    } else {
      work_cv_.wait_until(lock, wake);
    }
  }
}

bool DeliveryPipeline::flush(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  std::unique_lock<std::mutex> lock(mutex_);
  const std::uint64_t last = next_sequence_ - 1;
  ++flush_waiters_;
  work_cv_.notify_one();
  const bool done = done_cv_.wait_until(lock, deadline, [&] { return first_open_ > last; });
  --flush_waiters_;
  return done;
}

void DeliveryPipeline::stop_accepting() {
  std::lock_guard<std::mutex> lock(mutex_);
  accepting_ = false;
  space_cv_.notify_all();
  work_cv_.notify_all();
}

void DeliveryPipeline::shutdown() {
  std::vector<RecordPtr> leftovers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = false;
    stopping_ = true;
    for (std::size_t i = 0; i < queue_.size(); ++i)
      leftovers.push_back(std::move(queue_[i].record));
    queue_.clear();
    queued_bytes_ = 0;
    for (auto& [when, r] : retries_)
      leftovers.push_back(std::move(r));
    retries_.clear();
    space_cv_.notify_all();
    work_cv_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
  const auto now = SteadyClock::now();
  for (auto& r : leftovers) {
    // One already past its deadline timed out, whether or not the worker got to it before the
    // close (on a loaded machine it may not have, within close()'s own bound).
    const bool expired = r->deadline != SteadyClock::time_point{} && r->deadline <= now;
    std::string message = expired ? "delivery_timeout_ms (" +
                                        std::to_string(options_.delivery_timeout.count()) +
                                        " ms) reached before delivery"
                                  : std::string("closed before delivery");
    if (r->last_error != errc::ok) message += "; last error: " + r->last_message;
    auto outcome = Outcome::failure(Outcome::Kind::fail, expired ? errc::timeout : errc::closed,
                                    message, r->last_provider_code, r->last_http_status);
    report(std::move(r), outcome);
  }
}

DestinationMetrics DeliveryPipeline::metrics() const {
  std::lock_guard<std::mutex> lock(mutex_);
  DestinationMetrics m = counters_;
  m.in_flight = open_count_;
  m.buffered_bytes = buffered_bytes_;
  m.latency_p50 = latencies_.percentile(0.50);
  m.latency_p90 = latencies_.percentile(0.90);
  m.latency_p99 = latencies_.percentile(0.99);
  m.latency_max = latencies_.max();
  return m;
}

}  // namespace eventdest::detail
