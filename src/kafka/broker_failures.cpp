#include "kafka/broker_failures.hpp"

#include "kafka/kafka_errors.hpp"

namespace eventdest::detail {
namespace {

// librdkafka repeats an identical broker error to the application at most once per 30 s.
constexpr auto kPermanentWindow = std::chrono::seconds(30);

bool contains(const std::string& s, const char* what) {
  return s.find(what) != std::string::npos;
}

}  // namespace

BrokerFailures::BrokerFailures(std::string sasl_mechanism, std::string username)
    : mechanism_(std::move(sasl_mechanism)), username_(std::move(username)) {}

BrokerFailureCause BrokerFailures::fatal(rd_kafka_t* rk) {
  char reason[512] = "";
  const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, reason, sizeof reason);
  BrokerFailureCause c;
  // The producer is unusable after a fatal error; its cause says why (e.g. the user may not
  // write: CLUSTER_AUTHORIZATION_FAILED for the idempotent producer id).
  const errc mapped = cause == RD_KAFKA_RESP_ERR_NO_ERROR ? errc::fatal : kafka_errc(cause);
  c.code = is_retryable(mapped) ? errc::fatal : mapped;
  c.provider_code =
      rd_kafka_err2name(cause == RD_KAFKA_RESP_ERR_NO_ERROR ? RD_KAFKA_RESP_ERR__FATAL : cause);
  c.message = std::string("the Kafka producer failed fatally: ") + reason;
  return c;
}

std::optional<BrokerFailureCause> BrokerFailures::classify(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                                           const std::string& reason) const {
  BrokerFailureCause c;
  c.provider_code = rd_kafka_err2name(err);
  switch (err) {
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
      c.code = errc::auth_failed;
      c.message = "SASL authentication failed";
      if (!mechanism_.empty())
        c.message += " (mechanism " + mechanism_ + ", user " + username_ + ")";
      c.message += ": " + reason;
      // librdkafka before 2.6.1 sends a SCRAM nonce that Kafka 4.x refuses (librdkafka #4895).
      if (mechanism_.rfind("SCRAM", 0) == 0 && rd_kafka_version() < 0x020601ff)
        c.message +=
            std::string(" (librdkafka ") + rd_kafka_version_str() +
            " cannot authenticate with SCRAM against Kafka 4.x brokers: 2.6.1 or later can)";
      return c;
    case RD_KAFKA_RESP_ERR__SSL:
      if (certificate_refused_.empty()) return std::nullopt;  // named at timeout
      c.code = errc::tls_error;
      c.message = certificate_refused_ + " (" + reason + ")";
      return c;
    case RD_KAFKA_RESP_ERR__FATAL:
      return fatal(rk);
    default:
      return std::nullopt;
  }
}

void BrokerFailures::on_error(rd_kafka_t* rk, rd_kafka_resp_err_t err, const char* reason) {
  const std::string text = reason ? reason : "";
  std::lock_guard<std::mutex> lock(mutex_);
  // "1/1 brokers are down" follows each broker's own error: keep the one that says why.
  if (err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || last_error_.empty()) last_error_ = text;
  if (auto cause = classify(rk, err, text)) {
    permanent_ = std::move(cause);
    permanent_since_ = Clock::now();
    has_permanent_ = true;
  }
  if (err == RD_KAFKA_RESP_ERR__SSL) certificate_refused_.clear();
}

void BrokerFailures::on_connection_log(const char* message) {
  std::string text = message ? message : "";
  // Log lines start with the thread's name ("[thrd:...]: "), which says nothing more.
  if (text.rfind("[thrd:", 0) == 0) {
    const auto end = text.find("]: ");
    if (end != std::string::npos) text.erase(0, end + 3);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  last_error_ = std::move(text);
}

void BrokerFailures::on_certificate_refused(std::string why) {
  std::lock_guard<std::mutex> lock(mutex_);
  certificate_refused_ = std::move(why);
}

void BrokerFailures::on_delivered() {
  if (!has_permanent_.load()) return;  // every delivery comes here: no lock in the usual case
  std::lock_guard<std::mutex> lock(mutex_);
  permanent_.reset();
  has_permanent_ = false;
}

std::optional<BrokerFailureCause> BrokerFailures::permanent(Clock::time_point now) const {
  if (!has_permanent_.load()) return std::nullopt;  // asked after every poll
  std::lock_guard<std::mutex> lock(mutex_);
  if (permanent_ && now - permanent_since_ < kPermanentWindow) return permanent_;
  return std::nullopt;
}

BrokerFailureCause BrokerFailures::timed_out(const std::string& librdkafka_message) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (permanent_) return *permanent_;
  BrokerFailureCause c;
  c.code = errc::timeout;
  c.provider_code = rd_kafka_err2name(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
  c.message = librdkafka_message;
  if (last_error_.empty()) return c;
  c.message += "; last error: " + last_error_;
  // TLS to a plaintext listener fails the same way on every attempt: name it as a TLS problem.
  if (contains(last_error_, "SSL handshake failed") ||
      contains(last_error_, "PLAINTEXT broker listener") ||
      contains(last_error_, "in state SSL_HANDSHAKE")) {
    c.code = errc::tls_error;
    // librdkafka only sometimes adds its own guess; a peer that hangs up mid-handshake is
    // most often a listener that does not speak TLS at all.
    if (!contains(last_error_, "PLAINTEXT broker listener"))
      c.message +=
          " (the broker closed the TLS handshake: it may be a PLAINTEXT broker listener"
          " (check config.tls) or one that requires a client certificate)";
  } else if (contains(last_error_, "Disconnected") &&
             contains(last_error_, "in state APIVERSION_QUERY")) {
    // The broker hangs up on the first request: what it expects is another protocol.
    c.message += " (the listener may expect TLS or SASL: check config.tls and sasl_mechanism)";
  }
  return c;
}

std::string BrokerFailures::last_error() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_error_;
}

}  // namespace eventdest::detail
