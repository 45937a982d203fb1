// URLs in one place: the base URLs users configure (checked once, at validation), the request
// URLs built from them with percent-encoded path segments, and URLs as shown in messages.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace eventdest::http {

/// Checks a configured base URL: http:// or https://, a host name, IPv4 or [IPv6] address, an
/// optional port, an optional path of URL path characters without dot segments; no
/// user:password@, query or fragment (a path appended to one would land in the query). On
/// success `out` is the URL without trailing slashes and the result is empty; otherwise the
/// result says what is wrong (no part of the value is quoted in it).
std::string check_base_url(std::string_view text, std::string& out);

/// One path segment, percent-encoded: everything but RFC 3986 unreserved characters, ':' and
/// '@' is encoded, and "." and ".." are encoded whole, so a segment can never add a path level,
/// climb one, or start a query.
std::string encode_path_segment(std::string_view segment);

/// `base` (as checked by check_base_url) followed by each segment, encoded.
std::string build_url(std::string_view base, std::initializer_list<std::string_view> segments);

/// The URL as it may appear in messages, logs and reports: any user:password@ removed.
std::string display_url(std::string_view url);

}  // namespace eventdest::http
