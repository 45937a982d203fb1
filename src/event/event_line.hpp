// The common input line, read without a DOM: `{"id"?, "topic", "time"?, "metadata"?, "data"}`
// with keys, id/topic/time strings and metadata (string values only, at most 16 pairs, no
// duplicate key) free of escapes, and data made of plain JSON (util/json_check.hpp's
// grammar: no exponent, at most 15 integer digits; no \u escapes; nesting under 64 levels).
// Anything else is left to the full reader (Event::from_json's RapidJSON path), which also words
// every error: this reader only ever accepts what that one accepts, with the same result
// (fuzz_event checks both agree).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace eventdest::detail {

struct EventLine {
  std::optional<std::string_view> id;
  std::string_view topic;
  std::optional<std::string_view> time;  ///< the RFC 3339 text
  std::string_view data;                 ///< the value's exact bytes
  /// The metadata's pairs, in the line's order (an empty object or none: no pairs).
  static constexpr std::size_t kMaxMetadata = 16;
  std::pair<std::string_view, std::string_view> metadata[kMaxMetadata];
  std::size_t metadata_count = 0;
};

/// True (and `out` filled, pointing into `line`) when `line` is such a line and valid; false when
/// the full reader must decide (it may still be valid).
bool read_plain_event_line(std::string_view line, EventLine& out);

}  // namespace eventdest::detail
