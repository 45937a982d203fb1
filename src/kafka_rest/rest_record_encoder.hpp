// Encodes one event as a REST Proxy v3 ProduceRequest: key STRING (the partition key), value JSON
// (the event's raw data), headers (in Outpost's format content-type, then event-id, topic,
// timestamp and the metadata; in hookstream's those of kafka_record.hpp), each value as padded
// standard base64. The same Kafka record the native adapter writes.
#pragma once

#include <string>
#include <string_view>

#include "eventdest/event.hpp"
#include "eventdest/spec.hpp"
#include "util/base64.hpp"
#include "util/json_util.hpp"

namespace eventdest::detail {

/// Appends the ProduceRequest object for one record to `out`: the outpost format writes the
/// content-type header before the headers, hookstream's writes the headers alone. With
/// `batch_id`, the object is a records:batch entry with that `id` first. `each_header(f)` calls
/// `f(name, value)` for each header, in order (a list's pairs, or merged metadata visited without
/// building one).
template <class EachHeader>
void append_produce_request_with(std::string& out, std::string_view key, std::string_view data_json,
                                 EachHeader&& each_header, KafkaRecordFormat format,
                                 std::string_view batch_id = {}) {
  out += '{';
  if (!batch_id.empty()) {
    out += "\"id\":";
    append_json_string(out, batch_id);
    out += ',';
  }
  out += R"("headers":[)";
  bool first = true;
  if (format == KafkaRecordFormat::outpost) {
    out += R"({"name":"content-type","value":"YXBwbGljYXRpb24vanNvbg=="})";  // application/json
    first = false;
  }
  each_header([&out, &first](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    out += R"({"name":)";
    append_json_string(out, name);
    out += R"(,"value":")";
    append_base64(out, value);
    out += "\"}";
  });
  out += R"(],"key":{"type":"STRING","data":)";
  append_json_string(out, key);
  out += R"(},"value":{"type":"JSON","data":)";
  out.append(data_json.data(), data_json.size());
  out += "}}";
}

/// append_produce_request_with() for the headers of a list.
void append_produce_request(std::string& out, std::string_view key, std::string_view data_json,
                            const MetadataList& headers,
                            KafkaRecordFormat format = KafkaRecordFormat::outpost,
                            std::string_view batch_id = {});

}  // namespace eventdest::detail
