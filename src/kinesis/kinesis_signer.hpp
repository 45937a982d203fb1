// Signs PutRecords requests: SigV4 for service "kinesis" with credentials from the spec or, when
// the spec has none, the AWS default credential chain (eventdest/aws/credentials.hpp), created
// once per destination with the destination's region.
//
// Thread-safety: sign() and refresh_credentials() may be called from any thread. sign() may
// block while the chain fetches credentials (files, STS, container endpoint, IMDS).
#pragma once

#include <memory>
#include <string>

#include "eventdest/aws/credentials.hpp"
#include "eventdest/kinesis.hpp"
#include "http/http_client.hpp"

namespace eventdest::detail {

struct SignResult {
  bool ok = false;
  std::string error;  ///< when !ok: why there are no credentials (never a secret)
  /// When !ok: retrying cannot help (no credential source is configured, or one is
  /// misconfigured); false for transient failures (STS / IMDS / container timeouts, 5xx).
  bool permanent = false;
};

class KinesisSigner {
 public:
  virtual ~KinesisSigner() = default;
  /// Adds X-Amz-Date, X-Amz-Security-Token (with session credentials) and Authorization.
  virtual SignResult sign(http::Request& request, const std::string& host) = 0;
  /// After ExpiredToken: drops cached credentials; true if new ones may be obtained (a chain),
  /// false for static credentials from the spec.
  virtual bool refresh_credentials() = 0;
};

/// `provider` (KinesisConfig::credentials_provider) replaces the default chain; ignored when the
/// config has static keys.
std::unique_ptr<KinesisSigner> make_kinesis_signer(
    const KinesisConfig& config, std::shared_ptr<aws::CredentialsProvider> provider = nullptr);

}  // namespace eventdest::detail
