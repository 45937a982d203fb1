#include "kafka_rest/rest_errors.hpp"

#include "pipeline/http_outcome.hpp"

namespace eventdest::detail {

Outcome rest_error_outcome(int error_code, int http_status, std::string message) {
  const int status = error_code >= 10000 ? error_code / 100 : error_code;
  const std::string code = std::to_string(error_code);
  if (message.empty()) message = "REST Proxy error " + code;
  return Outcome::classify(error_for_http_status(status), std::move(message), code, http_status);
}

}  // namespace eventdest::detail
