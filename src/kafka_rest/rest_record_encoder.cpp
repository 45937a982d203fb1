#include "kafka_rest/rest_record_encoder.hpp"

#include "util/base64.hpp"
#include "util/json_util.hpp"

namespace eventdest::detail {

void append_produce_request(std::string& out, std::string_view key, std::string_view data_json,
                            const MetadataList& headers, KafkaRecordFormat format,
                            std::string_view batch_id) {
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
  for (const auto& [name, value] : headers) {
    if (!first) out += ',';
    first = false;
    out += R"({"name":)";
    append_json_string(out, name);
    out += R"(,"value":")";
    append_base64(out, value);
    out += "\"}";
  }
  out += R"(],"key":{"type":"STRING","data":)";
  append_json_string(out, key);
  out += R"(},"value":{"type":"JSON","data":)";
  out.append(data_json.data(), data_json.size());
  out += "}}";
}

}  // namespace eventdest::detail
