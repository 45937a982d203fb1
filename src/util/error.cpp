#include "eventdest/error.hpp"

#include <sstream>

#include "util/printable.hpp"

namespace eventdest {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "eventdest"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::ok:
        return "success";
      case errc::invalid_event:
        return "the event cannot be encoded for this destination";
      case errc::invalid_partition_key:
        return "the partition key is not valid for this destination";
      case errc::record_too_large:
        return "the record is larger than the destination accepts";
      case errc::queue_full:
        return "the publish buffer is full (max_buffered_bytes)";
      case errc::closed:
        return "the destination is closed";
      case errc::timeout:
        return "no outcome within delivery_timeout_ms";
      case errc::interrupted:
        return "interrupted before the outcome was known";
      case errc::spool_failed:
        return "the event could not be written to the spool";
      case errc::throttled:
        return "throttled by the destination";
      case errc::server_error:
        return "the destination reported a server error";
      case errc::network_error:
        return "network error";
      case errc::request_timeout:
        return "the request timed out";
      case errc::resharded:
        return "the stream's shards changed under an aggregated record";
      case errc::broker_error:
        return "transient broker error";
      case errc::auth_failed:
        return "authentication failed";
      case errc::access_denied:
        return "access denied";
      case errc::not_found:
        return "the stream, topic or cluster does not exist";
      case errc::invalid_request:
        return "the destination rejected the request as invalid";
      case errc::kms_error:
        return "KMS error";
      case errc::expired_credentials:
        return "the credentials expired";
      case errc::tls_error:
        return "TLS error";
      case errc::fatal:
        return "the producer is in a fatal state";
      case errc::internal:
        return "internal error";
    }
    return "unknown eventdest error";
  }
};

std::string join_problems(const std::string& prefix, const std::vector<FieldProblem>& problems) {
  std::ostringstream out;
  out << prefix;
  for (const auto& p : problems) {
    // Fields name the input's keys, problems may quote its values: neither reaches a log or
    // terminal with its control characters.
    out << "\n  " << detail::printable(p.field) << ": " << detail::printable(p.problem, true);
  }
  return out.str();
}

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

const char* to_string(errc e) noexcept {
  switch (e) {
    case errc::ok:
      return "ok";
    case errc::invalid_event:
      return "invalid_event";
    case errc::invalid_partition_key:
      return "invalid_partition_key";
    case errc::record_too_large:
      return "record_too_large";
    case errc::queue_full:
      return "queue_full";
    case errc::closed:
      return "closed";
    case errc::timeout:
      return "timeout";
    case errc::interrupted:
      return "interrupted";
    case errc::spool_failed:
      return "spool_failed";
    case errc::throttled:
      return "throttled";
    case errc::server_error:
      return "server_error";
    case errc::network_error:
      return "network_error";
    case errc::request_timeout:
      return "request_timeout";
    case errc::broker_error:
      return "broker_error";
    case errc::resharded:
      return "resharded";
    case errc::auth_failed:
      return "auth_failed";
    case errc::access_denied:
      return "access_denied";
    case errc::not_found:
      return "not_found";
    case errc::invalid_request:
      return "invalid_request";
    case errc::kms_error:
      return "kms_error";
    case errc::expired_credentials:
      return "expired_credentials";
    case errc::tls_error:
      return "tls_error";
    case errc::fatal:
      return "fatal";
    case errc::internal:
      return "internal";
  }
  return "unknown";
}

bool is_retryable(errc e) noexcept {
  switch (e) {
    case errc::throttled:
    case errc::server_error:
    case errc::network_error:
    case errc::request_timeout:
    case errc::broker_error:
    case errc::resharded:
      return true;
    default:
      return false;
  }
}

ValidationError::ValidationError(const std::string& what_prefix, std::vector<FieldProblem> problems)
    : std::invalid_argument(join_problems(what_prefix, problems)), problems_(std::move(problems)) {}

ConfigError::ConfigError(std::vector<FieldProblem> problems)
    : ValidationError("invalid destination spec:", std::move(problems)) {}

EventError::EventError(std::vector<FieldProblem> problems)
    : ValidationError("invalid event:", std::move(problems)) {}

EventError::EventError(std::string field, std::string problem)
    : EventError(std::vector<FieldProblem>{{std::move(field), std::move(problem)}}) {}

ConfigError::ConfigError(std::string field, std::string problem)
    : ConfigError(std::vector<FieldProblem>{{std::move(field), std::move(problem)}}) {}

}  // namespace eventdest
