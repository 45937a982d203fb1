// Proleptic Gregorian calendar arithmetic (Howard Hinnant's algorithms): no timegm, no time zone
// database, valid for any year.
#pragma once

#include <cstddef>
#include <string_view>

namespace eventdest::detail {

/// Days since 1970-01-01.
long long days_from_civil(long long y, unsigned m, unsigned d);
void civil_from_days(long long z, long long& y, unsigned& m, unsigned& d);
/// The `n` decimal digits of `s` at `pos` as a number; false if any is not a digit.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out);

}  // namespace eventdest::detail
