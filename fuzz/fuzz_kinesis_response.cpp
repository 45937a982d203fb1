// The PutRecords response parser on arbitrary bodies: one outcome per record, never a crash, and
// its fast path agrees with the full SAX reader. Also the PutRecord answer and the PutRecords
// denial check on the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kinesis/kinesis_records.hpp"
#include "kinesis/put_record.hpp"

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
  (void)eventdest::detail::denies_put_records(type, message);
  const auto single = eventdest::detail::parse_put_record_response(body);
  // Delivered only with both ids; anything else is a retry, never a silent success.
  if (single.kind == eventdest::detail::Outcome::Kind::delivered
          ? single.shard_id.empty() || single.sequence_number.empty()
          : single.kind != eventdest::detail::Outcome::Kind::retry) {
    std::abort();
  }
  return 0;
}
