// RAII owners for libcurl handles. Every handle the engine creates lives in one of these, so no
// error path can leak a handle or free one twice.
//
// Destruction order matters to libcurl: easy handles must leave their multi handle before either
// is cleaned up, and a share handle must outlive every easy handle attached to it. Owners of
// these pointers declare their members accordingly (see Client::Impl).
#pragma once

#include <curl/curl.h>

#include <memory>

namespace eventdest::http::detail {

struct EasyDeleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const noexcept { curl_multi_cleanup(h); }
};
struct ShareDeleter {
  void operator()(CURLSH* h) const noexcept { curl_share_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SharePtr = std::unique_ptr<CURLSH, ShareDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

/// Calls curl_global_init exactly once per process (thread-safe: a function-local static), before
/// any other libcurl call. Throws std::runtime_error if libcurl cannot initialise. Never calls
/// curl_global_cleanup: other code in the process may still use libcurl at exit.
void ensure_curl_global_init();

/// True when the linked libcurl was built with HTTP/2 support.
bool curl_supports_http2() noexcept;

}  // namespace eventdest::http::detail
