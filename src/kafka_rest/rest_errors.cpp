#include "kafka_rest/rest_errors.hpp"

namespace eventdest::detail {

Outcome rest_error_outcome(int error_code, int http_status, std::string message) {
  const int status = error_code >= 10000 ? error_code / 100 : error_code;
  const std::string code = std::to_string(error_code);
  if (message.empty()) message = "REST Proxy error " + code;
  errc e;
  switch (status) {
    case 429:
      e = errc::throttled;
      break;
    case 408:
      e = errc::request_timeout;
      break;
    case 401:
      e = errc::auth_failed;
      break;
    case 403:
      e = errc::access_denied;
      break;
    case 404:
      e = errc::not_found;
      break;
    case 413:
      e = errc::record_too_large;
      break;
    case 400:
    case 415:
    case 422:
      e = errc::invalid_request;
      break;
    default:
      e = status >= 500 && status <= 599 ? errc::server_error : errc::invalid_request;
  }
  return Outcome::classify(e, std::move(message), code, http_status);
}

}  // namespace eventdest::detail
