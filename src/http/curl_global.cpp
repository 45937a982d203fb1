#include <stdexcept>
#include <string>

#include "http/curl_handles.hpp"

namespace eventdest::http::detail {

void ensure_curl_global_init() {
  // C++11 guarantees a function-local static is initialised once even with concurrent callers;
  // curl_global_init itself is not safe to call concurrently (before 7.84) or repeatedly.
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    throw std::runtime_error(std::string("curl_global_init failed: ") + curl_easy_strerror(rc));
  }
}

bool curl_supports_http2() noexcept {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  return info != nullptr && (info->features & CURL_VERSION_HTTP2) != 0;
}

}  // namespace eventdest::http::detail
