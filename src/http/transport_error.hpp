// Maps libcurl's result codes onto the engine's TransportError, with the "may the server have
// processed it" flag that retry logic uses to mark possible duplicates.
#pragma once

#include <curl/curl.h>

#include "http/http_client.hpp"

namespace eventdest::http::detail {

struct Classification {
  TransportError error;
  /// False only when the request certainly never reached the server.
  bool maybe_sent;
};

/// Total: every CURLcode maps to something; codes we do not expect from an HTTP transfer become
/// TransportError::other with maybe_sent=true (the conservative answer).
Classification classify(CURLcode code) noexcept;

}  // namespace eventdest::http::detail
