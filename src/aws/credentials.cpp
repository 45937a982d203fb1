// Credentials::to_string and the static provider.
#include "eventdest/aws/credentials.hpp"

#include "aws/credential_sources.hpp"

namespace eventdest::aws {

std::string Credentials::to_string() const {
  std::string s =
      "Credentials(" + access_key_id + ", session token: " + (session_token.empty() ? "no" : "yes");
  if (expiration) s += ", expires: " + detail::format_iso8601(*expiration);
  return s + ")";
}

namespace {

class StaticProvider final : public CredentialsProvider {
 public:
  explicit StaticProvider(Credentials c) : credentials_(std::move(c)) {}
  CredentialsResult get() override {
    CredentialsResult r;
    r.source = "static";
    if (credentials_.empty()) {
      r.error = "no AWS credentials: the static credentials are incomplete";
      r.permanent = true;
    } else {
      r.credentials = credentials_;
    }
    return r;
  }
  void invalidate() override {}

 private:
  const Credentials credentials_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> make_static_credentials_provider(Credentials credentials) {
  return std::make_shared<StaticProvider>(std::move(credentials));
}

}  // namespace eventdest::aws
