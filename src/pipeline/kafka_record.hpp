// The headers of a Kafka record, shared by the native and the REST destinations so both write the
// same record: Outpost's (content-type, system metadata, then metadata) or hookstream's.
#pragma once

#include <string_view>

#include "eventdest/event.hpp"
#include "eventdest/spec.hpp"
#include "util/adapter_export.hpp"

namespace eventdest::detail {

/// Outpost's content-type header, written first in the outpost format.
constexpr std::string_view kKafkaContentType = "application/json";

/// hookstream's headers for `event`: `hookstream-event-id`, `hookstream-destination-id` (left out
/// when the spec has neither id nor name), then `delivery_metadata` with the event's own metadata
/// merged over it (later values win on equal keys; a key keeps its first position).
EVENTDEST_ADAPTER_API MetadataList hookstream_headers(const Event& event,
                                                      const Metadata& delivery_metadata,
                                                      std::string_view destination_id);

}  // namespace eventdest::detail
