// The metadata every record carries: the system keys (event-id, topic, timestamp) in wire order,
// then a destination's delivery_metadata, then the event's own.
#include "event/merged_metadata.hpp"
#include "eventdest/event.hpp"

namespace eventdest {

namespace {

// Emplaced, not from an initializer list (whose elements would be copied a second time).
void append_system_metadata(MetadataList& out, const Event& e, TimestampFormat format,
                            bool timestamp_ms) {
  out.emplace_back("event-id", e.id());
  out.emplace_back("topic", e.topic());
  out.emplace_back("timestamp", format_timestamp(e.time(), format));
  if (timestamp_ms)
    out.emplace_back("timestamp-ms", format_timestamp(e.time(), TimestampFormat::unix_ms));
}

}  // namespace

MetadataList system_metadata(const Event& e, TimestampFormat format, bool timestamp_ms) {
  MetadataList out;
  out.reserve(4);
  append_system_metadata(out, e, format, timestamp_ms);
  return out;
}

MetadataList merged_metadata(const Event& e, TimestampFormat format, const Metadata& extra,
                             bool timestamp_ms) {
  MetadataList out;
  out.reserve(4 + extra.size() + e.metadata().size());
  detail::for_each_merged_metadata(e, format, extra, timestamp_ms,
                                   [&out](std::string_view k, std::string_view v) {
                                     out.emplace_back(std::string(k), std::string(v));
                                   });
  return out;
}

}  // namespace eventdest
