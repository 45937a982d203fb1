// The libcurl engine shared by the HTTP destinations: one I/O thread driving a curl multi handle,
// persistent connections in a bounded pool, per-request timeouts, TLS verification on by default.
//
// Thread-safety: send() may be called from any thread. Callbacks run on the I/O thread; they must
// be quick, must not throw (an exception escaping a callback terminates the process), and may
// call send() again (e.g. to retry). The destructor cancels what is still outstanding: those
// callbacks run with TransportError::cancelled before it returns (so does any request a callback
// sends while the client is being destroyed). Never destroy a Client from one of its callbacks,
// and never call send_sync() from one (both would wait for the I/O thread on the I/O thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eventdest/version.hpp"

namespace eventdest::http {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "POST";
  std::string url;
  std::vector<Header> headers;  ///< sent as given (no Expect: 100-continue is added)
  std::string body;
  /// Whole request: any wait for a free pooled connection, connect, send and receive. 0 = none.
  std::chrono::milliseconds timeout{30000};
  std::string basic_auth_user;  ///< HTTP Basic auth when non-empty
  std::string basic_auth_password;
  /// Room reserved for the response body up front, for streamed answers of known rough size
  /// (a Content-Length, when sent, reserves on its own).
  std::size_t expected_response_bytes = 0;
  /// The largest response body accepted: past it the transfer is aborted and fails as
  /// TransportError::malformed (maybe_sent), with what arrived until then in Response::body, so
  /// an endless or huge answer cannot exhaust memory. 0: no limit.
  std::size_t max_response_bytes = kDefaultMaxResponseBytes;
  static constexpr std::size_t kDefaultMaxResponseBytes = 64u << 20;
};

enum class TransportError {
  none,             ///< a complete HTTP response was received (any status)
  connect_failed,   ///< refused / unreachable: the request was certainly not processed
  dns,              ///< name resolution failed: certainly not processed
  timeout,          ///< no complete response within Request::timeout
  connection_lost,  ///< reset or closed mid-way (send or receive): the server may have processed it
  tls,              ///< TLS handshake or certificate verification failed
  malformed,        ///< the peer sent something that is not HTTP
  cancelled,        ///< the client was destroyed first
  other
};
const char* to_string(TransportError e) noexcept;

struct Response {
  long status = 0;              ///< HTTP status, 0 if no complete response
  std::vector<Header> headers;  ///< names lowercased
  std::string body;             ///< the body, or what arrived before a transport error
  TransportError error = TransportError::none;
  std::string error_message;  ///< curl's description (never contains credentials)
  /// True when the request may have reached the server (false only when it certainly did not:
  /// connect/DNS failures). Used to flag possible duplicates after a retry.
  bool maybe_sent = false;
  /// From send() to completion, time queued included.
  /// libcurl sent the request a second time on a fresh connection because the reused one died
  /// before any response: the server may have processed it twice (even if this one succeeded).
  bool resent = false;
  std::chrono::microseconds elapsed{0};
  /// The status line that arrived, even when the transfer then failed (`status` stays 0 then).
  /// With `headers` and `body` it tells a streaming caller how far a broken response got.
  long received_status = 0;
  /// The request's body, handed back (libcurl is done with it) so a caller that sends many
  /// large bodies can reuse the storage instead of allocating fresh pages for each request.
  std::string request_body;

  /// The first header named `name` (case-insensitive), or empty.
  std::string_view header(std::string_view name) const noexcept;
  bool ok() const noexcept { return error == TransportError::none; }
};

struct ClientOptions {
  bool verify_tls = true;
  std::string ca_file;              ///< PEM bundle instead of the system store
  std::size_t max_connections = 8;  ///< total and per host (0 is taken as 1)
  /// Transfers handed to libcurl at once (0: 8 x max_connections, room for HTTP/2 streams).
  /// Further requests wait in the client's own queue, in order; their timeout keeps running and
  /// one that expires there fails with timeout and maybe_sent=false. (libcurl's own pending list
  /// costs time per queued transfer on every wake-up; ours does not.)
  std::size_t max_in_flight = 0;
  /// TCP + TLS setup limit for each new connection (Request::timeout still bounds the whole).
  std::chrono::milliseconds connect_timeout{10000};
  /// Offered over TLS (ALPN), used when the server accepts it and the linked libcurl has HTTP/2
  /// (checked with curl_version_info); plain http:// stays HTTP/1.1.
  bool http2 = true;
  std::string user_agent = "eventdest/" EVENTDEST_VERSION_STRING;
  /// Proxies come from the usual environment variables (http_proxy, https_proxy, no_proxy), as
  /// libcurl reads them.
};

class Client {
 public:
  using Callback = std::function<void(Response&&)>;

  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Queues `request`; `callback` runs exactly once on the I/O thread with the outcome (an empty
  /// callback is allowed: fire and forget).
  void send(Request request, Callback callback);
  /// Convenience for tests and tools: sends and waits.
  Response send_sync(Request request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eventdest::http
