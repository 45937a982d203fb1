// The event model shared by every destination.
//
// Thread-safety: an Event is a value type. Distinct Event objects may be used from different
// threads freely; a const Event (including its lazily parsed data) may be read from many threads
// at once. Copies share the immutable data buffer.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventdest/export.hpp"

namespace eventdest {

namespace detail {
struct EventInternals;
}

/// User metadata as given (string to string).
using Metadata = std::map<std::string, std::string>;
/// Metadata in wire order: `event-id`, `topic`, `timestamp`, then the other keys.
using MetadataList = std::vector<std::pair<std::string, std::string>>;
using Clock = std::chrono::system_clock;

/// How the system `timestamp` metadata is rendered.
enum class TimestampFormat {
  unix_seconds,  ///< "1704067200" (the default, as Hookdeck Outpost)
  unix_ms,       ///< "1704067200000"
  rfc3339,       ///< "2024-01-01T00:00:00Z": whole seconds, as Outpost writes it
  rfc3339_ms     ///< "2024-01-01T00:00:00.123Z": always three fraction digits
};

class EVENTDEST_API Event {
 public:
  /// An event with a generated id, time now, no metadata and `null` data.
  Event();
  /// An event for `topic` with `data_json` (validated JSON text, kept byte for byte).
  /// Throws EventError on an empty topic or invalid JSON: not JSON, nested more than 512 arrays
  /// or objects deep, a string that is not valid Unicode (e.g. a lone surrogate "\udc00"), or a
  /// NUL byte.
  Event(std::string topic, std::string data_json);

  /// Parses one input line: `{"id"?, "topic", "time"?, "metadata"?, "data"}`.
  /// `time` is an RFC 3339 string or unix seconds (a JSON number). The raw text of `data` is kept
  /// exactly as given. Throws EventError listing every problem; besides missing or mistyped
  /// fields: nesting deeper than 512 levels (the line's object counts as one), strings that are
  /// not valid Unicode anywhere, U+0000 in `id`, `topic` or metadata, a NUL byte in the line,
  /// duplicate fields or metadata keys.
  static Event from_json(std::string_view json);

  const std::string& id() const noexcept { return id_; }
  /// Sets the id; an empty id generates a new one. An id, topic or metadata that is not valid
  /// UTF-8 or holds U+0000 is not refused here: publish() reports such an event invalid_event.
  Event& set_id(std::string id);
  const std::string& topic() const noexcept { return topic_; }
  Event& set_topic(std::string topic);
  Clock::time_point time() const noexcept { return time_; }
  Event& set_time(Clock::time_point t) noexcept;
  const Metadata& metadata() const noexcept { return metadata_; }
  Metadata& metadata() noexcept { return metadata_; }
  Event& set_metadata(Metadata m);

  /// The data as the publisher's JSON text (exact bytes).
  std::string_view data() const noexcept;
  /// Replaces the data; throws EventError if `json` is not valid JSON.
  Event& set_data(std::string json);
  // The data as a RapidJSON DOM: data_document(event) in the opt-in eventdest/json_dom.hpp.

  /// Approximate memory held by this event, used for max_buffered_bytes accounting.
  std::size_t approximate_size() const noexcept;

  /// `{"id","topic","time","metadata","data"}` with the raw data spliced in.
  std::string to_json() const;

  struct Data;  ///< implementation detail: the shared, immutable data buffer

 private:
  // The delivery pipeline lends the id to a report; json_dom.hpp reads the data buffer.
  friend struct detail::EventInternals;
  struct Unset {};
  /// Nothing set (no id generated, no clock read, no data): for the readers, which set it all.
  explicit Event(Unset) noexcept {}

  std::string id_;
  std::string topic_;
  Clock::time_point time_;
  Metadata metadata_;
  std::shared_ptr<const Data> data_;
};

/// A new unique, time-ordered event id (UUIDv7, lowercase hex with dashes).
EVENTDEST_API std::string generate_event_id();

/// Formats `t` as the `timestamp` metadata value.
EVENTDEST_API std::string format_timestamp(Clock::time_point t, TimestampFormat format);
/// RFC 3339 in UTC with milliseconds only when `t` is not a whole second: the event's `time` as
/// to_json() and filters show it.
EVENTDEST_API std::string format_rfc3339(Clock::time_point t);
/// Parses RFC 3339 (`2024-01-01T00:00:00Z`, fractions and offsets allowed). False if invalid.
EVENTDEST_API bool parse_rfc3339(std::string_view text, Clock::time_point& out);

/// `event-id`, `topic` and `timestamp` for `e`, in that order; with `timestamp_ms` also
/// Outpost's optional `timestamp-ms` (unix milliseconds, whatever the format) after them.
EVENTDEST_API MetadataList system_metadata(const Event& e,
                                           TimestampFormat format = TimestampFormat::unix_seconds,
                                           bool timestamp_ms = false);
/// System metadata, then `extra` (a destination's delivery_metadata), then the event's own
/// metadata merged over it: later values win on equal keys, and a key keeps the position where it
/// first appeared (so the system keys always come first, in wire order).
EVENTDEST_API MetadataList merged_metadata(const Event& e,
                                           TimestampFormat format = TimestampFormat::unix_seconds,
                                           const Metadata& extra = {}, bool timestamp_ms = false);

}  // namespace eventdest
