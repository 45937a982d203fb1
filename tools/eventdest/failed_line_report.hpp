// The report line of an input line that got no report from a destination: invalid input, a
// stopped run, a report that could not be formatted. The same fields as a destination's failed
// report, with the input line instead of an event id.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace eventdest::cli {

/// `{"status":"failed","error":ERROR,"retryable":false,"line":LINE,"message":MESSAGE}`
std::string failed_line_report(std::size_t line, std::string_view error, std::string_view message);

}  // namespace eventdest::cli
