// The native kafka destination: librdkafka does the batching, retries (idempotent, acks=all) and
// delivery reports; this class maps events to messages, reports to DeliveryReports, and makes
// sure every accepted event gets exactly one report, at shutdown too.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "event/event_text.hpp"
#include "event/merged_metadata.hpp"
#include "eventdest/kafka.hpp"
#include "eventdest/log.hpp"
#include "eventdest/partition_key.hpp"
#include "kafka/broker_failures.hpp"
#include "kafka/certificate_refusal.hpp"
#include "kafka/delivered_batches.hpp"
#include "kafka/kafka_config_reader.hpp"
#include "kafka/kafka_errors.hpp"
#include "kafka/librdkafka_log.hpp"
#include "pipeline/kafka_record.hpp"
#include "spec/event_selector.hpp"
#include "spool/spooled_destination.hpp"
#include "util/latency_histogram.hpp"
#include "util/thread_name.hpp"

namespace eventdest {
namespace {

using Steady = std::chrono::steady_clock;

// close() waits this long past delivery_timeout_ms before purging: librdkafka reports every
// message by message.timeout.ms, with its own cause; the purge is for what is left after that.
constexpr auto kCloseGrace = std::chrono::seconds(5);

std::string sasl_mechanism_name(const KafkaConfig& c) {
  for (const auto& [name, value] : kafka_properties(c, true))
    if (name == "sasl.mechanisms") return value;
  return {};
}

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const noexcept { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* conf) const noexcept { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_headers_t* h) const noexcept { rd_kafka_headers_destroy(h); }
  void operator()(rd_kafka_queue_t* q) const noexcept { rd_kafka_queue_destroy(q); }
};
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, KafkaDeleter>;
using HeadersPtr = std::unique_ptr<rd_kafka_headers_t, KafkaDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, KafkaDeleter>;

// Delivered messages the publishing thread may hold unfreed (see DeliveredBatches): a few
// thousand messages' memory, far below librdkafka's queue bounds.
constexpr std::size_t kMaxUnfreedDelivered = 16384;

// How long the poll thread's first metadata request may wait for a broker (see
// request_producer_id): librdkafka's own timer asks for the producer id by then anyway.
constexpr std::chrono::milliseconds kFirstMetadataWait{500};

// What travels with a message through librdkafka (its opaque) until its delivery report: the
// report itself, filled in as far as publish() knows it.
struct InFlight {
  DeliveryCallback callback;
  DeliveryReport report;
  Steady::time_point published;

  // Back to what a new record holds in the fields the report paths set; the id, topic, key and
  // type are overwritten by the next publish(), into the buffers they already have.
  void reset() {
    callback = nullptr;
    DeliveryReport& r = report;
    r.status = DeliveryStatus::failed;
    r.error = {};
    r.retryable = false;
    r.provider_code.clear();
    r.message.clear();
    r.partition = -1;
    r.offset = -1;
    r.attempts = 0;
    r.possible_duplicate = false;
    r.latency = {};
  }
};

// Reuses in-flight records: a new one per message, freed on the poll thread, cost malloc's
// cross-thread arena locking on every message. Keeps at most kMaxFree spare records.
class InFlightPool {
 public:
  std::unique_ptr<InFlight> acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        std::unique_ptr<InFlight> f = std::move(free_.back());
        free_.pop_back();
        return f;
      }
    }
    return std::make_unique<InFlight>();
  }

  void release(std::unique_ptr<InFlight> f) {
    f->reset();  // here, so that the callback's captures go on the thread that ran it
    std::lock_guard<std::mutex> lock(mutex_);
    if (free_.size() < kMaxFree) free_.push_back(std::move(f));
  }

  /// A delivery batch's records under one lock (the publisher takes it for every message).
  void release(std::vector<std::unique_ptr<InFlight>>& records) {
    for (auto& f : records)
      f->reset();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& f : records) {
        if (free_.size() >= kMaxFree) break;
        free_.push_back(std::move(f));
      }
    }
    records.clear();  // any beyond kMaxFree are deleted here, outside the lock
  }

 private:
  static constexpr std::size_t kMaxFree = 4096;
  std::mutex mutex_;
  std::vector<std::unique_ptr<InFlight>> free_;
};

// The timestamp header's text, cached per thread: events published together mostly share their
// second (or millisecond), and formatting it anew for each was a visible part of publish().
const std::string& timestamp_text(Clock::time_point t, TimestampFormat format) {
  struct Cache {
    bool valid = false;
    TimestampFormat format{};
    long long unit = 0;
    std::string text;
  };
  thread_local Cache cache;
  const long long ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const bool whole_seconds =
      format == TimestampFormat::unix_seconds || format == TimestampFormat::rfc3339;
  const long long unit = whole_seconds ? ms / 1000 - (ms % 1000 < 0) : ms;  // floor
  if (!cache.valid || cache.format != format || cache.unit != unit) {
    cache.text = format_timestamp(t, format);
    cache.format = format;
    cache.unit = unit;
    cache.valid = true;
  }
  return cache.text;
}

class KafkaDestination final : public Destination {
 public:
  KafkaDestination(KafkaConfig config, std::vector<std::string> topics,
                   std::optional<Filter> filter)
      : config_(std::move(config)),
        selector_(std::move(topics), std::move(filter), config_.delivery.disabled_at),
        key_template_(config_.partition_key_template),
        failures_(sasl_mechanism_name(config_), config_.username) {
    ConfPtr conf(rd_kafka_conf_new());
    std::vector<FieldProblem> problems;
    char err[512];
    for (const auto& [name, value] : kafka_properties(config_)) {
      if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), err, sizeof err) !=
          RD_KAFKA_CONF_OK) {
        const bool passthrough = config_.librdkafka.count(name) > 0;
        problems.push_back(
            {passthrough ? "config.librdkafka." + name : "config (" + name + ")", err});
      }
    }
    if (!problems.empty()) throw ConfigError(std::move(problems));
    rd_kafka_conf_set_opaque(conf.get(), this);
    // Delivery reports and errors come as events on the main queue (served by the poll thread
    // below), so that a report batch's messages can be freed apart from serving its reports.
    rd_kafka_conf_set_events(conf.get(), RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR);
    rd_kafka_conf_set_log_cb(conf.get(), &KafkaDestination::on_log);
    if (config_.tls && rd_kafka_conf_set_ssl_cert_verify_cb(
                           conf.get(), &KafkaDestination::on_certificate) != RD_KAFKA_CONF_OK) {
      throw ConfigError("config.tls", "librdkafka was built without TLS support");
    }
    rk_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err));
    if (!rk_)
      throw ConfigError("config", std::string("librdkafka refused the configuration: ") + err);
    conf.release();  // owned by rk_ now
    queue_.reset(rd_kafka_queue_get_main(rk_.get()));
    poller_ = std::thread([this] {
      detail::set_thread_name("eventdest-kafka");
      request_producer_id();
      while (!stop_polling_.load()) {
        if (rd_kafka_event_t* event = rd_kafka_queue_poll(queue_.get(), 100)) {
          serve(event);
        } else {
          delivered_batches_.free_all();  // idle: the publisher may not come back soon
        }
        // A failure that retrying cannot heal fails what is queued now, with its cause.
        if (failures_.permanent(Steady::now()))
          rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_NON_BLOCKING);
      }
    });
  }

  ~KafkaDestination() override { shutdown(std::chrono::milliseconds(0)); }

  void publish(Event event, DeliveryCallback callback) override {
    ++published_;
    if (auto reason = selector_.rejection(event)) {
      ++not_matched_;
      DeliveryReport r = report_base(event.id(), event.topic(), {});
      r.status = DeliveryStatus::not_matched;
      r.message = std::move(*reason);
      if (callback) callback(r);
      return;
    }
    // The metadata is written straight into the headers (no merged list per event) unless the
    // key template reads it.
    const bool hookstream = config_.record.format == KafkaRecordFormat::hookstream;
    const bool system_metadata_only = event.metadata().empty() &&
                                      config_.delivery.delivery_metadata.empty() &&
                                      !config_.delivery.timestamp_ms;
    MetadataList metadata;
    if (key_template_.reads_metadata())
      metadata = merged_metadata(event, config_.delivery.timestamp_format,
                                 config_.delivery.delivery_metadata, config_.delivery.timestamp_ms);
    auto inflight = pool_.acquire();
    inflight->callback = std::move(callback);
    DeliveryReport& report = inflight->report;
    report.destination_type = type_;
    report.event_id = event.id();
    report.topic = event.topic();
    report.partition_key = key_template_.key(event, metadata);
    inflight->published = Steady::now();
    // An id, topic or metadata librdkafka would cut at a NUL, or that is not valid Unicode,
    // fails this event alone (from_json refuses such input already; events built in code not).
    if (auto problem = detail::event_text_problem(event)) {
      return fail_now(std::move(inflight), errc::invalid_event,
                      problem->field + ": " + problem->problem);
    }
    // Shared: publishes run concurrently; shutdown takes it exclusively before destroying rk_.
    std::shared_lock<std::shared_mutex> state(state_mutex_);
    if (closing_.load() || !rk_) {
      return fail_now(std::move(inflight), errc::closed, "the destination is closed");
    }
    delivered_batches_.free_all();

    const std::string_view value = event.data();
    // hookstream's format writes its own headers instead of content-type and the metadata.
    const MetadataList hookstream_list =
        hookstream ? detail::hookstream_headers(event, config_.delivery.delivery_metadata,
                                                config_.record.destination_id)
                   : MetadataList{};
    while (true) {
      HeadersPtr headers(rd_kafka_headers_new(hookstream ? hookstream_list.size()
                                              : !metadata.empty()
                                                  ? metadata.size() + 1
                                                  : 5 + config_.delivery.delivery_metadata.size() +
                                                        event.metadata().size()));
      if (hookstream) {
        for (const auto& [name, v] : hookstream_list)
          add_header(headers.get(), name, v);
      } else if (!metadata.empty()) {
        rd_kafka_header_add(headers.get(), "content-type", -1, "application/json", -1);
        for (const auto& [name, v] : metadata)
          add_header(headers.get(), name, v);
      } else if (system_metadata_only) {
        rd_kafka_header_add(headers.get(), "content-type", -1, "application/json", -1);
        add_header(headers.get(), "event-id", event.id());
        add_header(headers.get(), "topic", event.topic());
        add_header(headers.get(), "timestamp",
                   timestamp_text(event.time(), config_.delivery.timestamp_format));
      } else {
        rd_kafka_header_add(headers.get(), "content-type", -1, "application/json", -1);
        const std::string ms = config_.delivery.timestamp_ms
                                   ? format_timestamp(event.time(), TimestampFormat::unix_ms)
                                   : std::string();
        detail::for_each_merged_metadata(
            event, timestamp_text(event.time(), config_.delivery.timestamp_format), ms,
            config_.delivery.delivery_metadata,
            [&headers](std::string_view name, std::string_view v) {
              add_header(headers.get(), name, v);
            });
      }
// librdkafka's RD_KAFKA_V_* macros type-check their arguments with GNU statement expressions,
// which clang's -Wpedantic reports at each use (GCC does not: they come from a system header).
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wgnu-statement-expression"
#endif
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk_.get(), RD_KAFKA_V_TOPIC(config_.topic.c_str()),
          RD_KAFKA_V_KEY(report.partition_key.data(), report.partition_key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers.get()),
          RD_KAFKA_V_OPAQUE(inflight.get()), RD_KAFKA_V_END);
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        headers.release();  // librdkafka owns them now
        ++outstanding_;
        inflight.release();  // reclaimed in on_delivery
        return;
      }
      if (err == RD_KAFKA_RESP_ERR__FATAL) {
        auto cause = detail::BrokerFailures::fatal(rk_.get());
        return fail_now(std::move(inflight), cause.code, std::move(cause.message),
                        std::move(cause.provider_code));
      }
      // Delivered messages not yet freed still count in librdkafka's queue.
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && delivered_batches_.free_all() > 0) continue;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL ||
          config_.delivery.on_queue_full == QueueFullBehavior::fail) {
        return fail_now(std::move(inflight), detail::kafka_errc(err), rd_kafka_err2str(err),
                        rd_kafka_err2name(err));
      }
      if (closing_.load())
        return fail_now(std::move(inflight), errc::closed, "the destination is closed");
      // Block until deliveries make room (the poll thread serves them): until an eighth of what
      // is outstanding is reported, not one message (a wake-up per delivered message).
      const long outstanding = outstanding_.load();
      const long target = outstanding - std::max(1L, outstanding / 8);
      space_target_.store(target);
      std::unique_lock<std::mutex> lock(mutex_);
      ++waiters_;
      space_cv_.wait_for(lock, std::chrono::milliseconds(10),
                         [&] { return outstanding_.load() <= target || closing_.load(); });
      --waiters_;
    }
  }

  bool flush(std::chrono::milliseconds timeout) override {
    const auto deadline = Steady::now() + timeout;
    {
      // Shared with publishers; close() destroys the handle only under the exclusive lock.
      std::shared_lock<std::shared_mutex> state(state_mutex_);
      if (rk_) {
        // librdkafka's flush waits until its messages are freed: none is left to the publisher
        // meanwhile (serve() sees flushing_).
        ++flushing_;
        delivered_batches_.free_all();
        rd_kafka_flush(rk_.get(), static_cast<int>(timeout.count()));
        --flushing_;
      }
    }
    // Reports are served on the poll thread: wait until the callbacks have run too.
    return wait_for_reports(deadline);
  }

  void close() override {
    shutdown(config_.delivery.delivery_timeout + kCloseGrace);
  }

  void close(std::chrono::milliseconds timeout) override {
    shutdown(timeout);
  }

  DestinationMetrics metrics() const override {
    DestinationMetrics m;
    m.published = published_.load();
    m.delivered = delivered_.load();
    m.failed = failed_.load();
    m.not_matched = not_matched_.load();
    m.in_flight = static_cast<std::size_t>(outstanding_.load());
    m.requests = 0;
    std::lock_guard<std::mutex> lock(mutex_);
    m.latency_p50 = latencies_.percentile(0.50);
    m.latency_p90 = latencies_.percentile(0.90);
    m.latency_p99 = latencies_.percentile(0.99);
    m.latency_max = latencies_.max();
    return m;
  }

  const std::string& type() const noexcept override {
    return type_;
  }

  std::string to_string() const override {
    return "kafka(brokers=" + config_.brokers + ", topic=" + config_.topic + ")";
  }

 private:
  DeliveryReport report_base(std::string id, std::string topic, std::string key) const {
    DeliveryReport r;
    r.destination_type = type_;
    r.event_id = std::move(id);
    r.topic = std::move(topic);
    r.partition_key = std::move(key);
    return r;
  }

  static void add_header(rd_kafka_headers_t* headers, std::string_view name,
                         std::string_view value) {
    rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }

  // Waits until every accepted event had its report. Counted as a waiter, so that reports wake
  // it; the poll thread skips the lock and wake-up when nobody waits.
  bool wait_for_reports(Steady::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    ++waiters_;
    const bool done =
        done_cv_.wait_until(lock, deadline, [this] { return outstanding_.load() == 0; });
    --waiters_;
    return done;
  }

  // Counts the outcome and calls the callback; the latency is recorded by the caller.
  void report(InFlight& f, DeliveryReport& r) {
    r.latency = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - f.published);
    (r.delivered() ? delivered_ : failed_)++;
    if (f.callback) {
      try {
        f.callback(r);
      } catch (...) {
      }
    }
  }

  void fail_now(std::unique_ptr<InFlight> f, errc error, std::string message,
                std::string provider_code = {}) {
    DeliveryReport& r = f->report;
    r.status = DeliveryStatus::failed;
    r.error = make_error_code(error);
    // A full queue is a moment's state: publishing again later can work (the Router does).
    r.retryable = is_retryable(error) || error == errc::queue_full;
    r.message = std::move(message);
    r.provider_code = std::move(provider_code);
    report(*f, r);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      latencies_.record(r.latency);
    }
    pool_.release(std::move(f));
  }

  // librdkafka asks for the idempotent producer id when a metadata response comes, else on a
  // 500 ms timer. At start the first response comes over the bootstrap connection as it is being
  // replaced by the broker's own, too early to ask, so the first events waited ~0.5 s for the
  // timer. A metadata request once the broker's connection is up gets the id at once (blocks
  // the poll thread until then, at most kFirstMetadataWait: no report can come before the id).
  void request_producer_id() {
    const auto until = Steady::now() + kFirstMetadataWait;
    // Twice: the first answer may come over the bootstrap connection too.
    for (int i = 0; i < 2; ++i) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Steady::now());
      if (left.count() <= 0 || stop_polling_.load()) return;
      const rd_kafka_metadata_t* metadata = nullptr;
      if (rd_kafka_metadata(rk_.get(), 0, nullptr, &metadata, static_cast<int>(left.count())) !=
          RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
      rd_kafka_metadata_destroy(metadata);
    }
  }

  // One event from the main queue (poll thread, and shutdown once it has stopped).
  void serve(rd_kafka_event_t* event) {
    switch (rd_kafka_event_type(event)) {
      case RD_KAFKA_EVENT_DR: {
        std::size_t messages = 0;
        while (const rd_kafka_message_t* m = rd_kafka_event_message_next(event)) {
          served_.push_back(on_delivery(m));
          ++messages;
        }
        settle(served_);
        // The messages are freed by the next publish() unless flush() or close() waits for
        // librdkafka to count them gone. Sequentially consistent with flush()'s increment and
        // free_all(): one of the two frees a batch kept just as a flush starts.
        if (flushing_.load() == 0 && !closing_.load() && delivered_batches_.keep(event, messages)) {
          if (flushing_.load() > 0 || closing_.load()) delivered_batches_.free_all();
          return;
        }
        break;
      }
      case RD_KAFKA_EVENT_ERROR:
        // A fatal error's event carries the underlying code; on_error expects librdkafka's
        // error callback's form (ERR__FATAL, the cause read from the handle).
        on_error(rk_.get(),
                 rd_kafka_event_error_is_fatal(event) ? RD_KAFKA_RESP_ERR__FATAL
                                                      : rd_kafka_event_error(event),
                 rd_kafka_event_error_string(event), this);
        break;
      default:
        break;
    }
    rd_kafka_event_destroy(event);
  }

  // Fills the message's report and calls its callback; settle() takes the record back.
  std::unique_ptr<InFlight> on_delivery(const rd_kafka_message_t* m) {
    std::unique_ptr<InFlight> f(static_cast<InFlight*>(m->_private));
    DeliveryReport& r = f->report;
    r.attempts = 1;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      r.status = DeliveryStatus::delivered;
      r.partition = m->partition;
      r.offset = m->offset;
      failures_.on_delivered();
    } else {
      const auto cause = failure_cause(m->err);
      r.status = DeliveryStatus::failed;
      r.error = make_error_code(cause.code);
      r.retryable = is_retryable(cause.code) || cause.code == errc::timeout;
      r.provider_code = cause.provider_code;
      r.message = cause.message;
      // A message purged or timed out after it was sent may still have been written.
      r.possible_duplicate = rd_kafka_message_status(m) == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED;
    }
    report(*f, r);
    return f;
  }

  // After a delivery batch's callbacks: its latencies, its records back to the pool and the
  // outstanding count, each once per batch rather than once per message.
  void settle(std::vector<std::unique_ptr<InFlight>>& records) {
    if (records.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& f : records)
        latencies_.record(f->report.latency);
    }
    const long count = static_cast<long>(records.size());
    pool_.release(records);
    const long left = outstanding_ -= count;
    // Seen by a waiter that counted itself before checking outstanding_ (both sequentially
    // consistent), so no wake-up is lost; woken when what it waits for is reached.
    if (waiters_.load() > 0 && (left == 0 || left <= space_target_.load())) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_cv_.notify_all();
      space_cv_.notify_all();
    }
  }

  // What a failed delivery report says: librdkafka's "timed out" and "purged" name no cause.
  detail::BrokerFailureCause failure_cause(rd_kafka_resp_err_t err) const {
    const std::string text = rd_kafka_err2str(err);
    if (err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT) return failures_.timed_out(text);
    if (err == RD_KAFKA_RESP_ERR__FATAL) return detail::BrokerFailures::fatal(rk_.get());
    if (err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
      // Purged by the poll thread for a permanent failure (also while close() waits), or by
      // close().
      if (auto cause = failures_.permanent(Steady::now())) return *cause;
      detail::BrokerFailureCause c;
      c.code = errc::closed;
      c.provider_code = rd_kafka_err2name(err);
      c.message = "the destination was closed before the event was delivered (" + text + ")";
      const std::string last = failures_.last_error();
      if (!last.empty()) c.message += "; last error: " + last;
      return c;
    }
    return {detail::kafka_errc(err), rd_kafka_err2name(err), text};
  }

  // Keeps the verdict OpenSSL reached; only remembers, in words, why a certificate was refused.
  static int on_certificate(rd_kafka_t*, const char* broker_name, int32_t, int* x509_error, int,
                            const char* der, size_t size, char* errstr, size_t errstr_size,
                            void* opaque) {
    if (*x509_error == 0) return 1;
    const std::string why = detail::describe_refused_certificate(
        *x509_error, broker_name ? broker_name : "", der, size);
    std::snprintf(errstr, errstr_size, "%s", why.c_str());
    if (auto* self = static_cast<KafkaDestination*>(opaque))
      self->failures_.on_certificate_refused(why);
    return 0;
  }

  // librdkafka's own log lines go to the library's log hook (silent by default), not stderr.
  static void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
    // Disconnects are only logged (at info level), not passed to the error callback.
    if (std::strcmp(facility, "FAIL") == 0) {
      if (auto* self = static_cast<KafkaDestination*>(rd_kafka_opaque(rk)))
        self->failures_.on_connection_log(message);
    }
    const LogLevel l = detail::librdkafka_log_level(level, facility, message);
    if (log_enabled(l)) log(l, std::string("librdkafka ") + facility + ": " + message);
  }

  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    const auto code = static_cast<rd_kafka_resp_err_t>(err);
    if (auto* self = static_cast<KafkaDestination*>(opaque))
      self->failures_.on_error(rk, code, reason);
    // Connection problems are retried by librdkafka; fatal errors end the producer.
    if (code == RD_KAFKA_RESP_ERR__FATAL) {
      char buffer[512];
      rd_kafka_fatal_error(rk, buffer, sizeof buffer);
      log(LogLevel::error, std::string("kafka producer fatal error: ") + buffer);
    } else if (log_enabled(LogLevel::warning)) {
      log(LogLevel::warning, std::string("kafka: ") + rd_kafka_err2name(code) + ": " + reason);
    }
  }

  void shutdown(std::chrono::milliseconds flush_timeout) {
    std::lock_guard<std::mutex> lock(close_mutex_);
    if (!rk_) return;
    closing_ = true;
    space_cv_.notify_all();
    if (flush_timeout.count() > 0) flush(flush_timeout);
    // No publish is producing past this point (they see closing_ and report closed).
    std::unique_lock<std::shared_mutex> state(state_mutex_);
    // Whatever is still queued or in flight gets its report now (purged -> closed).
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    wait_for_reports(Steady::now() + std::chrono::seconds(30));
    stop_polling_ = true;
    // Ends the poll thread's wait now rather than at its 100 ms timeout (the flag persists, so a
    // poll that starts after this returns at once too).
    rd_kafka_queue_yield(queue_.get());
    if (poller_.joinable()) poller_.join();
    // Serves anything left (none after the purge) so rd_kafka_destroy never drops a report.
    while (rd_kafka_event_t* event = rd_kafka_queue_poll(queue_.get(), 0))
      serve(event);
    delivered_batches_.free_all();
    queue_.reset();
    rk_.reset();
  }

  const std::string type_ = "kafka";
  const KafkaConfig config_;
  const detail::EventSelector selector_;
  const PartitionKeyTemplate key_template_;
  KafkaPtr rk_;
  QueuePtr queue_;  ///< rk_'s main queue: delivery reports and errors
  detail::DeliveredBatches delivered_batches_{kMaxUnfreedDelivered};
  std::atomic<int> flushing_{0};                   ///< flush() calls waiting in rd_kafka_flush
  std::vector<std::unique_ptr<InFlight>> served_;  ///< serve()'s batch (poll thread only)
  std::thread poller_;
  std::atomic<bool> stop_polling_{false};
  std::atomic<bool> closing_{false};
  std::atomic<long> outstanding_{0};
  std::atomic<int> waiters_{0};         ///< threads waiting on done_cv_ or space_cv_
  std::atomic<long> space_target_{-1};  ///< outstanding_ at which a full queue has room again
  std::atomic<std::uint64_t> published_{0}, delivered_{0}, failed_{0}, not_matched_{0};
  mutable std::mutex mutex_;
  std::condition_variable done_cv_;
  std::condition_variable space_cv_;
  detail::LatencyHistogram latencies_;
  detail::BrokerFailures failures_;
  InFlightPool pool_;
  std::mutex close_mutex_;
  std::shared_mutex state_mutex_;
};

}  // namespace

std::unique_ptr<Destination> make_kafka_destination(const KafkaConfig& config,
                                                    std::vector<std::string> topics,
                                                    std::optional<Filter> filter) {
  auto checked = detail::checked_kafka_config(config);
  const DeliveryOptions delivery = checked.delivery;
  return detail::with_spool(
      std::make_unique<KafkaDestination>(std::move(checked), std::move(topics), std::move(filter)),
      delivery);
}

void register_kafka_destination() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_destination_factory("kafka", [](const DestinationSpec& spec) {
      return make_kafka_destination(KafkaConfig::from_spec(spec), spec.topics, spec.filter);
    });
  });
}

}  // namespace eventdest
