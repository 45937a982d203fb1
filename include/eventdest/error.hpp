// Error model shared by every destination: one error enum with a std::error_category, the
// retryable classification, and the exceptions thrown for invalid input (never for delivery).
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "eventdest/export.hpp"

namespace eventdest {

/// Why an event was not delivered (or why a call failed). Values are stable: they appear in
/// delivery reports and CLI output by name (see `to_string(errc)`).
enum class errc {
  ok = 0,
  // Local, decided before anything is sent.
  invalid_event = 1,          ///< the event cannot be encoded for this destination
  invalid_partition_key = 2,  ///< key outside the destination's limits (e.g. Kinesis 1..256 chars)
  record_too_large = 3,       ///< encoded record over the configured/maximum record size
  queue_full = 4,             ///< max_buffered_bytes reached and on_queue_full is "fail"
  closed = 5,                 ///< publish after close(), or still queued when close() gave up
  timeout = 6,                ///< delivery_timeout_ms elapsed before a definitive outcome
  interrupted = 7,            ///< the publisher stopped (e.g. the CLI on SIGINT/SIGTERM) first
  spool_failed = 8,  ///< the event could not be written to the destination's spool (disk full, I/O)
  // Transient: retried inside the library until delivery_timeout_ms.
  throttled = 10,        ///< throttling / throughput exceeded / HTTP 429
  server_error = 11,     ///< 5xx, InternalFailure, service unavailable
  network_error = 12,    ///< connect/reset/TLS handshake/DNS failure
  request_timeout = 13,  ///< a single request timed out (408 / curl timeout)
  broker_error = 14,     ///< transient Kafka broker error (not leader, ...)
  resharded = 15,  ///< Kinesis: an aggregated record landed on another shard than its keys map to

  // Permanent: fail at once.
  auth_failed = 20,          ///< bad credentials / signature (401, UnrecognizedClient)
  access_denied = 21,        ///< authorisation (403, AccessDenied, topic authorization)
  not_found = 22,            ///< stream/topic/cluster does not exist (404, ResourceNotFound)
  invalid_request = 23,      ///< the service rejected the request as malformed (400, 422)
  kms_error = 24,            ///< Kinesis KMS configuration errors
  expired_credentials = 25,  ///< credentials expired and could not be refreshed
  tls_error = 26,            ///< certificate verification failed
  fatal = 27,                ///< producer in a fatal state (e.g. idempotence failure)
  internal = 28              ///< a bug or an unexpected response we cannot classify
};

/// The category of eventdest error codes ("eventdest").
EVENTDEST_API const std::error_category& error_category() noexcept;
EVENTDEST_API std::error_code make_error_code(errc e) noexcept;
/// Short stable name, e.g. "queue_full".
EVENTDEST_API const char* to_string(errc e) noexcept;
/// Whether failures of this kind are transient by default (retried with backoff).
EVENTDEST_API bool is_retryable(errc e) noexcept;

/// One problem with one input field, e.g. {"config.region", "is required"}.
struct EVENTDEST_API FieldProblem {
  std::string field;
  std::string problem;
  bool operator==(const FieldProblem& o) const { return field == o.field && problem == o.problem; }
};

/// Thrown for invalid input (events, specs): lists every problem found, never secret values.
class EVENTDEST_API ValidationError : public std::invalid_argument {
 public:
  ValidationError(const std::string& what_prefix, std::vector<FieldProblem> problems);
  const std::vector<FieldProblem>& problems() const noexcept { return problems_; }

 private:
  std::vector<FieldProblem> problems_;
};

/// An invalid destination spec or configuration.
class EVENTDEST_API ConfigError : public ValidationError {
 public:
  explicit ConfigError(std::vector<FieldProblem> problems);
  ConfigError(std::string field, std::string problem);
};

/// An invalid event (bad JSON, missing data, bad time, ...).
class EVENTDEST_API EventError : public ValidationError {
 public:
  explicit EventError(std::vector<FieldProblem> problems);
  EventError(std::string field, std::string problem);
};

}  // namespace eventdest

namespace std {
template <>
struct is_error_code_enum<eventdest::errc> : true_type {};
}  // namespace std
