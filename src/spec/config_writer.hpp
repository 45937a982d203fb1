// The reverse of the config readers: a typed config's shared options written back as spec text,
// so that a typed config is checked by exactly the rules a JSON spec is (one rule set, see
// KinesisConfig::validate() and the other typed configs).
#pragma once

#include <cstdint>
#include <string>

#include "eventdest/spec.hpp"

namespace eventdest::detail {

/// Sets `config.<key>` to `value` (an empty value stays absent, as in a spec).
void set_config(DestinationSpec& spec, const std::string& key, std::string value);
void set_config(DestinationSpec& spec, const std::string& key, std::int64_t value);
void set_config(DestinationSpec& spec, const std::string& key, bool value);
/// Sets `credentials.<key>` unless `value` is empty.
void set_credential(DestinationSpec& spec, const std::string& key, const std::string& value);

void write_delivery_options(DestinationSpec& spec, const DeliveryOptions& options);
void write_http_tls_options(DestinationSpec& spec, const HttpTlsOptions& options);
void write_kafka_record_options(DestinationSpec& spec, const KafkaRecordOptions& options);

}  // namespace eventdest::detail
