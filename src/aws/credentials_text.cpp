// Text helpers of the credential sources: INI files, the one XML element STS answers with,
// ISO 8601 timestamps, redaction.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "aws/credential_sources.hpp"

namespace eventdest::aws::detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Drops an inline comment: '#' or ';' preceded by whitespace.
std::string_view strip_inline_comment(std::string_view s) {
  for (std::size_t i = 1; i < s.size(); ++i) {
    if ((s[i] == '#' || s[i] == ';') && is_space(s[i - 1])) return s.substr(0, i);
  }
  return s;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

IniFile parse_ini(std::string_view text) {
  IniFile ini;
  std::map<std::string, std::string>* section = nullptr;
  std::string last_key;
  bool last_value_empty = false;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    const bool indented = !raw.empty() && (raw[0] == ' ' || raw[0] == '\t');
    std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      const auto close = line.find(']');
      if (close == std::string_view::npos) {
        section = nullptr;  // malformed header: ignore what follows until the next section
        continue;
      }
      section = &ini[std::string(trim(line.substr(1, close - 1)))];
      last_key.clear();
      continue;
    }
    if (!section) continue;
    // Nested settings ("s3 =\n  max_concurrent_requests = 10") belong to the key above.
    if (indented && !last_key.empty() && last_value_empty) continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string key = lower(trim(line.substr(0, eq)));
    if (key.empty()) continue;
    const std::string_view value = trim(strip_inline_comment(trim(line.substr(eq + 1))));
    (*section)[key] = std::string(value);
    last_key = key;
    last_value_empty = value.empty();
  }
  return ini;
}

std::optional<std::string> xml_element(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto start = xml.find(open);
  if (start == std::string_view::npos) return std::nullopt;
  const auto begin = start + open.size();
  const auto end = xml.find(close, begin);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view raw = xml.substr(begin, end - begin);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out.push_back(raw[i]);
      continue;
    }
    static const std::pair<std::string_view, char> entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool decoded = false;
    for (const auto& [name, c] : entities) {
      if (raw.substr(i, name.size()) == name) {
        out.push_back(c);
        i += name.size() - 1;
        decoded = true;
        break;
      }
    }
    if (!decoded) out.push_back('&');
  }
  return std::string(trim(out));
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
  s = trim(s);
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' ||
      !digits(s, 17, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
      ++i;  // fractions are dropped: expirations are whole seconds
  }
  long long offset_seconds = 0;
  const bool utc = i + 1 == s.size() && (s[i] == 'Z' || s[i] == 'z');
  if (utc) {
    // offset 0
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-') && s.size() == i + 6 && s[i + 3] == ':') {
    int oh, om;
    if (!digits(s, i + 1, 2, oh) || !digits(s, i + 4, 2, om)) return std::nullopt;
    offset_seconds = (oh * 3600LL + om * 60LL) * (s[i] == '+' ? 1 : -1);
  } else {
    return std::nullopt;  // no zone (ambiguous) or trailing text
  }
  // system_clock counts nanoseconds in 64 bits (until 2262): later dates are taken as 2200.
  if (year > 2200) year = 2200;
  const long long days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const long long epoch = days * 86400 + hour * 3600LL + minute * 60LL + second - offset_seconds;
  return std::chrono::system_clock::time_point(std::chrono::seconds(epoch));
}

std::string format_iso8601(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string redact(std::string text, std::initializer_list<std::string_view> secrets) {
  for (const auto secret : secrets) {
    if (secret.empty()) continue;
    for (auto pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + 10)) {
      text.replace(pos, secret.size(), "<redacted>");
    }
  }
  return text;
}

}  // namespace eventdest::aws::detail
