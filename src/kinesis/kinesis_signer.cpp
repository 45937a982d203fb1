// Signs PutRecords with the general SigV4 signer (aws::Signer): service "kinesis", the body's
// SHA-256, and the signing key cached per day inside the signer.
#include "kinesis/kinesis_signer.hpp"

#include <cstdlib>

#include "eventdest/aws/sigv4.hpp"

namespace eventdest::detail {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

class SigV4KinesisSigner final : public KinesisSigner {
 public:
  explicit SigV4KinesisSigner(const KinesisConfig& c) : static_(!c.access_key_id.empty()) {
    options_.region = c.region;
    options_.service = "kinesis";
    static_credentials_ = {c.access_key_id, c.secret_access_key, c.session_token, {}};
  }

  bool sign(http::Request& request, const std::string& host, std::string& error) override {
    aws::Credentials credentials = static_credentials_;
    if (!static_) {
      credentials = {
          env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN"), {}};
      if (credentials.empty()) {
        error =
            "no AWS credentials: none in the spec and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
            "are not set";
        return false;
      }
    }
    aws::SigningRequest s;
    s.method = request.method;
    s.path = "/";
    s.headers.reserve(request.headers.size());
    for (const auto& h : request.headers) {
      // Host is signed from the value curl sends (set explicitly by the destination).
      if (h.name != "Host") s.headers.emplace_back(h.name, h.value);
    }
    s.headers.emplace_back("Host", host);
    s.payload_hash = aws::sha256_hex(request.body);
    const auto result = signer_.sign(s, credentials, std::chrono::system_clock::now(), options_);
    for (auto& [name, value] : result.headers_to_add)
      request.headers.push_back({name, value});
    return true;
  }

  bool refresh_credentials() override { return !static_; }

 private:
  const bool static_;
  aws::Credentials static_credentials_;
  aws::SigningOptions options_;
  aws::Signer signer_;
};

}  // namespace

std::unique_ptr<KinesisSigner> make_kinesis_signer(const KinesisConfig& config) {
  return std::make_unique<SigV4KinesisSigner>(config);
}

}  // namespace eventdest::detail
