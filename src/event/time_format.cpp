// Event times as text: RFC 3339 parsing and the `timestamp` metadata formats.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "event/time_text.hpp"
#include "eventdest/event.hpp"
#include "util/calendar.hpp"

namespace eventdest {

bool parse_rfc3339(std::string_view s, Clock::time_point& out) {
  int year, month, day, hour, minute, second;
  if (!detail::digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' ||
      !detail::digits(s, 5, 2, month) || s[7] != '-' || !detail::digits(s, 8, 2, day) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !detail::digits(s, 11, 2, hour) ||
      s[13] != ':' || !detail::digits(s, 14, 2, minute) || s[16] != ':' ||
      !detail::digits(s, 17, 2, second)) {
    return false;
  }
  static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1] || hour > 23 ||
      minute > 59 || second > 60) {
    return false;
  }
  // system_clock counts nanoseconds in 64 bits: about 1678 to 2261 is representable.
  if (year < 1678 || year > 2261) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return false;
  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    std::int64_t scale = 100000000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return false;
  }
  std::int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!detail::digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !detail::digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return false;
    }
    offset_seconds = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  const std::int64_t days =
      detail::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t secs =
      days * 86400 + hour * 3600 + minute * 60 + std::min(second, 59) - offset_seconds;
  out = Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::seconds(secs) + std::chrono::nanoseconds(nanos)));
  return true;
}

namespace detail {
namespace {

void put_digits(std::string& out, long long value, int width) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 || n < width);
  while (n > 0)
    out += digits[--n];
}

}  // namespace

void append_rfc3339(std::string& out, Clock::time_point t, bool with_ms) {
  const long long ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  auto floor_div = [](long long a, long long b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
  };
  const long long secs = floor_div(ms, 1000);
  const int millis = static_cast<int>(ms - secs * 1000);
  const long long days = floor_div(secs, 86400);
  const long long rem = secs - days * 86400;
  long long y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  if (y < 0 || y > 9999) {  // what four digits cannot write: printf's widths as they were
    char buf[96];           // room for any long long year: no truncation
    if (with_ms) {
      std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03dZ", y, m, d,
                    rem / 3600, rem / 60 % 60, rem % 60, millis);
    } else {
      std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", y, m, d, rem / 3600,
                    rem / 60 % 60, rem % 60);
    }
    out += buf;
    return;
  }
  // Digit by digit: this runs for every spooled event and every rfc3339 timestamp.
  put_digits(out, y, 4);
  out += '-';
  put_digits(out, m, 2);
  out += '-';
  put_digits(out, d, 2);
  out += 'T';
  put_digits(out, rem / 3600, 2);
  out += ':';
  put_digits(out, rem / 60 % 60, 2);
  out += ':';
  put_digits(out, rem % 60, 2);
  if (with_ms) {
    out += '.';
    put_digits(out, millis, 3);
  }
  out += 'Z';
}

void append_event_time(std::string& out, Clock::time_point t) {
  const bool whole =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000 ==
      0;
  append_rfc3339(out, t, !whole);
}

}  // namespace detail

std::string format_timestamp(Clock::time_point t, TimestampFormat format) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  auto floor_div = [](long long a, long long b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
  };
  switch (format) {
    case TimestampFormat::unix_seconds:
      return std::to_string(floor_div(ms, 1000));
    case TimestampFormat::unix_ms:
      return std::to_string(ms);
    case TimestampFormat::rfc3339:
    case TimestampFormat::rfc3339_ms: {
      std::string out;
      detail::append_rfc3339(out, t, format == TimestampFormat::rfc3339_ms);
      return out;
    }
  }
  return {};
}

std::string format_rfc3339(Clock::time_point t) {
  std::string out;
  detail::append_event_time(out, t);
  return out;
}

}  // namespace eventdest
