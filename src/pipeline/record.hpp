// What the delivery pipeline carries for one event, and the outcome of one attempt to send it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "event/event_internals.hpp"
#include "eventdest/destination.hpp"
#include "eventdest/event.hpp"
#include "spec/report_hook.hpp"

namespace eventdest::detail {

using SteadyClock = std::chrono::steady_clock;

struct Record {
  Record() = default;
  // Built around the published event: a default Event would generate an id only to be replaced.
  Record(Event e, DeliveryCallback cb) : event(std::move(e)), callback(std::move(cb)) {}

  /// Back to a record that has never been sent, for reuse: the callback is released and every
  /// field reset, while the strings keep their capacity. The event stays: the caller replaces it
  /// next (a fresh Event would generate an id only to be overwritten).
  void clear_for_reuse() {
    callback = nullptr;
    hook = nullptr;
    partition_key.clear();
    explicit_hash_key.clear();
    payload.clear();
    bytes = request_bytes = 0;
    sequence = 0;
    attempts = 0;
    maybe_sent = false;
    encoded = true;
    accepted = deadline = not_before = SteadyClock::time_point{};
    last_error = errc::ok;
    last_provider_code.clear();
    last_http_status = 0;
    last_message.clear();
  }

  Event event;
  DeliveryCallback callback;
  ReportHook* hook = nullptr;  ///< given the report in the callback's place (the Router's route)
  std::string partition_key;
  std::string explicit_hash_key;  ///< Kinesis: the record's ExplicitHashKey (decimal), if any
  std::string payload;            ///< the destination's encoded form (e.g. one PutRecords entry)
  std::size_t bytes = 0;  ///< memory held, counted against max_buffered_bytes until reported
  std::size_t request_bytes = 0;  ///< what counts against the provider's request size limit
  std::uint64_t sequence = 0;
  int attempts = 0;
  bool maybe_sent = false;  ///< an earlier attempt may have been written (duplicate risk)
  /// False for a record accepted while its endpoint could not be reached: it keeps its event's
  /// data and is encoded by the batching thread when it is about to be sent (see
  /// DeliveryPipeline::paused()).
  bool encoded = true;
  SteadyClock::time_point accepted;
  SteadyClock::time_point deadline;    ///< accepted + delivery_timeout
  SteadyClock::time_point not_before;  ///< earliest next attempt (backoff)
  // The last transient failure, reported if the deadline passes before a success.
  errc last_error = errc::ok;
  std::string last_provider_code;
  int last_http_status = 0;
  std::string last_message;
};

/// The result of one attempt for one record.
struct Outcome {
  /// defer: not sent, to be sent again after `retry_after` without counting an attempt (a
  /// transport pacing itself, e.g. Kinesis' shard_rate_limit).
  enum class Kind { delivered, retry, fail, defer };
  Kind kind = Kind::fail;
  std::chrono::milliseconds retry_after{0};  ///< defer
  errc error = errc::ok;
  std::string provider_code;
  int http_status = 0;
  std::string message;
  bool maybe_sent = false;  ///< for retry/fail: this attempt may have been written
  /// The endpoint could not be reached at all (connection refused, no such host): nothing was
  /// sent. A batch failing only so pauses the pipeline (see DeliveryPipeline).
  bool unreachable = false;
  // delivered
  std::string shard_id;
  std::string sequence_number;
  std::int64_t sub_sequence_number = -1;  ///< Kinesis: the index in an aggregated record
  std::int32_t partition = -1;
  std::int64_t offset = -1;

  static Outcome deferred(std::chrono::milliseconds wait, std::string why) {
    Outcome o;
    o.kind = Kind::defer;
    o.retry_after = wait;
    o.message = std::move(why);
    return o;
  }
  static Outcome delivered_ok() {
    Outcome o;
    o.kind = Kind::delivered;
    return o;
  }
  /// Makes this a delivery with the given ids, in place: a transport that keeps its outcome
  /// vector from response to response reuses the strings' capacity instead of building and
  /// moving a fresh Outcome per record.
  void set_delivered(std::string_view shard, std::string_view sequence) {
    kind = Kind::delivered;
    error = errc::ok;
    provider_code.clear();
    http_status = 0;
    message.clear();
    maybe_sent = false;
    unreachable = false;
    shard_id.assign(shard.data(), shard.size());
    sequence_number.assign(sequence.data(), sequence.size());
    sub_sequence_number = -1;
    partition = -1;
    offset = -1;
  }
  static Outcome failure(Kind kind, errc error, std::string message, std::string provider_code = {},
                         int http_status = 0, bool maybe_sent = false) {
    Outcome o;
    o.kind = kind;
    o.error = error;
    o.message = std::move(message);
    o.provider_code = std::move(provider_code);
    o.http_status = http_status;
    o.maybe_sent = maybe_sent;
    return o;
  }
  /// Retry when the error kind is transient, fail otherwise.
  static Outcome classify(errc error, std::string message, std::string provider_code = {},
                          int http_status = 0, bool maybe_sent = false) {
    return failure(is_retryable(error) ? Kind::retry : Kind::fail, error, std::move(message),
                   std::move(provider_code), http_status, maybe_sent);
  }
};

using RecordPtr = std::unique_ptr<Record>;
using Batch = std::vector<RecordPtr>;

}  // namespace eventdest::detail
