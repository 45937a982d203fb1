// RFC 3339 text of a time point, appended to a buffer: what format_timestamp() and
// format_rfc3339() return, for writers that build a line in place (the spool's records).
#pragma once

#include <string>

#include "eventdest/event.hpp"

namespace eventdest::detail {

/// "2024-01-01T00:00:00Z", or with `with_ms` "2024-01-01T00:00:00.123Z".
void append_rfc3339(std::string& out, Clock::time_point t, bool with_ms);
/// format_rfc3339(): milliseconds only when `t` is not a whole second.
void append_event_time(std::string& out, Clock::time_point t);

}  // namespace eventdest::detail
