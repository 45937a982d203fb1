// The common input line, read without a DOM: `{"id"?, "topic", "time"?, "data"}` with keys and
// id/topic/time strings free of escapes, and data made of plain JSON (util/json_check.hpp's
// grammar: no exponent, at most 15 integer digits; no \u escapes; nesting under 64 levels). Anything else is left to the full
// reader (Event::from_json's RapidJSON path), which also words every error: this reader only
// ever accepts what that one accepts, with the same result (fuzz_event checks both agree).
#pragma once

#include <optional>
#include <string_view>

namespace eventdest::detail {

struct EventLine {
  std::optional<std::string_view> id;
  std::string_view topic;
  std::optional<std::string_view> time;  ///< the RFC 3339 text
  std::string_view data;                 ///< the value's exact bytes
};

/// True (and `out` filled, pointing into `line`) when `line` is such a line and valid; false when
/// the full reader must decide (it may still be valid).
bool read_plain_event_line(std::string_view line, EventLine& out);

}  // namespace eventdest::detail
