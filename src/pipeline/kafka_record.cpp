#include "pipeline/kafka_record.hpp"

#include <algorithm>

namespace eventdest::detail {

MetadataList hookstream_headers(const Event& event, const Metadata& delivery_metadata,
                                std::string_view destination_id) {
  MetadataList out;
  out.reserve(2 + delivery_metadata.size() + event.metadata().size());
  out.emplace_back("hookstream-event-id", event.id());
  if (!destination_id.empty()) out.emplace_back("hookstream-destination-id", destination_id);
  const std::size_t first_metadata = out.size();
  for (const auto& [k, v] : delivery_metadata)
    out.emplace_back(k, v);
  for (const auto& [k, v] : event.metadata()) {
    auto it = std::find_if(out.begin() + static_cast<std::ptrdiff_t>(first_metadata), out.end(),
                           [&k = k](const auto& p) { return p.first == k; });
    if (it != out.end()) {
      it->second = v;
    } else {
      out.emplace_back(k, v);
    }
  }
  return out;
}

}  // namespace eventdest::detail
