// AWS credentials as a value: access key id, secret, optional session token and expiry.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace eventdest::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  ///< never printed
  std::string session_token;      ///< never printed
  std::optional<std::chrono::system_clock::time_point> expiration;

  bool empty() const noexcept { return access_key_id.empty() || secret_access_key.empty(); }
  /// "Credentials(AKID..., session token: yes)": never the secret or the token.
  std::string to_string() const;
};

}  // namespace eventdest::aws
