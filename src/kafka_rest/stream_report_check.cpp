#include "kafka_rest/stream_report_check.hpp"

#include <algorithm>
#include <cstdint>

namespace eventdest::detail {

std::size_t trusted_stream_reports(const std::vector<Outcome>& reports, std::size_t records,
                                   bool complete, std::string& why) {
  // Kafka gives each record of a partition a higher offset than the one before it, and REST
  // Proxy writes a request's records in order: within one response a partition's offsets only
  // grow. Per partition: the last offset and the index of its report. A few partitions per
  // request: a flat list beats a map.
  struct Last {
    std::int32_t partition;
    std::int64_t offset;
    std::size_t index;
  };
  std::vector<Last> last;
  // Extra reports are scanned too: a duplicate of the last report explains the extra one.
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const Outcome& r = reports[i];
    if (r.kind != Outcome::Kind::delivered) continue;
    auto it = last.begin();
    while (it != last.end() && it->partition != r.partition)
      ++it;
    if (it == last.end()) {
      last.push_back({r.partition, r.offset, i});
      continue;
    }
    if (r.offset > it->offset) {
      it->offset = r.offset;
      it->index = i;
      continue;
    }
    // A repeat: the first copy was the record's own report, this one belongs to nobody. Going
    // back: the earlier, higher report was out of place as well, so trust ends before it.
    const bool repeat = r.offset == it->offset;
    why = "report " + std::to_string(i + 1) + (repeat ? " repeats" : " goes back to") +
          " partition " + std::to_string(r.partition) + " offset " + std::to_string(r.offset) +
          (repeat ? "" : " after offset " + std::to_string(it->offset));
    return std::min(repeat ? i : it->index, records);
  }
  if (reports.size() > records || (complete && reports.size() < records)) {
    why = std::to_string(reports.size()) + " reports for " + std::to_string(records) + " records";
    return 0;
  }
  return std::min(reports.size(), records);
}

}  // namespace eventdest::detail
