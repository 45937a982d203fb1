// The destination interface shared by aws_kinesis, kafka_rest and kafka, and the delivery report.
//
// Thread-safety: every Destination method may be called from any thread concurrently.
// Callbacks run on a library thread (or, for reports decided at once such as queue_full or
// topic_not_matched, on the publishing thread); they must not block for long and must not call
// flush() or close() on the same destination.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <system_error>

#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "eventdest/export.hpp"

namespace eventdest {

enum class DeliveryStatus {
  delivered,   ///< acknowledged by the destination
  failed,      ///< definitively not delivered (see error/retryable/message)
  not_matched  ///< the event's topic is not one of the destination's topics: not published
};
EVENTDEST_API const char* to_string(DeliveryStatus s) noexcept;

/// Exactly one per accepted event.
struct EVENTDEST_API DeliveryReport {
  DeliveryStatus status = DeliveryStatus::failed;
  std::string event_id;
  std::string topic;
  std::string destination_type;
  /// Reports from a Router: the destination's `id` (else its index in the router).
  std::string destination_id;
  std::string partition_key;

  // Failure details (status == failed).
  std::error_code error;      ///< category eventdest::error_category()
  bool retryable = false;     ///< the last failure was transient (retries ran out of time)
  std::string provider_code;  ///< e.g. "ProvisionedThroughputExceededException", "40101"
  int http_status = 0;        ///< last HTTP status for HTTP destinations (0 if none)
  std::string message;        ///< human-readable, never contains secrets

  // Success details.
  std::string shard_id;         ///< Kinesis
  std::string sequence_number;  ///< Kinesis
  /// Kinesis with aggregation: the event's index in the aggregated record that carried it (-1:
  /// sent as a record of its own). KCL and the deaggregation libraries give it as well.
  std::int64_t sub_sequence_number = -1;
  std::int32_t partition = -1;  ///< Kafka
  std::int64_t offset = -1;     ///< Kafka

  int attempts = 0;  ///< send attempts made (0 if never sent)
  /// An attempt may have been written without confirmation (reset after sending, timeout, a
  /// request re-sent on a new connection): a delivered event may be stored twice, a failed one
  /// may be stored anyway.
  bool possible_duplicate = false;
  /// Sent again from the destination's spool after a restart (see SpoolOptions): the previous
  /// run may have delivered it too, so possible_duplicate is set as well.
  bool replayed = false;
  std::chrono::microseconds latency{0};  ///< publish() to report

  bool delivered() const noexcept { return status == DeliveryStatus::delivered; }
  /// One line of compact JSON (the CLI's output format).
  std::string to_json() const;
  /// Appends to_json()'s text to `out` (reusing its buffer: a report per event adds up).
  void append_json(std::string& out) const;
};

using DeliveryCallback = std::function<void(const DeliveryReport&)>;

/// A snapshot of a destination's counters (since creation) and report latencies.
struct EVENTDEST_API DestinationMetrics {
  std::uint64_t published = 0;  ///< publish() calls, whatever their outcome
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;
  std::uint64_t not_matched = 0;  ///< events whose topic the destination does not take
  std::uint64_t retried = 0;      ///< record attempts retried after a transient failure
  std::uint64_t requests = 0;     ///< requests (HTTP) or produce batches sent
  std::size_t in_flight = 0;      ///< accepted events without a report yet
  std::size_t buffered_bytes = 0;
  /// publish() to report, over delivered and failed events.
  std::chrono::microseconds latency_p50{0};
  std::chrono::microseconds latency_p90{0};
  std::chrono::microseconds latency_p99{0};
  std::chrono::microseconds latency_max{0};

  /// With a spool (zero otherwise): events written and not yet released, their bytes on disk,
  /// events replayed from a previous run, fsyncs made, torn tails cut off and damaged records
  /// skipped when the spool was opened.
  std::uint64_t spooled_events = 0;
  std::uint64_t spooled_bytes = 0;
  std::uint64_t replayed = 0;
  std::uint64_t spool_fsyncs = 0;
  std::uint64_t spool_torn_tails = 0;
  std::uint64_t spool_damaged_records = 0;

  /// One line of compact JSON.
  std::string to_json() const;
};

class EVENTDEST_API Destination {
 public:
  virtual ~Destination();
  Destination(const Destination&) = delete;
  Destination& operator=(const Destination&) = delete;

  /// Queues `event` and returns at once (or blocks while the buffer is full, if configured so).
  /// `callback` is called exactly once with the outcome.
  virtual void publish(Event event, DeliveryCallback callback) = 0;
  /// As above, with the report delivered through a future.
  std::future<DeliveryReport> publish(Event event);
  /// Publishes and waits for the report.
  DeliveryReport publish_and_wait(Event event);

  /// Waits until every event published before the call has its report, or `timeout` passes.
  /// Returns true when nothing published before the call is still outstanding.
  virtual bool flush(std::chrono::milliseconds timeout) = 0;
  /// Flushes (bounded by the destination's delivery timeout), then stops the destination's
  /// threads. Events that still have no report get a failed report (errc::closed). Later
  /// publishes fail with errc::closed. Idempotent.
  /// Destroying a destination without close() does not wait: whatever has no report yet is
  /// reported at once as errc::closed.
  virtual void close() = 0;
  /// As close(), with the flush bounded by `timeout` instead of the delivery timeout (a service
  /// manager's stop deadline): what has no report by then is reported failed (errc::closed) before
  /// this returns. close(0ms) reports everything pending at once. The default implementation,
  /// for destinations written without it, is flush(timeout) then close().
  virtual void close(std::chrono::milliseconds timeout) {
    flush(timeout);
    close();
  }

  /// With a spool: publishes the events a previous run left in it, before anything else, each
  /// reported to `callback` with `replayed` and `possible_duplicate` set; returns how many. It
  /// runs once: at this call, or at the first publish(), flush() or close() (whose replayed
  /// reports then go to the log: a warning per failed event). Without a spool: 0.
  virtual std::size_t replay(DeliveryCallback callback) {
    (void)callback;
    return 0;
  }

  /// Counters and latency percentiles so far.
  virtual DestinationMetrics metrics() const = 0;

  /// "aws_kinesis", "kafka_rest" or "kafka".
  virtual const std::string& type() const noexcept = 0;
  /// A one-line description without secrets, e.g. "aws_kinesis(stream=orders, region=...)".
  virtual std::string to_string() const = 0;

 protected:
  Destination() = default;
};

}  // namespace eventdest
