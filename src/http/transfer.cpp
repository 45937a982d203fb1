#include "http/transfer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <utility>

#include "http/transport_error.hpp"

namespace eventdest::http::detail {
namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

bool has_header(const std::vector<Header>& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const Header& h) { return lowercase(h.name) == lower_name; });
}

// The engine speaks HTTP only. Checking here (rather than relying on CURLOPT_PROTOCOLS_STR alone)
// lets a bad scheme fail as "certainly not sent", and keeps CURLE_UNSUPPORTED_PROTOCOL meaning
// "the server's reply was not HTTP".
bool is_http_url(std::string_view url) {
  const std::string prefix = lowercase(url.substr(0, 8));
  return prefix.rfind("http://", 0) == 0 || prefix.rfind("https://", 0) == 0;
}

// Sets one option; remembers the first failure so prepare() can check once at the end.
template <typename T>
void set(CURL* easy, CURLoption option, T value, CURLcode& first_error) {
  const CURLcode rc = curl_easy_setopt(easy, option, value);
  if (rc != CURLE_OK && first_error == CURLE_OK) first_error = rc;
}

}  // namespace

Transfer::Transfer(Request request, Client::Callback callback, Clock::time_point submitted)
    : request_(std::move(request)), callback_(std::move(callback)), submitted_(submitted) {
  response_.body.reserve(std::min(request_.expected_response_bytes, kMaxReservedBody));
}

bool Transfer::prepare(EasyPtr easy, const TransferSettings& settings) {
  easy_ = std::move(easy);
  if (!is_http_url(request_.url)) {
    fail(TransportError::other, false, "unsupported URL (only http:// and https:// are sent)");
    return false;
  }
  const ClientOptions& options = *settings.options;
  CURL* h = easy_.get();
  CURLcode rc = CURLE_OK;

  set(h, CURLOPT_PRIVATE, static_cast<void*>(this), rc);
  set(h, CURLOPT_URL, request_.url.c_str(), rc);
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85: CURLOPT_PROTOCOLS_STR replaces the bitmask option
  set(h, CURLOPT_PROTOCOLS_STR, "http,https", rc);
#else
  set(h, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS), rc);
#endif
  // Timeouts must not raise SIGALRM in a multithreaded host process.
  set(h, CURLOPT_NOSIGNAL, 1L, rc);
  set(h, CURLOPT_ERRORBUFFER, error_buffer_, rc);
  set(h, CURLOPT_WRITEFUNCTION, &Transfer::on_body, rc);
  set(h, CURLOPT_WRITEDATA, static_cast<void*>(this), rc);
  set(h, CURLOPT_HEADERFUNCTION, &Transfer::on_header, rc);
  set(h, CURLOPT_HEADERDATA, static_cast<void*>(this), rc);
  if (request_.timeout.count() > 0) {
    // The time spent queued in the client counts: Request::timeout bounds the whole request.
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline() - Clock::now()).count();
    set(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<decltype(left)>(left, 1)), rc);
  }
  set(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()), rc);
  // Pooled connections can sit idle for a while; keepalive probes find dead peers (and keep NAT
  // entries alive) before a request is written into a dead socket.
  set(h, CURLOPT_TCP_KEEPALIVE, 1L, rc);

  set(h, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L, rc);
  set(h, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L, rc);
  if (!options.ca_file.empty()) set(h, CURLOPT_CAINFO, options.ca_file.c_str(), rc);
  set(h, CURLOPT_HTTP_VERSION,
      settings.http2 ? static_cast<long>(CURL_HTTP_VERSION_2TLS)
                     : static_cast<long>(CURL_HTTP_VERSION_1_1),
      rc);
  if (settings.share != nullptr) set(h, CURLOPT_SHARE, settings.share, rc);
  if (!options.user_agent.empty()) set(h, CURLOPT_USERAGENT, options.user_agent.c_str(), rc);
  // CURLOPT_PROXY is deliberately never set: libcurl then reads http_proxy, https_proxy and
  // no_proxy from the environment for each new connection.

  if (!request_.basic_auth_user.empty()) {
    set(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC), rc);
    set(h, CURLOPT_USERNAME, request_.basic_auth_user.c_str(), rc);
    set(h, CURLOPT_PASSWORD, request_.basic_auth_password.c_str(), rc);
  }

  const std::string& method = request_.method;
  const bool has_body = !request_.body.empty();
  if (method == "HEAD") {
    set(h, CURLOPT_NOBODY, 1L, rc);
  } else if (method == "GET" && !has_body) {
    set(h, CURLOPT_HTTPGET, 1L, rc);
  } else if (has_body || method == "POST" || method == "PUT" || method == "PATCH") {
    // The body is read through callbacks rather than POSTFIELDS so that a rewind is seen:
    // libcurl silently re-sends a request on a fresh connection when a reused one dies before
    // any response, and for a POST the server may then have processed it twice.
    set(h, CURLOPT_POST, 1L, rc);
    set(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body.size()), rc);
    set(h, CURLOPT_READFUNCTION, &Transfer::on_read, rc);
    set(h, CURLOPT_READDATA, this, rc);
    set(h, CURLOPT_SEEKFUNCTION, &Transfer::on_seek, rc);
    set(h, CURLOPT_SEEKDATA, this, rc);
    if (method != "POST") set(h, CURLOPT_CUSTOMREQUEST, method.c_str(), rc);
  } else {
    set(h, CURLOPT_CUSTOMREQUEST, method.c_str(), rc);
  }

  curl_slist* list = nullptr;
  const auto append = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) {
      if (rc == CURLE_OK) rc = CURLE_OUT_OF_MEMORY;
      return;
    }
    list = next;
  };
  for (const Header& header : request_.headers) {
    // "Name;" is libcurl's spelling of a header with an empty value ("Name:" would remove it).
    append(header.value.empty() ? header.name + ";" : header.name + ": " + header.value);
  }
  // An empty "Expect:" stops libcurl from adding Expect: 100-continue to large bodies, which
  // costs a round trip (or a 1 s stall with servers that ignore it).
  if (!has_header(request_.headers, "expect")) append("Expect:");
  // Without a Content-Type, libcurl would label every body application/x-www-form-urlencoded.
  if ((has_body || method == "POST") && !has_header(request_.headers, "content-type")) {
    append("Content-Type:");
  }
  header_list_.reset(list);
  set(h, CURLOPT_HTTPHEADER, header_list_.get(), rc);

  if (rc != CURLE_OK) {
    fail(TransportError::other, false,
         std::string("cannot configure request: ") + curl_easy_strerror(rc));
    return false;
  }
  return true;
}

Transfer::Clock::time_point Transfer::deadline() const noexcept {
  if (request_.timeout.count() <= 0) return Clock::time_point::max();
  return submitted_ + request_.timeout;
}

std::size_t Transfer::on_body(char* data, std::size_t size, std::size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  const std::size_t max = t->request_.max_response_bytes;
  if (max != 0 && size * n > max - std::min(max, t->response_.body.size())) {
    t->body_too_large_ = true;
    return 0;  // libcurl aborts the transfer (CURLE_WRITE_ERROR)
  }
  t->response_.body.append(data, size * n);
  return size * n;
}

std::size_t Transfer::on_read(char* buffer, std::size_t size, std::size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  const std::string& body = t->request_.body;
  const std::size_t count =
      std::min(size * n, body.size() - std::min(t->read_offset_, body.size()));
  std::memcpy(buffer, body.data() + t->read_offset_, count);
  t->read_offset_ += count;
  return count;
}

int Transfer::on_seek(void* self, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(self);
  if (origin != SEEK_SET || offset < 0 ||
      static_cast<std::size_t>(offset) > t->request_.body.size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  // Rewinding a body that was already (partly) sent means it is being sent again.
  if (t->read_offset_ > 0) t->response_.resent = true;
  t->read_offset_ = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

std::size_t Transfer::on_header(char* data, std::size_t size, std::size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  const std::string_view line(data, size * n);
  std::vector<Header>& headers = t->response_.headers;
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line: interim responses (100 Continue, a proxy's CONNECT reply) came first.
    // Only the final response's headers are kept.
    headers.clear();
    return line.size();
  }
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    // obs-fold continuation of the previous header's value.
    if (!headers.empty()) {
      headers.back().value += ' ';
      headers.back().value += trim(line);
    }
    return line.size();
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    headers.push_back(
        Header{lowercase(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    if (headers.back().name == "content-length") t->reserve_body(headers.back().value);
  }
  return line.size();
}

void Transfer::reserve_body(std::string_view content_length) {
  // One allocation for the whole body instead of a doubling series of copies (and fresh pages
  // each time). Capped: the header is the peer's word, not a promise.
  std::size_t n = 0;
  for (char c : content_length) {
    if (c < '0' || c > '9' || n > kMaxReservedBody) return;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  const std::size_t cap = request_.max_response_bytes;
  response_.body.reserve(std::min({n, kMaxReservedBody, cap != 0 ? cap : n}));
}

std::string Transfer::redact(std::string message) const {
  // libcurl does not put credentials in its messages today; this keeps it so should that change.
  const std::string& secret = request_.basic_auth_password;
  if (secret.empty()) return message;
  for (auto pos = message.find(secret); pos != std::string::npos;
       pos = message.find(secret, pos + 3)) {
    message.replace(pos, secret.size(), "***");
  }
  return message;
}

void Transfer::complete(CURLcode code) {
  const Classification c = classify(code);
  long status = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  response_.received_status = status;
  response_.error = c.error;
  response_.maybe_sent = c.maybe_sent;
  if (body_too_large_) {
    // The peer's answer, not ours: a malformed response, which callers retry.
    response_.status = 0;
    response_.error = TransportError::malformed;
    response_.maybe_sent = true;
    response_.error_message =
        "response body larger than " + std::to_string(request_.max_response_bytes) + " bytes";
    return;
  }
  if (code == CURLE_OK) {
    response_.status = status;
    response_.error_message.clear();
  } else {
    response_.status = 0;
    response_.error_message =
        redact(error_buffer_[0] != '\0' ? std::string(error_buffer_) : curl_easy_strerror(code));
  }
}

void Transfer::fail(TransportError error, bool maybe_sent, std::string message) {
  response_.status = 0;
  response_.error = error;
  response_.maybe_sent = maybe_sent;
  response_.error_message = redact(std::move(message));
}

void Transfer::deliver() noexcept {
  response_.elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - submitted_);
  // Called once the easy handle is detached or never attached: libcurl no longer reads the body.
  response_.request_body = std::move(request_.body);
  // noexcept: a throwing callback terminates (documented in http_client.hpp) rather than
  // unwinding through libcurl or killing the I/O thread and every later callback with it.
  if (callback_) callback_(std::move(response_));  // an empty callback means "don't care"
}

}  // namespace eventdest::http::detail
