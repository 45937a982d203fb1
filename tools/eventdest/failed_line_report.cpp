#include "failed_line_report.hpp"

#include "util/json_util.hpp"

namespace eventdest::cli {

std::string failed_line_report(std::size_t line, std::string_view error, std::string_view message) {
  std::string out = "{\"status\":\"failed\",\"error\":";
  detail::append_json_string(out, error);
  out += ",\"retryable\":false,\"line\":";
  out += std::to_string(line);
  out += ",\"message\":";
  detail::append_json_string(out, message);
  out += "}";
  return out;
}

}  // namespace eventdest::cli
