#include "pipeline/http_outcome.hpp"

namespace eventdest::detail {

errc error_for_http_status(int status) noexcept {
  switch (status) {
    case 429:
      return errc::throttled;
    case 408:
      return errc::request_timeout;
    case 401:
      return errc::auth_failed;
    case 403:
      return errc::access_denied;
    case 404:
      return errc::not_found;
    case 413:
      return errc::record_too_large;
    default:
      return status >= 500 && status <= 599 ? errc::server_error : errc::invalid_request;
  }
}

Outcome transport_failure_outcome(const http::Response& response) {
  using http::TransportError;
  const std::string what = std::string(http::to_string(response.error)) +
                           (response.error_message.empty() ? "" : ": " + response.error_message);
  switch (response.error) {
    case TransportError::none:
      return Outcome::delivered_ok();  // not a failure; callers check ok() first
    case TransportError::connect_failed:
    case TransportError::dns: {
      Outcome o = Outcome::classify(errc::network_error, what, {}, 0, false);
      o.unreachable = true;
      return o;
    }
    case TransportError::timeout:
      return Outcome::classify(errc::request_timeout, what, {}, 0, response.maybe_sent);
    case TransportError::connection_lost:
    case TransportError::malformed:
    case TransportError::other:
      return Outcome::classify(errc::network_error, what, {}, 0, response.maybe_sent);
    case TransportError::tls:
      return Outcome::failure(Outcome::Kind::fail, errc::tls_error, what, {}, 0, false);
    case TransportError::cancelled:
      return Outcome::failure(Outcome::Kind::fail, errc::closed,
                              "closed while the request was in flight", {}, 0, response.maybe_sent);
  }
  return Outcome::failure(Outcome::Kind::fail, errc::internal, what);
}

}  // namespace eventdest::detail
