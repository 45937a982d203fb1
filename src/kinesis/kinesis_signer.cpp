// SigV4 for PutRecords: POST / with host, content-type, x-amz-date, x-amz-target (and
// x-amz-security-token) signed. The signing key is derived once per UTC day.
#include "kinesis/kinesis_signer.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace eventdest::detail {
namespace {

std::string hex(const unsigned char* data, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return hex(md, len);
}

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

class SigV4KinesisSigner final : public KinesisSigner {
 public:
  explicit SigV4KinesisSigner(const KinesisConfig& c)
      : region_(c.region),
        static_(!c.access_key_id.empty()),
        key_(c.access_key_id),
        secret_(c.secret_access_key),
        session_(c.session_token) {}

  bool sign(http::Request& request, const std::string& host, std::string& error) override {
    std::string key, secret, session;
    if (!credentials(key, secret, session, error)) return false;
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char amz_date[17];
    std::strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
    const std::string date(amz_date, 8);

    std::string content_type, target;
    for (const auto& h : request.headers) {
      std::string name = h.name;
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (name == "content-type") content_type = h.value;
      if (name == "x-amz-target") target = h.value;
    }
    std::string canonical_headers =
        "content-type:" + content_type + "\nhost:" + host + "\nx-amz-date:" + amz_date + "\n";
    std::string signed_headers = "content-type;host;x-amz-date";
    if (!session.empty()) {
      canonical_headers += "x-amz-security-token:" + session + "\n";
      signed_headers += ";x-amz-security-token";
    }
    canonical_headers += "x-amz-target:" + target + "\n";
    signed_headers += ";x-amz-target";
    const std::string canonical_request =
        "POST\n/\n\n" + canonical_headers + "\n" + signed_headers + "\n" + sha256_hex(request.body);
    const std::string scope = date + "/" + region_ + "/kinesis/aws4_request";
    const std::string string_to_sign = std::string("AWS4-HMAC-SHA256\n") + amz_date + "\n" + scope +
                                       "\n" + sha256_hex(canonical_request);
    const std::string signature_bytes = hmac(signing_key(date, secret), string_to_sign);
    const std::string signature =
        hex(reinterpret_cast<const unsigned char*>(signature_bytes.data()), signature_bytes.size());
    request.headers.push_back({"X-Amz-Date", amz_date});
    if (!session.empty()) request.headers.push_back({"X-Amz-Security-Token", session});
    request.headers.push_back({"Authorization", "AWS4-HMAC-SHA256 Credential=" + key + "/" + scope +
                                                    ", SignedHeaders=" + signed_headers +
                                                    ", Signature=" + signature});
    return true;
  }

  bool refresh_credentials() override { return !static_; }

 private:
  bool credentials(std::string& key, std::string& secret, std::string& session,
                   std::string& error) const {
    if (static_) {
      key = key_;
      secret = secret_;
      session = session_;
      return true;
    }
    key = env("AWS_ACCESS_KEY_ID");
    secret = env("AWS_SECRET_ACCESS_KEY");
    session = env("AWS_SESSION_TOKEN");
    if (key.empty() || secret.empty()) {
      error =
          "no AWS credentials: none in the spec and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY unset";
      return false;
    }
    return true;
  }

  // The key depends on the secret and the day only: derive it once per day.
  std::string signing_key(const std::string& date, const std::string& secret) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (date != cached_date_ || secret != cached_secret_) {
      cached_key_ =
          hmac(hmac(hmac(hmac("AWS4" + secret, date), region_), "kinesis"), "aws4_request");
      cached_date_ = date;
      cached_secret_ = secret;
    }
    return cached_key_;
  }

  const std::string region_;
  const bool static_;
  const std::string key_;
  const std::string secret_;
  const std::string session_;
  std::mutex mutex_;
  std::string cached_date_;
  std::string cached_secret_;
  std::string cached_key_;
};

}  // namespace

std::unique_ptr<KinesisSigner> make_kinesis_signer(const KinesisConfig& config) {
  return std::make_unique<SigV4KinesisSigner>(config);
}

}  // namespace eventdest::detail
