// The delivery engine behind the HTTP destinations: a bounded buffer (max_buffered_bytes, block or
// fail fast), a batching worker (max records/bytes per batch, linger), a cap on batches in flight,
// retries with backoff bounded by delivery_timeout_ms, and exactly one report per accepted event.
//
// Thread-safety: submit(), flush(), complete() and metrics() may be called from any thread.
// complete() is called by the transport (usually its I/O thread) exactly once per sent batch.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "eventdest/spec.hpp"
#include "pipeline/backoff.hpp"
#include "pipeline/record.hpp"
#include "pipeline/record_pool.hpp"
#include "util/latency_histogram.hpp"
#include "util/ring_queue.hpp"

namespace eventdest::detail {

struct BatchLimits {
  std::size_t max_records = 500;
  std::size_t max_bytes = 5u << 20;
};

/// Encodes records the pipeline accepted unencoded (while paused). Called from the batching
/// thread and the reporting threads, concurrently with publishers.
class RecordEncoder {
 public:
  virtual ~RecordEncoder() = default;
  /// Partition key, payload, request_bytes and bytes, as on the publishing thread; a failure
  /// outcome if the event cannot be sent. The record's bytes are left as they were on failure.
  virtual std::optional<Outcome> encode(Record& record) = 0;
  /// The partition key alone, for the report of a record that was never encoded.
  virtual void fill_partition_key(Record& record) = 0;
};

class DeliveryPipeline {
 public:
  /// `send` transmits a non-empty batch; the transport must call complete() for it exactly once.
  /// `encoder` (outliving the pipeline) encodes records submitted unencoded; without one, every
  /// record submitted must be encoded.
  using SendFn = std::function<void(Batch)>;

  DeliveryPipeline(std::string destination_type, DeliveryOptions options, BatchLimits limits,
                   SendFn send, RecordEncoder* encoder = nullptr);
  ~DeliveryPipeline();  // calls shutdown(); the transport must be stopped before
  DeliveryPipeline(const DeliveryPipeline&) = delete;
  DeliveryPipeline& operator=(const DeliveryPipeline&) = delete;

  /// A record for `event`: a recycled one when available (its payload and key strings keep
  /// their capacity, and its memory goes back to the thread that allocates records instead of
  /// being freed on the I/O thread), else a new one.
  RecordPtr make_record(Event event, DeliveryCallback callback);
  /// As make_record, with a copy of `event` (see RecordPool::take_copy).
  RecordPtr make_record_copy(const Event& event, DeliveryCallback callback);

  /// Accepts a prepared record (partition key, payload and bytes filled in). Blocks while the
  /// buffer is full (block mode) or reports queue_full at once (fail mode); after stop_accepting()
  /// reports closed. The report is delivered through record->callback.
  /// `wait_for_room`: when the buffer is full, wait as on_queue_full block does, whatever the
  /// destination's own setting (the Router's choice for a `block` destination it alone feeds).
  void submit(RecordPtr record, bool wait_for_room = false);
  /// Reports `record` at once with `outcome` (for records that fail before entering the queue).
  void reject(RecordPtr record, const Outcome& outcome);

  /// The outcome of each record of a sent batch (same order, same size). Only read: a transport
  /// may keep its outcome vector (and the capacity of its strings) for the next response.
  void complete(Batch batch, const std::vector<Outcome>& outcomes);

  /// Waits until every record submitted before the call has its report, or the timeout.
  bool flush(std::chrono::milliseconds timeout);
  /// Stops accepting: later submits report errc::closed. Transient failures from now on are
  /// reported instead of retried.
  void stop_accepting();
  /// Fails everything still queued or waiting for a retry with errc::closed and joins the
  /// worker. Records in flight are reported when the transport calls complete() (a stopped
  /// transport completes them with a cancellation).
  void shutdown();

  /// The endpoint could not be reached by the last batch sent to it: a publisher may submit
  /// records unencoded (Record::encoded false), to be encoded only when they are sent. A record
  /// that is never sent (it expires while the endpoint stays down) then costs the publishing
  /// thread no encoding at all, which keeps a dead destination from slowing its neighbours in a
  /// Router.
  bool paused() const noexcept { return paused_.load(std::memory_order_relaxed); }
  /// Every report carries `destination_id` (see ReportLabelling); before the first submit().
  void label_reports(std::string destination_id) { destination_id_ = std::move(destination_id); }

  DestinationMetrics metrics() const;
  const DeliveryOptions& options() const { return options_; }

 private:
  void run();
  Batch take_batch_locked(SteadyClock::time_point now);
  /// Encodes the unencoded records of a batch just taken (unlocked on entry and return): those
  /// that cannot be sent are reported, those past the request size once encoded go back to the
  /// front of the queue. Returns what is left to send.
  Batch encode_taken(Batch batch, std::unique_lock<std::mutex>& lock);
  /// The queue holds at least one full batch.
  bool queue_full_locked() const {
    return queue_.size() >= limits_.max_records || queued_bytes_ >= limits_.max_bytes;
  }
  // A record with its final outcome; the outcome is owned by the caller of report_all().
  using Final = std::pair<RecordPtr, const Outcome*>;
  void report(RecordPtr record, const Outcome& outcome);
  void report_all(std::vector<Final>& finals);
  void fill_report(DeliveryReport& report, Record& record, const Outcome& outcome,
                   SteadyClock::time_point now) const;
  void finish_locked(std::uint64_t sequence, std::size_t bytes);

  const std::string type_;
  std::string destination_id_;  ///< label_reports(), before the first submit()
  const DeliveryOptions options_;
  const BatchLimits limits_;
  /// How long past the oldest record's deadline expiry waits while paused, so that expired
  /// records are reported in groups (a 50th of delivery_timeout_ms, 1 to 20 ms).
  const std::chrono::milliseconds expiry_grouping_;
  const Backoff backoff_;
  SendFn send_;
  RecordEncoder* const encoder_;
  std::atomic<bool> paused_{false};  // mirrors unreachable_batches_ > 0, read without the lock

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;   // the worker: new records, retries due, slots, stop
  std::condition_variable space_cv_;  // blocked publishers: buffer space
  std::condition_variable done_cv_;   // flush(): reports
  // Accepted, never sent. What the batching and expiry decisions read is kept next to the
  // pointer: with a deep queue the records themselves are long out of cache, and reading each one
  // while holding mutex_ would stall publishers behind a cache miss per record (an endpoint that
  // stays down expires every record it holds).
  struct Queued {
    RecordPtr record;
    std::size_t request_bytes;
    SteadyClock::time_point deadline;
  };
  RingQueue<Queued> queue_;
  std::multimap<SteadyClock::time_point, RecordPtr> retries_;  // by not_before
  // Which accepted records still lack a report: done_[i] is sequence first_open_ + i. Reports
  // arrive out of order; the front is popped while done, so first_open_ is the oldest open
  // sequence (what flush() waits on) without a node allocation per record.
  RingQueue<bool> done_;
  std::uint64_t first_open_ = 1;
  std::size_t open_count_ = 0;
  std::uint64_t next_sequence_ = 1;
  std::size_t buffered_bytes_ = 0;
  std::size_t queued_bytes_ = 0;  // bytes in queue_ (for "batch full" decisions)
  int batches_in_flight_ = 0;
  // An endpoint that cannot be reached (every record of the last batch `unreachable`): nothing
  // is sent until `paused_until_`, then one batch at a time probes it; meanwhile records past
  // their deadline are failed by the worker. Spares the CPU of building, signing and failing
  // batch after batch while a destination is down (its neighbours in a Router keep it).
  int unreachable_batches_ = 0;
  SteadyClock::time_point paused_until_{};
  std::string unreachable_message_;
  /// While paused: the records past their deadline, removed from the queue and retries.
  std::vector<RecordPtr> expire_locked(SteadyClock::time_point now);
  int flush_waiters_ = 0;  // while > 0, linger is skipped
  bool accepting_ = true;
  bool stopping_ = false;
  DestinationMetrics counters_;
  LatencyHistogram latencies_;
  std::thread worker_;

  // Room for what the batching thread reports at once: full batches completing together, and
  // the records that expire together while the endpoint is down (one group per
  // expiry_grouping_: 5,000 at 1M events/s and 5 ms). What does not fit is freed on that thread
  // and allocated again by the publishing one: at a million events a second, glibc's malloc
  // cost a dead destination as much as the rest of its work. See record_pool_bytes().
  RecordPool pool_;
};

}  // namespace eventdest::detail
