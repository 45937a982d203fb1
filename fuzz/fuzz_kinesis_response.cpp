// The PutRecords response parser on arbitrary bodies: one outcome per record, never a crash, and
// its fast path agrees with the full SAX reader.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kinesis/kinesis_records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const std::size_t count = size % 7;
  auto outcomes = eventdest::detail::parse_put_records_response(body, count);
  if (outcomes.size() != count) std::abort();
  const auto full = eventdest::detail::parse_put_records_response_generic(body, count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto& a = outcomes[i];
    const auto& b = full[i];
    if (a.kind != b.kind || a.error != b.error || a.provider_code != b.provider_code ||
        a.message != b.message || a.maybe_sent != b.maybe_sent || a.shard_id != b.shard_id ||
        a.sequence_number != b.sequence_number || a.http_status != b.http_status) {
      std::abort();
    }
  }
  std::string type, message;
  eventdest::detail::parse_kinesis_error(body, body.substr(0, size / 2), type, message);
  return 0;
}
