#include "eventdest/destination.hpp"

#include <charconv>

#include "util/json_util.hpp"

namespace eventdest {
namespace {

// `key` then the decimal `value`, with no temporary string.
void append_number(std::string& out, const char* key, long long value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out += key;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

}  // namespace

const char* to_string(DeliveryStatus s) noexcept {
  switch (s) {
    case DeliveryStatus::delivered:
      return "delivered";
    case DeliveryStatus::failed:
      return "failed";
    case DeliveryStatus::not_matched:
      return "not_matched";
  }
  return "unknown";
}

std::string DeliveryReport::to_json() const {
  std::string out;
  append_json(out);
  return out;
}

void DeliveryReport::append_json(std::string& out) const {
  using detail::append_json_string;
  // Sized once for the usual report: built per event by the CLI, growing it step by step cost
  // several allocations each time (a JSON escape may still grow it).
  out.reserve(out.size() + 224 + event_id.size() + topic.size() + destination_id.size() +
              partition_key.size() + shard_id.size() + sequence_number.size() +
              provider_code.size() + message.size());
  out += "{\"status\":";
  append_json_string(out, eventdest::to_string(status));
  out += ",\"event_id\":";
  append_json_string(out, event_id);
  out += ",\"topic\":";
  append_json_string(out, topic);
  out += ",\"destination\":";
  append_json_string(out, destination_type);
  if (!destination_id.empty()) {
    out += ",\"destination_id\":";
    append_json_string(out, destination_id);
  }
  if (status != DeliveryStatus::not_matched) {
    out += ",\"partition_key\":";
    append_json_string(out, partition_key);
  }
  if (status == DeliveryStatus::delivered) {
    if (!shard_id.empty()) {
      out += ",\"shard_id\":";
      append_json_string(out, shard_id);
      out += ",\"sequence_number\":";
      append_json_string(out, sequence_number);
      if (sub_sequence_number >= 0) {
        append_number(out, ",\"sub_sequence_number\":", sub_sequence_number);
      }
    }
    if (partition >= 0) append_number(out, ",\"partition\":", partition);
    if (offset >= 0) append_number(out, ",\"offset\":", offset);
  } else if (status == DeliveryStatus::failed) {
    out += ",\"error\":";
    append_json_string(out, eventdest::to_string(static_cast<errc>(error.value())));
    out += ",\"retryable\":";
    out += retryable ? "true" : "false";
    if (!provider_code.empty()) {
      out += ",\"provider_code\":";
      append_json_string(out, provider_code);
    }
    if (http_status != 0) append_number(out, ",\"http_status\":", http_status);
  }
  if (!message.empty()) {
    out += ",\"message\":";
    append_json_string(out, message);
  }
  if (status != DeliveryStatus::not_matched) {
    append_number(out, ",\"attempts\":", attempts);
    if (possible_duplicate) out += ",\"possible_duplicate\":true";
    if (replayed) out += ",\"replayed\":true";
    append_number(out, ",\"latency_us\":", latency.count());
  }
  out += '}';
}

std::string DestinationMetrics::to_json() const {
  auto us = [](std::chrono::microseconds d) { return std::to_string(d.count()); };
  return "{\"published\":" + std::to_string(published) +
         ",\"delivered\":" + std::to_string(delivered) + ",\"failed\":" + std::to_string(failed) +
         ",\"not_matched\":" + std::to_string(not_matched) +
         ",\"retried\":" + std::to_string(retried) + ",\"requests\":" + std::to_string(requests) +
         ",\"in_flight\":" + std::to_string(in_flight) +
         ",\"buffered_bytes\":" + std::to_string(buffered_bytes) +
         ",\"latency_us\":{\"p50\":" + us(latency_p50) + ",\"p90\":" + us(latency_p90) +
         ",\"p99\":" + us(latency_p99) + ",\"max\":" + us(latency_max) + "}" +
         ",\"spool\":{\"events\":" + std::to_string(spooled_events) +
         ",\"bytes\":" + std::to_string(spooled_bytes) +
         ",\"replayed\":" + std::to_string(replayed) +
         ",\"fsyncs\":" + std::to_string(spool_fsyncs) +
         ",\"torn_tails\":" + std::to_string(spool_torn_tails) +
         ",\"damaged_records\":" + std::to_string(spool_damaged_records) + "}}";
}

Destination::~Destination() = default;

std::future<DeliveryReport> Destination::publish(Event event) {
  auto promise = std::make_shared<std::promise<DeliveryReport>>();
  auto future = promise->get_future();
  publish(std::move(event), [promise](const DeliveryReport& r) { promise->set_value(r); });
  return future;
}

DeliveryReport Destination::publish_and_wait(Event event) {
  return publish(std::move(event)).get();
}

}  // namespace eventdest
