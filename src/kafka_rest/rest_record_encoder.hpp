// Encodes one event as a REST Proxy v3 ProduceRequest: key STRING (the partition key), value JSON
// (the event's raw data), headers (in Outpost's format content-type, then event-id, topic,
// timestamp and the metadata; in hookstream's those of kafka_record.hpp), each value as padded
// standard base64. The same Kafka record the native adapter writes.
#pragma once

#include <string>
#include <string_view>

#include "eventdest/event.hpp"
#include "eventdest/spec.hpp"

namespace eventdest::detail {

/// Appends the ProduceRequest object for one record to `out`: the outpost format writes the
/// content-type header before `headers`, hookstream's writes `headers` alone. With `batch_id`, the
/// object is a records:batch entry with that `id` first.
void append_produce_request(std::string& out, std::string_view key, std::string_view data_json,
                            const MetadataList& headers,
                            KafkaRecordFormat format = KafkaRecordFormat::outpost,
                            std::string_view batch_id = {});

}  // namespace eventdest::detail
