// The spool's segment and release-journal readers on arbitrary bytes (a damaged or hostile file
// on disk): never a crash or a read outside the input, and every record returned is one the
// writer could have written (re-framing it gives the same bytes).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "spool/spool_segment.hpp"

using namespace eventdest::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  const SegmentContents contents = read_spool_segment(input);
  std::size_t covered = 0;
  for (const auto& record : contents.records) {
    std::string framed;
    append_spool_record(framed, record.sequence, record.payload);
    if (input.substr(record.offset, framed.size()) != framed) std::abort();
    covered += framed.size();
  }
  if (contents.valid_end > size || contents.torn_tail_bytes > size - contents.valid_end ||
      covered > size) {
    std::abort();
  }
  (void)read_spool_acks(input);
  return 0;
}
