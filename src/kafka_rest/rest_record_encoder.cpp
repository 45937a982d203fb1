#include "kafka_rest/rest_record_encoder.hpp"

namespace eventdest::detail {

void append_produce_request(std::string& out, std::string_view key, std::string_view data_json,
                            const MetadataList& headers, KafkaRecordFormat format,
                            std::string_view batch_id) {
  append_produce_request_with(
      out, key, data_json,
      [&headers](const auto& add) {
        for (const auto& [name, value] : headers)
          add(name, value);
      },
      format, batch_id);
}

}  // namespace eventdest::detail
