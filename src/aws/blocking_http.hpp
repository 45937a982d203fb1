// A small blocking HTTP(S) exchange on one libcurl easy handle, for the credential sources
// (STS, the container endpoint, IMDS): no I/O thread, no connection pool, no redirects.
//
// Thread-safety: fetch() may be called from any thread (each call uses its own handle).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace eventdest::aws::detail {

struct BlockingRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds timeout{1000};  ///< the whole exchange
  bool use_proxy = true;                    ///< false for link-local metadata endpoints
  std::string ca_file;                      ///< TLS verification is always on
};

struct BlockingResponse {
  bool transport_ok = false;  ///< a complete HTTP response arrived
  /// Without a response: true when no connection was ever made (refused, unreachable, DNS,
  /// connect timeout) - the endpoint is not there.
  bool never_connected = false;
  bool timed_out = false;
  long status = 0;
  std::string body;
  std::string error;  ///< libcurl's description (never headers or bodies)
};

/// Runs the exchange; never throws for network failures.
BlockingResponse fetch(const BlockingRequest& request);

/// "http://host:port/path" -> "host" (brackets kept for IPv6), lowercased; "" when unparsable.
std::string url_host(const std::string& url);

}  // namespace eventdest::aws::detail
