// The kafka_rest destination: DeliveryPipeline batches sent to REST Proxy v3 in one of three
// modes. Stream mode is the default: one request carries many records and REST Proxy answers one
// report per record, so the per-request cost is shared and every record still gets an exact
// outcome (records:batch is capped at a few entries per request by the server).
#include "event/merged_metadata.hpp"
#include "eventdest/kafka_rest.hpp"
#include "eventdest/log.hpp"
#include "eventdest/partition_key.hpp"
#include "http/http_client.hpp"
#include "http/url.hpp"
#include "kafka_rest/kafka_rest_config_reader.hpp"
#include "kafka_rest/rest_errors.hpp"
#include "kafka_rest/rest_record_encoder.hpp"
#include "kafka_rest/rest_response_parser.hpp"
#include "kafka_rest/stream_report_check.hpp"
#include "pipeline/http_outcome.hpp"
#include "pipeline/kafka_record.hpp"
#include "pipeline/pipeline_destination.hpp"
#include "spool/spooled_destination.hpp"
#include "util/json_depth.hpp"

namespace eventdest {
namespace {

const char* mode_name(KafkaRestMode m) {
  switch (m) {
    case KafkaRestMode::single:
      return "single";
    case KafkaRestMode::stream:
      return "stream";
    case KafkaRestMode::batch:
      return "batch";
  }
  return "?";
}

detail::BatchLimits limits_for(const KafkaRestConfig& c) {
  detail::BatchLimits l;
  l.max_records = c.mode == KafkaRestMode::single ? 1 : c.max_batch_records;
  l.max_bytes = c.max_batch_bytes;
  return l;
}

http::ClientOptions client_options(const KafkaRestConfig& c) {
  http::ClientOptions o;
  o.verify_tls = c.tls.verify;
  o.ca_file = c.tls.ca_file;
  o.max_connections = static_cast<std::size_t>(std::max(2, c.delivery.max_in_flight));
  return o;
}

class KafkaRestDestination final : public detail::PipelineDestination {
 public:
  KafkaRestDestination(KafkaRestConfig config, std::vector<std::string> topics,
                       std::optional<Filter> filter)
      : PipelineDestination("kafka_rest", std::move(topics), std::move(filter), config.delivery,
                            limits_for(config)),
        config_(std::move(config)),
        key_template_(config_.partition_key_template),
        client_(std::make_unique<http::Client>(client_options(config_))) {
    // The config has validated cluster and topic; encoding them as well means no value can
    // ever change which resource the request names.
    records_url_ = http::build_url(config_.base_url, {"kafka", "v3", "clusters", config_.cluster_id,
                                                      "topics", config_.topic, "records"});
    if (!config_.tls.verify) {
      log(LogLevel::warning, "kafka_rest " + http::display_url(config_.base_url) +
                                 ": TLS certificate verification is disabled (tls_verify=false)");
    }
  }

  ~KafkaRestDestination() override { close_now(); }

  std::string to_string() const override {
    return "kafka_rest(url=" + http::display_url(config_.base_url) +
           ", cluster=" + config_.cluster_id + ", topic=" + config_.topic +
           ", mode=" + mode_name(config_.mode) + ")";
  }

 protected:
  std::optional<detail::Outcome> prepare(detail::Record& record) override {
    const DeliveryOptions& o = options();
    // The merged list is only built for a key template that reads metadata; Outpost's headers
    // are otherwise written from the event and the options pair by pair.
    MetadataList metadata;
    if (key_template_.reads_metadata())
      metadata =
          merged_metadata(record.event, o.timestamp_format, o.delivery_metadata, o.timestamp_ms);
    record.partition_key = key_template_.key(record.event, metadata);
    const auto format = config_.record.format;
    const std::string_view data = record.event.data();
    // Room for the usual record at once (the fixed JSON, the system headers in base64); a pooled
    // record's payload keeps its capacity from event to event.
    record.payload.reserve(384 + record.partition_key.size() + data.size());
    if (format == KafkaRecordFormat::hookstream) {
      const MetadataList headers = detail::hookstream_headers(record.event, o.delivery_metadata,
                                                              config_.record.destination_id);
      detail::append_produce_request(record.payload, record.partition_key, data, headers, format);
    } else if (!metadata.empty()) {
      detail::append_produce_request(record.payload, record.partition_key, data, metadata, format);
    } else {
      detail::append_produce_request_with(
          record.payload, record.partition_key, data,
          [&](const auto& add) {
            detail::for_each_merged_metadata(record.event, o.timestamp_format, o.delivery_metadata,
                                             o.timestamp_ms, add);
          },
          format);
    }
    if (record.payload.size() > config_.max_record_bytes) {
      return detail::Outcome::failure(detail::Outcome::Kind::fail, errc::record_too_large,
                                      "record of " + std::to_string(record.payload.size()) +
                                          " bytes is over max_record_bytes (" +
                                          std::to_string(config_.max_record_bytes) + ")");
    }
    return std::nullopt;
  }

  const PartitionKeyTemplate& key_template() const override { return key_template_; }

  void send(detail::Batch batch) override {
    http::Request request;
    request.url = records_url_;
    request.timeout = request_timeout(batch);
    request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    request.basic_auth_user = config_.api_key;
    request.basic_auth_password = config_.api_secret;
    std::size_t size = 16;
    for (const auto& r : batch)
      size += r->payload.size() + 16;
    request.body.reserve(size);
    const bool batch_mode = config_.mode == KafkaRestMode::batch;
    if (batch_mode) {
      request.url += ":batch";
      request.body = "{\"entries\":[";
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (i) request.body += ',';
        // Entry ids are the index in this request: responses are matched by id.
        request.body += "{\"id\":\"" + std::to_string(i) + "\",";
        request.body.append(batch[i]->payload, 1, std::string::npos);
      }
      request.body += "]}";
    } else {
      for (const auto& r : batch) {
        request.body += r->payload;
        request.body += '\n';
      }
    }
    // A streamed report is ~130 bytes (cluster, topic, partition, offset, timestamp, key/value
    // sizes).
    request.expected_response_bytes = batch.size() * 160;
    // One report (or batch entry) per record sent, each well under 4 KiB even with an error
    // message: more is not REST Proxy answering, and is retried as a malformed response.
    request.max_response_bytes = kMaxResponseBaseBytes + batch.size() * kMaxResponseBytesPerRecord;
    auto shared = std::make_shared<detail::Batch>(std::move(batch));
    client_->send(std::move(request), [this, shared, batch_mode](http::Response&& response) {
      auto outcomes = batch_mode ? batch_outcomes(response, shared->size())
                                 : stream_outcomes(response, shared->size());
      if (response.resent) {
        for (auto& o : outcomes)
          o.maybe_sent = true;
      }
      pipeline().complete(std::move(*shared), std::move(outcomes));
    });
  }

  void stop_transport() override { client_.reset(); }

 private:
  static constexpr std::size_t kMaxResponseBaseBytes = 64 << 10;
  static constexpr std::size_t kMaxResponseBytesPerRecord = 4 << 10;

  static std::string error_message(const http::Response& response, int& error_code) {
    error_code = static_cast<int>(response.status);
    rapidjson::Document doc;
    const bool parsed =
        detail::parse_document_limited(doc, response.body.data(), response.body.size()).ok();
    std::string message = "HTTP " + std::to_string(response.status);
    if (parsed && doc.IsObject()) {
      if (auto c = doc.FindMember("error_code"); c != doc.MemberEnd() && c->value.IsInt()) {
        error_code = c->value.GetInt();
      }
      if (auto m = doc.FindMember("message"); m != doc.MemberEnd() && m->value.IsString()) {
        message += ": " + std::string(m->value.GetString(), m->value.GetStringLength());
      }
    }
    return message;
  }

  std::vector<detail::Outcome> request_failure(const http::Response& response, std::size_t n) {
    int code = 0;
    auto message = error_message(response, code);
    return std::vector<detail::Outcome>(
        n, detail::rest_error_outcome(code, static_cast<int>(response.status), message));
  }

  std::vector<detail::Outcome> stream_outcomes(const http::Response& response, std::size_t n) {
    if (response.ok() && response.status != 200) return request_failure(response, n);
    if (!response.ok() && response.received_status != 200) {
      // Nothing or a non-200 arrived before the failure: no report can be trusted.
      return std::vector<detail::Outcome>(n, detail::transport_failure_outcome(response));
    }
    // 200, complete or cut mid-way: every report that can be attributed to its record counts;
    // the other records are retried, flagged as possible duplicates (they may have been written).
    bool complete = false;
    auto outcomes = detail::parse_stream_reports(response.body, 200, complete, n);
    std::string why;
    const std::size_t trusted =
        detail::trusted_stream_reports(outcomes, n, response.ok() && complete, why);
    outcomes.resize(trusted);
    if (outcomes.size() < n) {
      detail::Outcome rest =
          !why.empty()
              ? detail::Outcome::classify(
                    errc::server_error,
                    "REST Proxy reports cannot be matched to records (" + why + ")", {}, 200, true)
          : response.ok()
              ? detail::Outcome::classify(errc::server_error,
                                          "REST Proxy sent " + std::to_string(outcomes.size()) +
                                              " reports for " + std::to_string(n) + " records",
                                          {}, 200, true)
              : detail::transport_failure_outcome(response);
      outcomes.resize(n, rest);
    }
    return outcomes;
  }

  std::vector<detail::Outcome> batch_outcomes(const http::Response& response, std::size_t n) {
    if (!response.ok()) {
      return std::vector<detail::Outcome>(n, detail::transport_failure_outcome(response));
    }
    if (response.status != 207 && response.status != 200) return request_failure(response, n);
    return detail::parse_batch_response(response.body, n, static_cast<int>(response.status));
  }

  const KafkaRestConfig config_;
  const PartitionKeyTemplate key_template_;
  std::string records_url_;
  std::unique_ptr<http::Client> client_;
};

}  // namespace

std::unique_ptr<Destination> make_kafka_rest_destination(const KafkaRestConfig& config,
                                                         std::vector<std::string> topics,
                                                         std::optional<Filter> filter) {
  auto checked = detail::checked_kafka_rest_config(config);
  const DeliveryOptions delivery = checked.delivery;
  return detail::with_spool(std::make_unique<KafkaRestDestination>(
                                std::move(checked), std::move(topics), std::move(filter)),
                            delivery);
}

}  // namespace eventdest
