// How the HTTP destinations turn a transport failure into a per-record outcome: connect/DNS
// failures are retried as certainly-not-sent, timeouts and lost connections as maybe-sent
// (possible duplicates), TLS failures fail at once.
#pragma once

#include "core/record.hpp"
#include "http/http_client.hpp"

namespace eventdest::detail {

/// The outcome for every record of a request that ended with `response.error != none`.
Outcome transport_failure_outcome(const http::Response& response);

}  // namespace eventdest::detail
