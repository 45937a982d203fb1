// One request on a fresh easy handle (RAII from http/curl_handles.hpp).
#include "aws/blocking_http.hpp"

#include <algorithm>
#include <cctype>

#include "http/curl_handles.hpp"

namespace eventdest::aws::detail {
namespace {

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  constexpr std::size_t kMaxBody = 1u << 20;  // credential documents are tiny
  if (body->size() + size * n > kMaxBody) return 0;
  body->append(data, size * n);
  return size * n;
}

template <typename T>
bool set(CURL* easy, CURLoption option, T value) {
  return curl_easy_setopt(easy, option, value) == CURLE_OK;
}

}  // namespace

std::string url_host(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  std::size_t start = scheme + 3;
  const std::size_t end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (const auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  std::string host;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return "";
    host = authority.substr(0, close + 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return host;
}

BlockingResponse fetch(const BlockingRequest& request) {
  BlockingResponse response;
  http::detail::ensure_curl_global_init();
  http::detail::EasyPtr easy(curl_easy_init());
  if (!easy) {
    response.error = "curl_easy_init failed";
    return response;
  }
  CURL* h = easy.get();
  http::detail::SlistPtr headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line = name + ": " + value;
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (!appended) {
      response.error = "out of memory";
      return response;
    }
    headers.release();
    headers.reset(appended);
  }
  char error_buffer[CURL_ERROR_SIZE] = {};
  bool ok = set(h, CURLOPT_URL, request.url.c_str()) &&
            set(h, CURLOPT_PROTOCOLS_STR, "http,https") && set(h, CURLOPT_NOSIGNAL, 1L) &&
            set(h, CURLOPT_FOLLOWLOCATION, 0L) && set(h, CURLOPT_SSL_VERIFYPEER, 1L) &&
            set(h, CURLOPT_SSL_VERIFYHOST, 2L) &&
            set(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count())) &&
            set(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count())) &&
            set(h, CURLOPT_HTTPHEADER, headers.get()) && set(h, CURLOPT_WRITEFUNCTION, &on_body) &&
            set(h, CURLOPT_WRITEDATA, static_cast<void*>(&response.body)) &&
            set(h, CURLOPT_ERRORBUFFER, error_buffer) &&
            set(h, CURLOPT_USERAGENT, "eventdest/0.1 credentials");
  if (ok && !request.use_proxy) ok = set(h, CURLOPT_NOPROXY, "*");
  if (ok && !request.ca_file.empty()) ok = set(h, CURLOPT_CAINFO, request.ca_file.c_str());
  if (ok) {
    if (request.method == "GET") {
      ok = set(h, CURLOPT_HTTPGET, 1L);
    } else {
      // POSTFIELDS with an explicit size also serves PUT with an (empty) body.
      ok = set(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size())) &&
           set(h, CURLOPT_POSTFIELDS, request.body.c_str());
      if (ok && request.method != "POST")
        ok = set(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  }
  if (!ok) {
    response.error = "could not set up the request";
    return response;
  }
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) {
    response.transport_ok = true;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }
  response.body.clear();
  response.error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
  response.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
  curl_off_t connect_time = 0;
  curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_time);
  response.never_connected = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                             (rc == CURLE_OPERATION_TIMEDOUT && connect_time == 0);
  return response;
}

}  // namespace eventdest::aws::detail
