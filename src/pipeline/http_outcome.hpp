// How the HTTP destinations turn a transport failure into a per-record outcome: connect/DNS
// failures are retried as certainly-not-sent, timeouts and lost connections as maybe-sent
// (possible duplicates), TLS failures fail at once. Also the one HTTP status -> error code
// mapping that every HTTP destination falls back on.
#pragma once

#include "http/http_client.hpp"
#include "pipeline/record.hpp"

namespace eventdest::detail {

/// The error code for an HTTP status without a more specific provider code: 429 throttled, 408
/// request_timeout, 401 auth_failed, 403 access_denied, 404 not_found, 413 record_too_large, 5xx
/// server_error, anything else invalid_request.
errc error_for_http_status(int status) noexcept;

/// The outcome for every record of a request that ended with `response.error != none`.
Outcome transport_failure_outcome(const http::Response& response);

}  // namespace eventdest::detail
