#include "spec/config_writer.hpp"

#include "util/json_util.hpp"

namespace eventdest::detail {

void set_config(DestinationSpec& spec, const std::string& key, std::string value) {
  if (!value.empty()) spec.config[key] = std::move(value);
}

void set_config(DestinationSpec& spec, const std::string& key, std::int64_t value) {
  spec.config[key] = std::to_string(value);
}

void set_config(DestinationSpec& spec, const std::string& key, bool value) {
  spec.config[key] = value ? "true" : "false";
}

void set_credential(DestinationSpec& spec, const std::string& key, const std::string& value) {
  if (!value.empty()) spec.credentials[key] = value;
}

void write_delivery_options(DestinationSpec& spec, const DeliveryOptions& o) {
  set_config(spec, "delivery_timeout_ms", static_cast<std::int64_t>(o.delivery_timeout.count()));
  set_config(spec, "request_timeout_ms", static_cast<std::int64_t>(o.request_timeout.count()));
  set_config(spec, "linger_ms", static_cast<std::int64_t>(o.linger.count()));
  set_config(spec, "retry_backoff_ms", static_cast<std::int64_t>(o.retry_backoff.count()));
  set_config(spec, "retry_backoff_max_ms", static_cast<std::int64_t>(o.retry_backoff_max.count()));
  set_config(spec, "max_buffered_bytes", static_cast<std::int64_t>(o.max_buffered_bytes));
  set_config(spec, "on_queue_full",
             std::string(o.on_queue_full == QueueFullBehavior::fail ? "fail" : "block"));
  set_config(spec, "max_in_flight_requests", static_cast<std::int64_t>(o.max_in_flight));
  const char* format = "unix";
  switch (o.timestamp_format) {
    case TimestampFormat::unix_seconds:
      break;
    case TimestampFormat::unix_ms:
      format = "unix_ms";
      break;
    case TimestampFormat::rfc3339:
      format = "rfc3339";
      break;
    case TimestampFormat::rfc3339_ms:
      format = "rfc3339_ms";
      break;
  }
  set_config(spec, "timestamp_format", std::string(format));
  set_config(spec, "include_millisecond_timestamp", o.timestamp_ms);
  spec.delivery_metadata = o.delivery_metadata;
  spec.disabled_at = o.disabled_at;
  if (o.spool) {
    set_config(spec, "spool",
               "{\"dir\":" + json_string(o.spool->dir) +
                   ",\"max_bytes\":" + std::to_string(o.spool->max_bytes) +
                   ",\"sync_ms\":" + std::to_string(o.spool->sync.count()) +
                   ",\"segment_bytes\":" + std::to_string(o.spool->segment_bytes) + "}");
  }
}

void write_http_tls_options(DestinationSpec& spec, const HttpTlsOptions& o) {
  set_config(spec, "tls_verify", o.verify);
  set_config(spec, "ca_file", o.ca_file);
}

void write_kafka_record_options(DestinationSpec& spec, const KafkaRecordOptions& o) {
  set_config(spec, "record_format",
             std::string(o.format == KafkaRecordFormat::hookstream ? "hookstream" : "outpost"));
  spec.id = o.destination_id;
}

}  // namespace eventdest::detail
