#include "pipeline/pipeline_destination.hpp"

#include <algorithm>

#include "event/event_text.hpp"

namespace eventdest::detail {

PipelineDestination::PipelineDestination(std::string type, std::vector<std::string> topics,
                                         std::optional<Filter> filter, DeliveryOptions options,
                                         BatchLimits limits)
    : type_(std::move(type)),
      selector_(std::move(topics), std::move(filter), options.disabled_at),
      options_(options) {
  pipeline_ = std::make_unique<DeliveryPipeline>(
      type_, options_, limits, [this](Batch batch) { send(std::move(batch)); },
      static_cast<RecordEncoder*>(this));
}

void PipelineDestination::label_reports(const std::string& destination_id) {
  report_destination_id_ = destination_id;
  pipeline_->label_reports(destination_id);
}

void PipelineDestination::publish(Event event, DeliveryCallback callback) {
  publish_with(event, &event, std::move(callback), nullptr, false);
}

void PipelineDestination::publish_copy(const Event& event, DeliveryCallback callback) {
  publish_with(event, nullptr, std::move(callback), nullptr, false);
}

void PipelineDestination::publish(Event event, DeliveryCallback callback, ReportHook& hook,
                                  bool wait_for_room) {
  publish_with(event, &event, std::move(callback), &hook, wait_for_room);
}

void PipelineDestination::publish_with(const Event& event, Event* movable,
                                       DeliveryCallback callback, ReportHook* hook,
                                       bool wait_for_room) {
  if (auto reason = selector_.rejection(event)) {
    ++not_matched_;
    DeliveryReport r;
    r.status = DeliveryStatus::not_matched;
    r.event_id = event.id();
    r.topic = event.topic();
    r.destination_type = type_;
    r.destination_id = report_destination_id_;
    r.message = std::move(*reason);
    if (hook) {
      hook->report(r, callback);
    } else if (callback) {
      callback(r);
    }
    return;
  }
  auto record = movable != nullptr
                    ? pipeline_->make_record(std::move(*movable), std::move(callback))
                    : pipeline_->make_record_copy(event, std::move(callback));
  record->hook = hook;
  if (pipeline_->paused()) {
    // Held as it is until it is sent: an endpoint that stays down never costs its encoding.
    record->encoded = false;
    record->bytes = record->event.approximate_size();
    record->request_bytes = record->bytes;  // an estimate, until it is encoded
    pipeline_->submit(std::move(record), wait_for_room);
    return;
  }
  if (auto failure = encode(*record)) {
    record->accepted = SteadyClock::now();
    pipeline_->reject(std::move(record), *failure);
    return;
  }
  pipeline_->submit(std::move(record), wait_for_room);
}

std::optional<Outcome> PipelineDestination::encode(Record& record) {
  std::optional<Outcome> failure;
  try {
    // Events built in code are checked here (from_json already refused such input): one with
    // an id, topic or metadata that cannot be sent fails alone instead of poisoning a batch.
    if (auto problem = event_text_problem(record.event)) {
      failure = Outcome::failure(Outcome::Kind::fail, errc::invalid_event,
                                 problem->field + ": " + problem->problem);
    } else {
      failure = prepare(record);
    }
  } catch (const std::exception& e) {
    failure = Outcome::failure(Outcome::Kind::fail, errc::invalid_event, e.what());
  }
  if (failure) return failure;
  // Only the encoded payload is sent from here on: the event keeps its id and topic (for the
  // report) and drops its data and metadata, so a buffered event holds one copy of its bytes.
  record.event.set_data("null");
  record.event.metadata().clear();
  record.bytes = record.payload.size() + record.event.approximate_size();
  record.encoded = true;
  return std::nullopt;
}

void PipelineDestination::fill_partition_key(Record& record) {
  const PartitionKeyTemplate& keys = key_template();
  MetadataList metadata;
  if (keys.reads_metadata()) {
    metadata = merged_metadata(record.event, options_.timestamp_format, options_.delivery_metadata,
                               options_.timestamp_ms);
  }
  record.partition_key = keys.key(record.event, metadata);
}

std::chrono::milliseconds PipelineDestination::request_timeout(const Batch& batch) const {
  const auto now = SteadyClock::now();
  auto earliest = SteadyClock::time_point::max();
  for (const auto& record : batch) {
    if (record->deadline > now) earliest = std::min(earliest, record->deadline);
  }
  if (earliest == SteadyClock::time_point::max()) return options_.request_timeout;
  // Rounded up: a timeout that fires just before the deadline would leave time for a retry.
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(earliest - now);
  return std::min(options_.request_timeout, left);
}

DestinationMetrics PipelineDestination::metrics() const {
  DestinationMetrics m = pipeline_->metrics();
  m.not_matched = not_matched_.load();
  m.published += m.not_matched;
  return m;
}

bool PipelineDestination::flush(std::chrono::milliseconds timeout) {
  return pipeline_->flush(timeout);
}

void PipelineDestination::close() {
  stop(options_.delivery_timeout);
}

void PipelineDestination::close(std::chrono::milliseconds timeout) {
  stop(timeout);
}

void PipelineDestination::close_now() {
  stop(std::chrono::milliseconds(0));
}

void PipelineDestination::stop(std::chrono::milliseconds flush_timeout) {
  std::lock_guard<std::mutex> lock(close_mutex_);
  if (closed_) return;
  closed_ = true;
  pipeline_->stop_accepting();
  if (flush_timeout.count() > 0) pipeline_->flush(flush_timeout);
  // Fail what is queued or waiting for a retry first, so the transport has nothing new to send,
  // then cancel what is in flight: its completions report the rest.
  pipeline_->shutdown();
  stop_transport();
}

}  // namespace eventdest::detail
