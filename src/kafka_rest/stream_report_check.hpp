// Which streamed REST Proxy reports can be attributed to records. Reports carry no record id:
// the n-th report is taken for the n-th record, which only holds while the server sends exactly
// one report per record, in order. A duplicated, extra or missing report would shift every later
// one onto the wrong record (a record "delivered" at an offset it never got, another's failure
// taken as its own), so reports are trusted only up to the first sign of such a shift.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "pipeline/record.hpp"

namespace eventdest::detail {

/// How many leading `reports` (from parse_stream_reports) belong to the first records of a
/// request of `records` records. A delivered report whose offset is not above the previous
/// delivered offset of its partition ends the trusted run: before it when it repeats that offset
/// (a duplicate, which also accounts for an extra report), before that previous report when it
/// goes back (out of order: the previous one was out of place too). A count that does not match
/// (more reports than records, or fewer in a response that ended normally, `complete`) without such
/// a sign cannot be placed: nothing is trusted. `why` says what was wrong when fewer than
/// min(reports, records) are trusted.
std::size_t trusted_stream_reports(const std::vector<Outcome>& reports, std::size_t records,
                                   bool complete, std::string& why);

}  // namespace eventdest::detail
