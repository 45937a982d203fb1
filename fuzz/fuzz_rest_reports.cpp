// The REST Proxy v3 streamed-report and records:batch parsers on arbitrary bodies.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kafka_rest/rest_response_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  bool complete = false;
  auto reports = eventdest::detail::parse_stream_reports(body, 200, complete);
  if (reports.size() > size) std::abort();  // at least one byte per report
  const std::size_t count = size % 11;
  if (eventdest::detail::parse_batch_response(body, count, 207).size() != count) std::abort();
  return 0;
}
