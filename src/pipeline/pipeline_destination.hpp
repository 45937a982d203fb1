// The common shape of the HTTP destinations: topic matching, per-event preparation on the
// publishing thread (deferred while the endpoint is unreachable), the DeliveryPipeline, and the
// close() sequence.
//
// A subclass provides prepare() (partition key, encoded payload, size checks) and send()
// (transmit a batch, then call pipeline().complete()), and stop_transport() (cancel in-flight
// requests so their completions arrive). Subclasses must call close() in their destructor, before
// their own members go away (close_now(): a destructor does not wait to flush).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eventdest/destination.hpp"
#include "eventdest/partition_key.hpp"
#include "pipeline/delivery_pipeline.hpp"
#include "spec/event_selector.hpp"
#include "spec/report_hook.hpp"
#include "spec/report_labelling.hpp"

namespace eventdest::detail {

class PipelineDestination : public Destination,
                            public ReportLabelling,
                            public HookedPublishing,
                            private RecordEncoder {
 public:
  void publish(Event event, DeliveryCallback callback) override;
  void publish_copy(const Event& event, DeliveryCallback callback) override;
  void publish(Event event, DeliveryCallback callback, ReportHook& hook,
               bool wait_for_room) override;
  using Destination::publish;
  bool flush(std::chrono::milliseconds timeout) override;
  void close() override;
  void close(std::chrono::milliseconds timeout) override;
  /// What destructors call: like close(), without waiting to flush (the user did not ask for
  /// it): everything not yet reported is reported at once as errc::closed.
  void close_now();
  const std::string& type() const noexcept override { return type_; }
  void label_reports(const std::string& destination_id) override;

  DestinationMetrics metrics() const override;

 protected:
  PipelineDestination(std::string type, std::vector<std::string> topics,
                      std::optional<Filter> filter, DeliveryOptions options, BatchLimits limits);

  /// Fills record.partition_key, record.payload and (if it differs from the payload size)
  /// record.request_bytes; returns a failure outcome if the event cannot be sent (too large, bad
  /// key). Runs on the publishing thread, or on the batching thread for a record accepted while
  /// the endpoint could not be reached (DeliveryPipeline::paused()), concurrently with other
  /// calls. Afterwards the event's data and metadata are dropped: send() works from the payload
  /// alone.
  virtual std::optional<Outcome> prepare(Record& record) = 0;
  /// The template prepare() computes partition keys with: the key of an event that was never
  /// encoded (reported while its endpoint stayed down) comes from it too.
  virtual const PartitionKeyTemplate& key_template() const = 0;
  /// Sends a batch; must lead to exactly one pipeline().complete() call for it.
  virtual void send(Batch batch) = 0;
  /// Cancels in-flight requests (their completions must still arrive) and stops the transport.
  virtual void stop_transport() = 0;

  /// The Request::timeout for sending `batch` now: request_timeout_ms, cut to the earliest
  /// delivery deadline of its records still ahead, so that a server holding a request cannot keep
  /// a record past its deadline (the request times out, and the record is reported `timeout`,
  /// possibly written). Records already past their deadline (a queue longer than the deadline)
  /// do not cut it: they would only doom the request for the others.
  std::chrono::milliseconds request_timeout(const Batch& batch) const;

  DeliveryPipeline& pipeline() { return *pipeline_; }
  const DeliveryOptions& options() const { return options_; }
  const std::vector<std::string>& topics() const { return selector_.topics(); }

 private:
  /// `movable`: `event` itself, when the record may take it over; null to copy it.
  void publish_with(const Event& event, Event* movable, DeliveryCallback callback, ReportHook* hook,
                    bool wait_for_room);
  // RecordEncoder: prepare() plus the checks and clean-up around it.
  std::optional<Outcome> encode(Record& record) override;
  void fill_partition_key(Record& record) override;
  void stop(std::chrono::milliseconds flush_timeout);

  const std::string type_;
  std::string report_destination_id_;  ///< label_reports(), before the first publish
  const EventSelector selector_;
  const DeliveryOptions options_;
  std::unique_ptr<DeliveryPipeline> pipeline_;
  std::atomic<std::uint64_t> not_matched_{0};
  std::mutex close_mutex_;
  bool closed_ = false;
};

}  // namespace eventdest::detail
