// REST Proxy v3 error codes to outcomes. Codes are the HTTP status or a 5-digit code whose first
// three digits are the HTTP status (40101, 50302, ...).
#pragma once

#include <string>

#include "pipeline/record.hpp"

namespace eventdest::detail {

/// The outcome for a REST Proxy error (HTTP-level or per record).
Outcome rest_error_outcome(int error_code, int http_status, std::string message);

}  // namespace eventdest::detail
