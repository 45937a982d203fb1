// The aws_kinesis destination: DeliveryPipeline batches sent as PutRecords requests signed with
// our SigV4 signer. Only the failed records of a partial batch go back to the pipeline for retry.
// With `api: put_record`, or once PutRecords is denied by an IAM policy that allows PutRecord
// only, each record of a batch is sent as a PutRecord request of its own (PutRecordSender).
// With `aggregation`, a batch's user records are packed by predicted shard into KPL aggregated
// records (record_aggregation.hpp), sent as above, and each user record gets its carrier's outcome.
#include <atomic>
#include <mutex>

#include "eventdest/kinesis.hpp"
#include "eventdest/log.hpp"
#include "eventdest/partition_key.hpp"
#include "http/http_client.hpp"
#include "http/url.hpp"
#include "kinesis/kinesis_config_reader.hpp"
#include "kinesis/kinesis_records.hpp"
#include "kinesis/kinesis_signer.hpp"
#include "kinesis/list_shards.hpp"
#include "kinesis/put_record.hpp"
#include "kinesis/put_record_sender.hpp"
#include "kinesis/record_aggregation.hpp"
#include "kinesis/shard_rate_limiter.hpp"
#include "pipeline/http_outcome.hpp"
#include "pipeline/outcome_scratch.hpp"
#include "pipeline/pipeline_destination.hpp"
#include "spool/spooled_destination.hpp"
#include "util/buffer_pool.hpp"
#include "util/json_util.hpp"
#include "util/prefetch.hpp"

namespace eventdest {
namespace {

std::string default_endpoint(const std::string& region) {
  const bool china = region.rfind("cn-", 0) == 0;
  return "https://kinesis." + region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

// "https://host:port/path" -> "host:port" (the Host header curl sends and we sign).
std::string host_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

detail::BatchLimits limits_for(const KinesisConfig& c) {
  // Aggregated, a request's max_batch_records Kinesis records carry many more user records: the
  // batch is bounded by its bytes, and by a user-record count that keeps one batch's bookkeeping
  // small.
  if (c.aggregation) return detail::BatchLimits{c.max_batch_records * 100, c.max_batch_bytes};
  return detail::BatchLimits{c.max_batch_records, c.max_batch_bytes};
}

http::ClientOptions client_options(const KinesisConfig& c) {
  http::ClientOptions o;
  o.verify_tls = c.tls.verify;
  o.ca_file = c.tls.ca_file;
  o.max_connections = static_cast<std::size_t>(std::max(2, c.delivery.max_in_flight));
  return o;
}

constexpr std::size_t kMaxKeptScratch = 256 * 1024;

class KinesisDestination final : public detail::PipelineDestination {
 public:
  KinesisDestination(KinesisConfig config, std::vector<std::string> topics,
                     std::optional<Filter> filter)
      : PipelineDestination("aws_kinesis", std::move(topics), std::move(filter), config.delivery,
                            limits_for(config)),
        config_(std::move(config)),
        key_template_(config_.partition_key_template),
        hash_key_template_(config_.explicit_hash_key_template),
        url_((config_.endpoint.empty() ? default_endpoint(config_.region) : config_.endpoint) +
             "/"),
        host_(host_of(url_)),
        signer_(detail::make_kinesis_signer(config_, config_.credentials_provider)),
        bodies_(static_cast<std::size_t>(config_.delivery.max_in_flight), kMaxSpareBody),
        client_(std::make_unique<http::Client>(client_options(config_))) {
    const std::string stream_field =
        config_.stream_arn.empty() ? "\"StreamName\":" + detail::json_string(config_.stream_name)
                                   : "\"StreamARN\":" + detail::json_string(config_.stream_arn);
    body_prefix_ = "{" + stream_field + ",\"Records\":[";
    single_records_ = std::make_unique<detail::PutRecordSender>(
        *client_, *signer_, detail::PutRecordSender::Target{url_, host_, stream_field},
        static_cast<std::size_t>(config_.delivery.max_in_flight),
        [this](const http::Response& response) { return put_record_outcome(response); },
        [this](detail::Batch&& batch, std::vector<detail::Outcome>& outcomes) {
          pipeline().complete(std::move(batch), outcomes);
        });
    list_shards_ = std::make_unique<detail::ListShardsClient>(
        *client_, *signer_, detail::ListShardsClient::Target{url_, host_, stream_field});
    if (!config_.tls.verify) {
      log(LogLevel::warning, "aws_kinesis " + http::display_url(url_) +
                                 ": TLS certificate verification is disabled (tls_verify=false)");
    }
  }

  ~KinesisDestination() override { close_now(); }

  std::string to_string() const override {
    return "aws_kinesis(stream=" +
           (config_.stream_arn.empty() ? config_.stream_name : config_.stream_arn) +
           ", region=" + config_.region + ", endpoint=" + http::display_url(url_) + ")";
  }

 protected:
  std::optional<detail::Outcome> prepare(detail::Record& record) override {
    // The merged list is only built for a template that reads metadata; the payload's metadata
    // is written from the event and the destination's options otherwise.
    const bool system_only = record.event.metadata().empty() &&
                             options().delivery_metadata.empty() && !options().timestamp_ms;
    MetadataList metadata;
    if (key_template_.reads_metadata() || hash_key_template_.reads_metadata()) {
      metadata = merged_metadata(record.event, options().timestamp_format,
                                 options().delivery_metadata, options().timestamp_ms);
    }
    record.partition_key = key_template_.key(record.event, metadata);
    if (auto problem = check_kinesis_partition_key(record.partition_key); !problem.empty()) {
      return detail::Outcome::failure(detail::Outcome::Kind::fail, errc::invalid_partition_key,
                                      problem);
    }
    if (!hash_key_template_.empty()) {
      if (auto hash_key = hash_key_template_.value(record.event, metadata)) {
        if (auto problem = detail::check_explicit_hash_key(*hash_key); !problem.empty()) {
          return detail::Outcome::failure(detail::Outcome::Kind::fail, errc::invalid_partition_key,
                                          problem);
        }
        record.explicit_hash_key = std::move(*hash_key);
      }
    }
    // The metadata-wrapped blob is built in a per-thread scratch buffer that keeps its capacity:
    // one allocation less per event, and none freed on another thread.
    thread_local std::string scratch;
    std::string_view blob = record.event.data();
    if (config_.metadata_in_payload) {
      scratch.clear();
      if (!metadata.empty()) {
        detail::append_kinesis_payload_with_metadata(scratch, record.event, metadata);
      } else if (system_only) {
        detail::append_kinesis_payload_with_system_metadata(scratch, record.event,
                                                            options().timestamp_format);
      } else {
        detail::append_kinesis_payload_with_merged_metadata(
            scratch, record.event, options().timestamp_format, options().delivery_metadata,
            options().timestamp_ms);
      }
      blob = scratch;
    }
    // Kinesis counts the data blob and the partition key against its record and request limits.
    record.request_bytes = blob.size() + record.partition_key.size();
    if (record.request_bytes > config_.max_record_bytes) {
      if (scratch.capacity() > kMaxKeptScratch) std::string().swap(scratch);
      return detail::Outcome::failure(
          detail::Outcome::Kind::fail, errc::record_too_large,
          "record of " + std::to_string(record.request_bytes) +
              " bytes (data + partition key) is over max_record_bytes (" +
              std::to_string(config_.max_record_bytes) + ")");
    }
    if (carriers_) {
      record.payload.assign(blob.data(), blob.size());  // packed at send time
    } else {
      record.payload.reserve(blob.size() * 4 / 3 + record.partition_key.size() + 40);
      detail::append_put_records_entry(record.payload, blob, record.partition_key,
                                       record.explicit_hash_key);
    }
    if (scratch.capacity() > kMaxKeptScratch) std::string().swap(scratch);  // after a huge event
    return std::nullopt;
  }

  const PartitionKeyTemplate& key_template() const override { return key_template_; }

  void send(detail::Batch batch) override {
    if (carriers_) {
      send_carriers(std::move(batch));
      return;
    }
    send_entries(std::move(batch), nullptr, nullptr);
  }

  void stop_transport() override { client_.reset(); }

 private:
  using Complete = detail::PutRecordSender::Complete;

  // Sends `batch` (records whose payloads are PutRecords entries) in one PutRecords request, or
  // one PutRecord each. `complete` takes them back with their outcomes (null: the pipeline).
  // `timing` holds the records whose deadlines bound the request (null: `batch` itself).
  void send_entries(detail::Batch batch, const detail::Batch* timing, Complete complete) {
    if (one_record_per_request_.load(std::memory_order_relaxed)) {
      const auto timeout = request_timeout(timing ? *timing : batch);
      single_records_->send(std::move(batch), timeout, std::move(complete));
      return;
    }
    http::Request request;
    request.url = url_;
    request.max_response_bytes = kMaxResponseBytes;
    const std::size_t n = batch.size();
    std::size_t size = body_prefix_.size() + 2;
    for (std::size_t i = 0; i < n; ++i) {
      // The entries' bytes are likely out of cache (queued long ago): start loading them ahead.
      if (i + detail::kPrefetchAhead < n) {
        const std::string& ahead = batch[i + detail::kPrefetchAhead]->payload;
        detail::prefetch(ahead.data());
        detail::prefetch(ahead.data() + 64);
      }
      size += batch[i]->payload.size() + 1;
    }
    request.body = bodies_.take();
    // Headroom, so that a reused body also fits the next, slightly larger batches.
    if (request.body.capacity() < size) request.body.reserve(size + size / 4);
    request.body = body_prefix_;
    for (std::size_t i = 0; i < n; ++i) {
      if (i) request.body += ',';
      request.body += batch[i]->payload;
    }
    request.body += "]}";
    request.headers = {{"Host", host_},
                       {"Content-Type", "application/x-amz-json-1.1"},
                       {"X-Amz-Target", "Kinesis_20131202.PutRecords"}};
    auto shared = std::make_shared<detail::Batch>(std::move(batch));
    const detail::SignResult signed_request = signer_->sign(request, host_);
    if (!signed_request.ok) {
      // No credentials could be had. A transient failure (STS / IMDS / container endpoint
      // timeouts, 5xx) is retried: the source may recover. When no source is configured at all,
      // or one is misconfigured, retrying until delivery_timeout cannot help: fail at once.
      auto outcome = detail::Outcome::classify(errc::auth_failed, signed_request.error);
      outcome.kind =
          signed_request.permanent ? detail::Outcome::Kind::fail : detail::Outcome::Kind::retry;
      std::vector<detail::Outcome> outcomes(shared->size(), outcome);
      finish(std::move(*shared), outcomes, complete);
      return;
    }
    // After signing: fetching credentials may have taken part of the records' time.
    request.timeout = request_timeout(timing ? *timing : *shared);
    client_->send(std::move(request), [this, shared, timing,
                                       complete = std::move(complete)](http::Response&& response) {
      if (put_records_denied(response)) {
        // Not a failed attempt: the same records go out again at once, one request each.
        const auto timeout = request_timeout(timing ? *timing : *shared);
        single_records_->send(std::move(*shared), timeout, complete);
        return;
      }
      detail::OutcomeScratch::Lease lease(outcome_scratch_);
      auto& results = lease.outcomes();
      outcomes(response, shared->size(), results);
      if (response.resent) {
        for (auto& o : results)
          o.maybe_sent = true;
      }
      finish(std::move(*shared), results, complete);
      bodies_.give_back(std::move(response.request_body));
    });
  }

  void finish(detail::Batch&& batch, std::vector<detail::Outcome>& outcomes,
              const Complete& complete) {
    if (complete) {
      complete(std::move(batch), outcomes);
    } else {
      pipeline().complete(std::move(batch), outcomes);
    }
  }

  // One batch of user records on its way as carrier records (aggregated, or one each when only
  // paced).
  struct AggregatedSend {
    detail::Batch users;
    std::vector<detail::KinesisCarrier> carriers;
    std::shared_ptr<const detail::ShardMap> map;
    std::vector<detail::Outcome> carrier_outcomes;
    std::atomic<std::size_t> requests_left{0};
  };

  void send_carriers(detail::Batch batch) {
    refresh_shard_map();
    auto job = std::make_shared<AggregatedSend>();
    job->map = shard_map_;
    job->carriers =
        detail::aggregate_records(batch, job->map.get(), config_.aggregation_max_bytes,
                                  config_.aggregation ? config_.aggregation_max_records : 1);
    job->users = std::move(batch);
    job->carrier_outcomes.resize(job->carriers.size());
    const std::vector<std::size_t> sending = pace(*job);
    // The carriers go out in requests within Kinesis' limits (max_batch_records records,
    // max_batch_bytes of data and keys each).
    std::vector<std::size_t> starts;  // indexes into `sending`
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < sending.size(); ++i) {
      const std::size_t size = job->carriers[sending[i]].request_bytes;
      if (starts.empty() || i - starts.back() >= config_.max_batch_records ||
          bytes + size > config_.max_batch_bytes) {
        starts.push_back(i);
        bytes = 0;
      }
      bytes += size;
    }
    if (starts.empty()) {  // every carrier held back
      finish_aggregated(job);
      return;
    }
    starts.push_back(sending.size());
    job->requests_left = starts.size() - 1;
    for (std::size_t r = 0; r + 1 < starts.size(); ++r) {
      detail::Batch carriers;
      std::vector<std::size_t> indexes(
          sending.begin() + static_cast<std::ptrdiff_t>(starts[r]),
          sending.begin() + static_cast<std::ptrdiff_t>(starts[r + 1]));
      carriers.reserve(indexes.size());
      for (std::size_t i : indexes) {
        auto carrier = std::make_unique<detail::Record>();
        carrier->payload = std::move(job->carriers[i].entry);
        carriers.push_back(std::move(carrier));
      }
      send_entries(std::move(carriers), &job->users,
                   [this, job, indexes = std::move(indexes)](
                       detail::Batch&&, std::vector<detail::Outcome>& outcomes) {
                     for (std::size_t i = 0; i < outcomes.size() && i < indexes.size(); ++i)
                       job->carrier_outcomes[indexes[i]] = std::move(outcomes[i]);
                     if (job->requests_left.fetch_sub(1) == 1) finish_aggregated(job);
                   });
    }
  }

  // With shard_rate_limit: the carriers whose shard has room go now (their indexes, returned);
  // the others are deferred until it will.
  std::vector<std::size_t> pace(AggregatedSend& job) {
    std::vector<std::size_t> sending;
    sending.reserve(job.carriers.size());
    const auto now = detail::SteadyClock::now();
    rate_limiter_.begin_batch();
    for (std::size_t i = 0; i < job.carriers.size(); ++i) {
      const auto& carrier = job.carriers[i];
      if (config_.shard_rate_limit && job.map && carrier.shard != detail::ShardMap::npos) {
        const std::string& shard = (*job.map)[carrier.shard].shard_id;
        const auto wait = rate_limiter_.take(shard, carrier.request_bytes, now);
        if (wait.count() > 0) {
          job.carrier_outcomes[i] = detail::Outcome::deferred(
              wait, "shard " + shard + " is at its write limit (shard_rate_limit)");
          continue;
        }
      }
      sending.push_back(i);
    }
    return sending;
  }

  // Completes the batch's user records, once every carrier has an outcome. When a carrier
  // landed on an unexpected shard, the shard map is read again first (without waiting on the I/O
  // thread) to tell which of its records that shard covers.
  void finish_aggregated(const std::shared_ptr<AggregatedSend>& job) {
    if (!detail::any_misplaced(job->carriers, job->carrier_outcomes, job->map.get())) {
      complete_users(*job, nullptr);
      return;
    }
    if (!map_stale_.exchange(true)) {
      log(LogLevel::info, "aws_kinesis " + stream_label() +
                              ": records landed on shards the shard map did not predict (a "
                              "split or merge); reading the shard map again");
    }
    list_shards_->fetch_async(map_request_timeout(),
                              [this, job](detail::ListShardsClient::Result result) {
                                if (result.map) {
                                  std::lock_guard<std::mutex> lock(fresh_map_mutex_);
                                  fresh_map_ = result.map;
                                }
                                complete_users(*job, result.map.get());
                              });
  }

  void complete_users(AggregatedSend& job, const detail::ShardMap* fresh_map) {
    std::vector<detail::Outcome> outcomes = detail::user_outcomes(
        job.carriers, job.carrier_outcomes, job.users, job.map.get(), fresh_map);
    pipeline().complete(std::move(job.users), outcomes);
  }

  std::chrono::milliseconds map_request_timeout() const {
    return std::min(options().request_timeout, std::chrono::milliseconds(10000));
  }

  // On the pipeline's worker (send()): ListShards at the first aggregated batch and after a
  // reshard was seen. Without the permission, records are grouped by key alone.
  void refresh_shard_map() {
    if (list_shards_denied_ || !map_stale_.load(std::memory_order_relaxed)) return;
    {
      // A map read on the I/O thread after a reshard was seen.
      std::lock_guard<std::mutex> lock(fresh_map_mutex_);
      if (fresh_map_) {
        shard_map_ = std::move(fresh_map_);
        fresh_map_.reset();
        map_stale_ = false;
        return;
      }
    }
    const auto now = detail::SteadyClock::now();
    if (now < next_map_attempt_) return;
    auto result = list_shards_->fetch(map_request_timeout());
    if (result.map) {
      shard_map_ = std::move(result.map);
      map_stale_ = false;
      map_failures_ = 0;
      return;
    }
    // Without a map (or with a stale one) only records of one key can share a carrier.
    shard_map_.reset();
    if (result.denied) {
      list_shards_denied_ = true;
      log(LogLevel::warning,
          "aws_kinesis " + stream_label() +
              ": ListShards is denied (the IAM policy does not allow kinesis:ListShards); "
              "without the shard map " +
              without_map_effect() + ". Allow kinesis:ListShards to predict each record's shard.");
      return;
    }
    next_map_attempt_ = now + std::chrono::seconds(1);
    if (map_failures_++ == 0) {
      log(LogLevel::warning, "aws_kinesis " + stream_label() + ": " + result.error +
                                 "; until it answers, " + without_map_effect());
    }
  }

  // Request bodies kept for reuse: one per request in flight, up to 1 MiB each.
  static constexpr std::size_t kMaxSpareBody = 1 << 20;
  // A PutRecords answer holds at most 500 results of ~100 bytes (an error message is short):
  // anything larger is not Kinesis speaking, and is retried as a malformed response.
  static constexpr std::size_t kMaxResponseBytes = 1 << 20;
  void outcomes(const http::Response& response, std::size_t n, std::vector<detail::Outcome>& out) {
    if (!response.ok()) {
      out.assign(n, detail::transport_failure_outcome(response));
      return;
    }
    if (response.status == 200) {
      detail::parse_put_records_response(response.body, n, out);
      return;
    }
    out.assign(n, error_outcome(response));
  }

  // The outcome of a PutRecord answer that arrived (PutRecordSender handles transport failures).
  detail::Outcome put_record_outcome(const http::Response& response) {
    if (response.status == 200) return detail::parse_put_record_response(response.body);
    return error_outcome(response);
  }

  // A request-level error answer (any status but 200).
  detail::Outcome error_outcome(const http::Response& response) {
    std::string type;
    std::string message;
    detail::parse_kinesis_error(response.body, response.header("x-amzn-errortype"), type, message);
    auto outcome = detail::kinesis_error_outcome(type, static_cast<int>(response.status), message);
    if (outcome.error == errc::expired_credentials && signer_->refresh_credentials()) {
      // Fresh credentials were obtained: the next attempt can succeed.
      outcome.kind = detail::Outcome::Kind::retry;
    }
    return outcome;
  }

  // True (and the destination switched to PutRecord, with one warning) when `response` is
  // PutRecords refused by an IAM policy that does not allow kinesis:PutRecords.
  bool put_records_denied(const http::Response& response) {
    if (!response.ok() || response.status == 200) return false;
    std::string type;
    std::string message;
    detail::parse_kinesis_error(response.body, response.header("x-amzn-errortype"), type, message);
    if (!detail::denies_put_records(type, message)) return false;
    if (!one_record_per_request_.exchange(true)) {
      log(LogLevel::warning,
          "aws_kinesis " + stream_label() +
              ": PutRecords is denied (the IAM policy does not allow kinesis:PutRecords); sending "
              "one PutRecord request per event from now on. Allow kinesis:PutRecords to send up "
              "to 500 records per request, or set api to put_record to silence this warning.");
    }
    return true;
  }

  std::string without_map_effect() const {
    std::string effect;
    if (config_.aggregation) {
      effect = "only records with the same partition key (or explicit hash key) are aggregated";
    }
    if (config_.shard_rate_limit) {
      effect += std::string(effect.empty() ? "" : " and ") + "shard_rate_limit does not pace";
    }
    return effect;
  }

  std::string stream_label() const {
    return config_.stream_arn.empty() ? config_.stream_name : config_.stream_arn;
  }

  const KinesisConfig config_;
  const PartitionKeyTemplate key_template_;
  const PartitionKeyTemplate hash_key_template_;
  // Records are sent in carriers built at send time (aggregation, or pacing by shard): their
  // payload is then the data blob, not a PutRecords entry.
  const bool carriers_ = config_.aggregation || config_.shard_rate_limit;
  const std::string url_;
  const std::string host_;
  std::string body_prefix_;
  std::unique_ptr<detail::KinesisSigner> signer_;
  detail::BufferPool bodies_;
  detail::OutcomeScratch outcome_scratch_;
  std::atomic<bool> one_record_per_request_{config_.api == KinesisApi::put_record};
  std::unique_ptr<detail::PutRecordSender> single_records_;  // its requests' callbacks use it
  std::unique_ptr<detail::ListShardsClient> list_shards_;
  // The shard map, read and replaced on the pipeline's worker only; the I/O thread only marks it
  // stale.
  std::shared_ptr<const detail::ShardMap> shard_map_;
  std::atomic<bool> map_stale_{true};
  std::mutex fresh_map_mutex_;
  std::shared_ptr<const detail::ShardMap> fresh_map_;  // from the I/O thread, for the worker
  bool list_shards_denied_ = false;
  detail::ShardRateLimiter rate_limiter_;  // the worker's only
  int map_failures_ = 0;
  detail::SteadyClock::time_point next_map_attempt_{};
  std::unique_ptr<http::Client> client_;  // last: destroyed first, its callbacks use the above
};

}  // namespace

std::unique_ptr<Destination> make_kinesis_destination(const KinesisConfig& config,
                                                      std::vector<std::string> topics,
                                                      std::optional<Filter> filter) {
  auto checked = detail::checked_kinesis_config(config);
  const DeliveryOptions delivery = checked.delivery;
  return detail::with_spool(std::make_unique<KinesisDestination>(
                                std::move(checked), std::move(topics), std::move(filter)),
                            delivery);
}

}  // namespace eventdest
