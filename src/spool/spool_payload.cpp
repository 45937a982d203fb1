#include "spool/spool_payload.hpp"

#include <chrono>

#include "util/calendar.hpp"
#include "util/json_util.hpp"

namespace eventdest::detail {
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

// format_rfc3339(): "2024-01-01T00:00:00Z", with ".123" before the Z when not a whole second.
void append_rfc3339(std::string& out, Clock::time_point t) {
  const long long ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  long long seconds = ms / 1000;
  long long millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  long long days = seconds / 86400;
  long long in_day = seconds % 86400;
  if (in_day < 0) {
    in_day += 86400;
    --days;
  }
  long long y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  if (y < 0 || y > 9999) {  // outside what four digits write: the general formatter
    out += format_rfc3339(t);
    return;
  }
  put_digits(out, y, 4);
  out += '-';
  put_digits(out, m, 2);
  out += '-';
  put_digits(out, d, 2);
  out += 'T';
  put_digits(out, in_day / 3600, 2);
  out += ':';
  put_digits(out, in_day / 60 % 60, 2);
  out += ':';
  put_digits(out, in_day % 60, 2);
  if (millis != 0) {
    out += '.';
    put_digits(out, millis, 3);
  }
  out += 'Z';
}

}  // namespace

void write_spool_payload(const Event& event, std::string& out) {
  out.clear();
  out += "{\"id\":";
  append_json_string(out, event.id());
  out += ",\"topic\":";
  append_json_string(out, event.topic());
  out += ",\"time\":\"";
  append_rfc3339(out, event.time());
  out += "\",\"metadata\":{";
  bool first = true;
  for (const auto& [key, value] : event.metadata()) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, key);
    out += ':';
    append_json_string(out, value);
  }
  out += "},\"data\":";
  out += event.data();
  out += '}';
}

}  // namespace eventdest::detail
