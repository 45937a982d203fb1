// Signs PutRecords with the general SigV4 signer (aws::Signer): service "kinesis", the body's
// SHA-256, and the signing key cached per day inside the signer.
#include "kinesis/kinesis_signer.hpp"

#include "eventdest/aws/sigv4.hpp"

namespace eventdest::detail {
namespace {

constexpr const char* kNoCredentials = "no AWS credentials: ";

class SigV4KinesisSigner final : public KinesisSigner {
 public:
  SigV4KinesisSigner(const KinesisConfig& c, std::shared_ptr<aws::CredentialsProvider> provider)
      : static_(!c.access_key_id.empty()) {
    options_.region = c.region;
    options_.service = "kinesis";
    if (static_) {
      provider_ = aws::make_static_credentials_provider(
          {c.access_key_id, c.secret_access_key, c.session_token, std::nullopt});
    } else if (provider) {
      provider_ = std::move(provider);
    } else {
      aws::ChainOptions chain;
      chain.region = c.region;
      chain.ca_file = c.tls.ca_file;
      provider_ = aws::make_default_credentials_chain(std::move(chain));
    }
  }

  SignResult sign(http::Request& request, const std::string& host) override {
    SignResult out;
    const aws::CredentialsResult credentials = provider_->get();
    if (!credentials.ok()) {
      out.error = credentials.error;
      // "no AWS credentials: not in the spec; environment: ...; ..." lists every place looked.
      if (!static_ && out.error.rfind(kNoCredentials, 0) == 0)
        out.error.insert(std::string(kNoCredentials).size(), "not in the spec; ");
      out.permanent = credentials.permanent;
      return out;
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
    const auto result =
        signer_.sign(s, *credentials.credentials, std::chrono::system_clock::now(), options_);
    for (auto& [name, value] : result.headers_to_add)
      request.headers.push_back({name, value});
    out.ok = true;
    return out;
  }

  bool refresh_credentials() override {
    if (static_) return false;
    provider_->invalidate();
    return true;
  }

 private:
  const bool static_;
  std::shared_ptr<aws::CredentialsProvider> provider_;
  aws::SigningOptions options_;
  aws::Signer signer_;
};

}  // namespace

std::unique_ptr<KinesisSigner> make_kinesis_signer(
    const KinesisConfig& config, std::shared_ptr<aws::CredentialsProvider> provider) {
  return std::make_unique<SigV4KinesisSigner>(config, std::move(provider));
}

}  // namespace eventdest::detail
