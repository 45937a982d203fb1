// Kinesis PutRecords encoding and response parsing.
//
// A record's payload is `{"metadata": {...}, "data": <raw data>}` (metadata_in_payload) or the raw
// data alone; the request entry is `{"Data":"<base64>","PartitionKey":"<key>"}`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eventdest/event.hpp"
#include "pipeline/record.hpp"

namespace eventdest::detail {

/// The record's data blob (before base64).
std::string kinesis_payload(const Event& event, const MetadataList& metadata,
                            bool metadata_in_payload);
/// The blob with metadata (`{"metadata":{...},"data":...}`), appended to `out`.
void append_kinesis_payload_with_metadata(std::string& out, const Event& event,
                                          const MetadataList& metadata);
/// The same for an event without metadata of its own and a destination without
/// delivery_metadata: the system metadata is written straight from the event, no list built.
void append_kinesis_payload_with_system_metadata(std::string& out, const Event& event,
                                                 TimestampFormat format);
/// The same, merged_metadata(event, format, extra, timestamp_ms) written pair by pair (no list
/// built).
void append_kinesis_payload_with_merged_metadata(std::string& out, const Event& event,
                                                 TimestampFormat format, const Metadata& extra,
                                                 bool timestamp_ms);
/// Appends one PutRecords entry for `blob` and `key` to `out`.
void append_put_records_entry(std::string& out, std::string_view blob, std::string_view key);
/// The same with an ExplicitHashKey (decimal) when `explicit_hash_key` is not empty.
void append_put_records_entry(std::string& out, std::string_view blob, std::string_view key,
                              std::string_view explicit_hash_key);

/// Per-record outcomes from a 200 PutRecords response for `count` records. A response that
/// does not parse or has the wrong number of records yields retryable outcomes (never a silent
/// success).
std::vector<Outcome> parse_put_records_response(std::string_view body, std::size_t count);
/// The same into `out`, resized to `count`. Delivered entries reuse the strings of `out`'s
/// elements, so a caller that keeps `out` from response to response allocates nothing per
/// delivered record.
void parse_put_records_response(std::string_view body, std::size_t count,
                                std::vector<Outcome>& out);
/// The same, by the full SAX reader alone (parse_put_records_response uses it for every body its
/// fast path does not take; tests and the fuzzer compare the two).
std::vector<Outcome> parse_put_records_response_generic(std::string_view body, std::size_t count);

/// The outcome of a request-level Kinesis error: `type` from the JSON `__type` or the
/// x-amzn-ErrorType header (anything after ':' or '#' is ignored).
Outcome kinesis_error_outcome(std::string_view type, int http_status, std::string message);

/// `__type` (without the namespace prefix) and `message` of an error body, as far as they parse.
void parse_kinesis_error(std::string_view body, std::string_view error_type_header,
                         std::string& type, std::string& message);

}  // namespace eventdest::detail
