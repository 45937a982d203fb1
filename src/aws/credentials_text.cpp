// Text helpers of the credential sources: INI files, the one XML element STS answers with,
// ISO 8601 timestamps, redaction.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "aws/credential_sources.hpp"
#include "eventdest/event.hpp"

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
  std::string text(trim(s));
  // system_clock counts nanoseconds in 64 bits (until 2262), which parse_rfc3339 enforces:
  // later expirations are read as 2200 rather than rejected.
  if (text.size() >= 4 &&
      std::all_of(text.begin(), text.begin() + 4,
                  [](unsigned char c) { return std::isdigit(c) != 0; }) &&
      text.compare(0, 4, "2200") > 0) {
    text.replace(0, 4, "2200");
  }
  std::chrono::system_clock::time_point t;
  if (!eventdest::parse_rfc3339(text, t)) return std::nullopt;
  // Expirations are whole seconds.
  return std::chrono::time_point_cast<std::chrono::seconds>(t);
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
