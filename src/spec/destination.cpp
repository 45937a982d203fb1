#include "eventdest/destination.hpp"

#include <cassert>
#include <charconv>
#include <cstring>
#include <string_view>

#include "util/json_util.hpp"

namespace eventdest {
namespace {

// A report's JSON line is sized first and then written with plain copies into memory reserved
// once: appended piece by piece, each piece cost a capacity check (and a strlen per literal) on
// the CLI's reporting thread, for every event. report_fields() gives both passes the same pieces.

/// The first pass: the line's length, and each string's JSON length for the second.
class LineSizer {
 public:
  void text(std::string_view t) { size_ += t.size(); }
  void string(std::string_view s) {
    const std::size_t n = detail::json_string_size(s);
    string_sizes_[strings_++] = n;
    size_ += n;
  }
  void number(long long v) {
    char digits[24];
    size_ +=
        static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, v).ptr - digits);
  }
  std::size_t size() const { return size_; }
  const std::size_t* string_sizes() const { return string_sizes_; }

  static constexpr std::size_t kMaxStrings = 16;  ///< report_fields() writes at most 10

 private:
  std::size_t size_ = 0;
  std::size_t strings_ = 0;
  std::size_t string_sizes_[kMaxStrings];
};

/// The second pass, into the bytes the first one measured.
class LineWriter {
 public:
  LineWriter(char* at, const std::size_t* string_sizes) : p_(at), string_sizes_(string_sizes) {}
  void text(std::string_view t) {
    std::memcpy(p_, t.data(), t.size());
    p_ += t.size();
  }
  void string(std::string_view s) { p_ = detail::write_json_string(p_, s, *string_sizes_++); }
  void number(long long v) { p_ = std::to_chars(p_, p_ + 24, v).ptr; }
  const char* end() const { return p_; }

 private:
  char* p_;
  const std::size_t* string_sizes_;
};

template <class Sink>
void report_fields(const DeliveryReport& r, Sink& out) {
  using namespace std::string_view_literals;
  out.text("{\"status\":"sv);
  out.string(to_string(r.status));
  out.text(",\"event_id\":"sv);
  out.string(r.event_id);
  out.text(",\"topic\":"sv);
  out.string(r.topic);
  out.text(",\"destination\":"sv);
  out.string(r.destination_type);
  if (!r.destination_id.empty()) {
    out.text(",\"destination_id\":"sv);
    out.string(r.destination_id);
  }
  if (r.status != DeliveryStatus::not_matched) {
    out.text(",\"partition_key\":"sv);
    out.string(r.partition_key);
  }
  if (r.status == DeliveryStatus::delivered) {
    if (!r.shard_id.empty()) {
      out.text(",\"shard_id\":"sv);
      out.string(r.shard_id);
      out.text(",\"sequence_number\":"sv);
      out.string(r.sequence_number);
      if (r.sub_sequence_number >= 0) {
        out.text(",\"sub_sequence_number\":"sv);
        out.number(r.sub_sequence_number);
      }
    }
    if (r.partition >= 0) {
      out.text(",\"partition\":"sv);
      out.number(r.partition);
    }
    if (r.offset >= 0) {
      out.text(",\"offset\":"sv);
      out.number(r.offset);
    }
  } else if (r.status == DeliveryStatus::failed) {
    out.text(",\"error\":"sv);
    out.string(to_string(static_cast<errc>(r.error.value())));
    out.text(r.retryable ? ",\"retryable\":true"sv : ",\"retryable\":false"sv);
    if (!r.provider_code.empty()) {
      out.text(",\"provider_code\":"sv);
      out.string(r.provider_code);
    }
    if (r.http_status != 0) {
      out.text(",\"http_status\":"sv);
      out.number(r.http_status);
    }
  }
  if (!r.message.empty()) {
    out.text(",\"message\":"sv);
    out.string(r.message);
  }
  if (r.status != DeliveryStatus::not_matched) {
    out.text(",\"attempts\":"sv);
    out.number(r.attempts);
    if (r.possible_duplicate) out.text(",\"possible_duplicate\":true"sv);
    if (r.replayed) out.text(",\"replayed\":true"sv);
    out.text(",\"latency_us\":"sv);
    out.number(r.latency.count());
  }
  out.text("}"sv);
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
  LineSizer sizer;
  report_fields(*this, sizer);
  const std::size_t at = out.size();
  // One byte of room past the line: a writer of report lines adds its newline next, which
  // would otherwise reallocate (and copy) the string the line was just sized into.
  out.reserve(at + sizer.size() + 1);
  out.resize(at + sizer.size());
  LineWriter writer(out.data() + at, sizer.string_sizes());
  report_fields(*this, writer);
  assert(writer.end() == out.data() + out.size());
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
