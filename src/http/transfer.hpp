// One request in flight: owns the request (libcurl reads the URL, headers and body from it
// without copying), the header list, the response being assembled and the callback.
//
// Not thread-safe: a Transfer is created by the thread that calls Client::send() and from then on
// touched only by the I/O thread.
#pragma once

#include <chrono>

#include "http/curl_handles.hpp"
#include "http/http_client.hpp"

namespace eventdest::http::detail {

/// Settings shared by every transfer of one client.
struct TransferSettings {
  const ClientOptions* options = nullptr;
  CURLSH* share = nullptr;  ///< TLS session cache shared across easy handles; may be null
  bool http2 = false;       ///< options->http2 and libcurl supports it
};

class Transfer {
 public:
  using Clock = std::chrono::steady_clock;

  Transfer(Request request, Client::Callback callback, Clock::time_point submitted);
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  /// Takes `easy` (fresh or reset) and configures it for this request, with what is left of the
  /// request's timeout as libcurl's timeout. On failure (a URL we do
  /// not send, an option libcurl refuses) returns false with the response already failed; the
  /// handle stays owned by the transfer either way (release_easy() gives it back).
  bool prepare(EasyPtr easy, const TransferSettings& settings);

  /// When Request::timeout runs out, counted from send(); time_point::max() without a timeout.
  Clock::time_point deadline() const noexcept;

  CURL* easy() const noexcept { return easy_.get(); }
  EasyPtr release_easy() noexcept { return std::move(easy_); }

  /// Fills the response from libcurl's result for this transfer.
  void complete(CURLcode code);
  /// Fails the response without libcurl having a say (cancellation, local setup errors).
  void fail(TransportError error, bool maybe_sent, std::string message);

  /// Runs the callback with the response. Call exactly once, after complete() or fail().
  void deliver() noexcept;

 private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* self);
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* self);
  void reserve_body(std::string_view content_length);
  static constexpr std::size_t kMaxReservedBody = 16u << 20;
  static std::size_t on_read(char* buffer, std::size_t size, std::size_t n, void* self);
  static int on_seek(void* self, curl_off_t offset, int origin);
  std::string redact(std::string message) const;

  Request request_;
  Client::Callback callback_;
  Clock::time_point submitted_;
  Response response_;
  SlistPtr header_list_;
  std::size_t read_offset_ = 0;  ///< how much of the body libcurl has read
  bool body_too_large_ = false;  ///< on_body refused more than Request::max_response_bytes
  char error_buffer_[CURL_ERROR_SIZE] = {};
  // Last, so it is cleaned up first: the handle points into the members above.
  EasyPtr easy_;
};

}  // namespace eventdest::http::detail
