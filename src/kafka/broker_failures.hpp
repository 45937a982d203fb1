// What librdkafka tells about its broker connections, kept so that delivery reports name the
// cause. librdkafka retries every connection problem until message.timeout.ms and then reports
// "Message timed out" (or "Purged in queue" at close), the cause only in its error callback. A
// wrong password, an untrusted or mismatched certificate, TLS against a plaintext listener or a
// fatal producer error will not heal by retrying: those fail the queued events at once, with the
// cause; the others are named in the report of an event that times out.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "eventdest/error.hpp"

namespace eventdest::detail {

struct BrokerFailureCause {
  errc code = errc::ok;
  std::string provider_code;  ///< librdkafka's error name, e.g. "_AUTHENTICATION"
  std::string message;
};

/// Thread-safe: the error callback runs on the poll thread, the certificate callback on
/// librdkafka's broker threads, reports on the poll thread.
class BrokerFailures {
 public:
  using Clock = std::chrono::steady_clock;

  /// `sasl_mechanism` (e.g. "SCRAM-SHA-512", empty without SASL) and `username` go into the
  /// message of an authentication failure; the password never does.
  BrokerFailures(std::string sasl_mechanism, std::string username);

  /// From librdkafka's error callback. `rk` is used to read a fatal error's cause.
  void on_error(rd_kafka_t* rk, rd_kafka_resp_err_t err, const char* reason);
  /// From librdkafka's log: a broker connection failure logged but not reported as an error.
  void on_connection_log(const char* message);
  /// From the certificate verification callback: why a broker's certificate was refused.
  void on_certificate_refused(std::string why);
  /// After a successful delivery: the cluster is reachable again.
  void on_delivered();

  /// The permanent failure that queued events should fail with now, if one was seen within the
  /// window in which librdkafka would not repeat it (it reports an identical error once per 30 s).
  std::optional<BrokerFailureCause> permanent(Clock::time_point now) const;
  /// For an event that timed out: the permanent cause if one was seen, else `timeout` naming the
  /// last connection error.
  BrokerFailureCause timed_out(const std::string& librdkafka_message) const;
  /// A fatal producer error (idempotence, authorisation of the producer id) as a cause.
  static BrokerFailureCause fatal(rd_kafka_t* rk);
  /// The last error librdkafka reported, or empty.
  std::string last_error() const;

 private:
  std::optional<BrokerFailureCause> classify(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                             const std::string& reason) const;

  const std::string mechanism_;
  const std::string username_;
  mutable std::mutex mutex_;
  std::string last_error_;
  std::string certificate_refused_;  ///< the last refused certificate, until the next __SSL error
  std::optional<BrokerFailureCause> permanent_;
  std::atomic<bool> has_permanent_{false};  ///< lets on_delivered() skip the lock
  Clock::time_point permanent_since_{};
};

}  // namespace eventdest::detail
