// Parsers for REST Proxy v3 produce responses: the streamed per-record reports of
// `/records` (concatenated JSON objects, each followed by CRLF) and the 207 body of
// `/records:batch`. They never throw: bad input yields error outcomes.
#pragma once

#include <string_view>
#include <vector>

#include "pipeline/record.hpp"

namespace eventdest::detail {

/// Outcomes for the reports found in `body`, in order. Stops at the first incomplete or invalid
/// report (a cut connection leaves a partial one); `complete` tells whether the whole body parsed.
/// `expected`: how many reports the caller awaits (room is reserved for them).
std::vector<Outcome> parse_stream_reports(std::string_view body, int http_status, bool& complete,
                                          std::size_t expected = 0);

/// Outcomes for `count` batch entries whose ids are "0".."count-1". Entries missing from the
/// response get an internal error outcome (never silently delivered).
std::vector<Outcome> parse_batch_response(std::string_view body, std::size_t count,
                                          int http_status);

}  // namespace eventdest::detail
