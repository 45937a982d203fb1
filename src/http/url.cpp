#include "http/url.hpp"

#include <algorithm>
#include <cctype>

namespace eventdest::http {
namespace {

bool unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// RFC 3986 pchar without percent (checked separately): what a configured path may hold as is.
bool path_char(unsigned char c) {
  static constexpr std::string_view sub_delims = "!$&'()*+,;=";
  return unreserved(c) || c == ':' || c == '@' ||
         sub_delims.find(static_cast<char>(c)) != std::string_view::npos;
}

bool host_name(std::string_view h) {
  if (h.empty() || h.front() == '.' || h.front() == '-') return false;
  for (unsigned char c : h) {
    if (!std::isalnum(c) && c != '.' && c != '-' && c != '_') return false;
  }
  return h.find("..") == std::string_view::npos;
}

bool ipv6_literal(std::string_view h) {
  if (h.size() < 4 || h.front() != '[' || h.back() != ']') return false;
  for (unsigned char c : h.substr(1, h.size() - 2)) {
    if (!std::isxdigit(c) && c != ':' && c != '.') return false;
  }
  return true;
}

bool port_number(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  long value = 0;
  for (unsigned char c : p) {
    if (!std::isdigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  return value >= 1 && value <= 65535;
}

// "host", "host:port", "[v6]" or "[v6]:port".
bool authority_ok(std::string_view a) {
  std::string_view host = a;
  std::string_view port;
  bool has_port = false;
  if (!a.empty() && a.front() == '[') {
    const auto close = a.find(']');
    if (close == std::string_view::npos) return false;
    host = a.substr(0, close + 1);
    if (close + 1 < a.size()) {
      if (a[close + 1] != ':') return false;
      port = a.substr(close + 2);
      has_port = true;
    }
    if (!ipv6_literal(host)) return false;
  } else {
    if (const auto colon = a.find(':'); colon != std::string_view::npos) {
      host = a.substr(0, colon);
      port = a.substr(colon + 1);
      has_port = true;
    }
    if (!host_name(host)) return false;
  }
  return !has_port || port_number(port);
}

}  // namespace

std::string check_base_url(std::string_view text, std::string& out) {
  std::string_view rest;
  std::string scheme;
  for (std::string_view s : {"http://", "https://"}) {
    if (text.size() >= s.size()) {
      std::string head(text.substr(0, s.size()));
      for (auto& c : head)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (head == s) {
        scheme = head;
        rest = text.substr(s.size());
      }
    }
  }
  const char* const not_a_url = "must be an http:// or https:// URL";
  if (scheme.empty()) return not_a_url;
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return "must not have a query (?) or fragment (#): request paths are appended to it";
  }
  const std::string_view authority = rest.substr(0, rest.find('/'));
  const std::string_view path = rest.substr(authority.size());
  if (authority.find('@') != std::string_view::npos) {
    return "must not contain user:password@ (give credentials in the credentials object)";
  }
  if (!authority_ok(authority)) return not_a_url;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto c = static_cast<unsigned char>(path[i]);
    if (c == '/') continue;
    if (c == '%' && i + 2 < path.size() && std::isxdigit(static_cast<unsigned char>(path[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(path[i + 2]))) {
      i += 2;
      continue;
    }
    if (!path_char(c)) {
      return "has a character that is not allowed in a URL path (spaces, control characters, "
             "quotes, ...: percent-encode it)";
    }
  }
  for (std::size_t start = 0; start < path.size();) {
    const auto end = std::min(path.find('/', start + 1), path.size());
    const std::string_view segment = path.substr(start + 1, end - start - 1);
    if (segment == "." || segment == "..") return "must not contain . or .. path segments";
    start = end;
  }
  out = scheme;
  out.append(rest);
  while (out.size() > scheme.size() && out.back() == '/')
    out.pop_back();
  return {};
}

std::string encode_path_segment(std::string_view segment) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  const bool dots = segment == "." || segment == "..";
  for (unsigned char c : segment) {
    if (!dots && (unreserved(c) || c == ':' || c == '@')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

std::string build_url(std::string_view base, std::initializer_list<std::string_view> segments) {
  std::string url(base);
  for (auto segment : segments) {
    url += '/';
    url += encode_path_segment(segment);
  }
  return url;
}

std::string display_url(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const std::size_t start = scheme + 3;
  const std::size_t end = std::min(url.find_first_of("/?#", start), url.size());
  const auto at = url.substr(start, end - start).rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, start));
  out.append(url.substr(start + at + 1));
  return out;
}

}  // namespace eventdest::http
