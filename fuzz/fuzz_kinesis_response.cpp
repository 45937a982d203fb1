// The PutRecords response parser on arbitrary bodies: one outcome per record, never a crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kinesis/kinesis_records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const std::size_t count = size % 7;
  auto outcomes = eventdest::detail::parse_put_records_response(body, count);
  if (outcomes.size() != count) std::abort();
  std::string type, message;
  eventdest::detail::parse_kinesis_error(body, body.substr(0, size / 2), type, message);
  return 0;
}
