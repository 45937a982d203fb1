// AWS Signature Version 4 (header and presigned-query signing) on OpenSSL.
//
// Thread-safety: a Signer may be shared by many threads; sign() is const and the derived
// signing key cache is guarded by a mutex.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eventdest/aws/credentials.hpp"
#include "eventdest/export.hpp"

namespace eventdest::aws {

using Parameters = std::vector<std::pair<std::string, std::string>>;

struct EVENTDEST_API SigningRequest {
  std::string method = "POST";
  std::string path = "/";    ///< as sent, without the query (not yet percent-encoded)
  Parameters query;          ///< decoded names and values
  Parameters headers;        ///< as sent; names any case; repeated names allowed
  std::string payload;       ///< the body (hashed unless payload_hash is given)
  std::string payload_hash;  ///< hex SHA-256 of the body, when already known
};

struct EVENTDEST_API SigningOptions {
  std::string region;
  std::string service;
  bool normalize_path = true;               ///< remove dot segments and duplicate slashes
  bool double_uri_encode = false;           ///< encode the path twice (not done by these suites)
  bool omit_session_token = false;          ///< add the token after signing (not signed)
  bool add_content_sha256 = false;          ///< add and sign x-amz-content-sha256
  std::chrono::seconds presign_expires{0};  ///< > 0: sign the query instead of headers
};

struct EVENTDEST_API SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      ///< hex
  std::string authorization;  ///< the Authorization header value (header signing)
  Parameters
      headers_to_add;  ///< X-Amz-Date, X-Amz-Security-Token, x-amz-content-sha256, Authorization
  Parameters query_to_add;  ///< presigned: X-Amz-Algorithm ... X-Amz-Signature (decoded values)
};

class EVENTDEST_API Signer {
 public:
  Signer();
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  SigningResult sign(const SigningRequest& request, const Credentials& credentials,
                     std::chrono::system_clock::time_point now,
                     const SigningOptions& options) const;

 private:
  struct KeyCache;
  std::unique_ptr<KeyCache> cache_;
};

/// RFC 3986 percent-encoding of everything but unreserved characters (and '/' when
/// `keep_slash`), uppercase hex, as SigV4 canonicalisation wants.
EVENTDEST_API std::string uri_encode(std::string_view s, bool keep_slash);
/// Hex SHA-256 of `data`.
EVENTDEST_API std::string sha256_hex(std::string_view data);

}  // namespace eventdest::aws
