// Signs PutRecords requests: SigV4 for service "kinesis" with credentials from the spec or the
// AWS credential chain.
//
// Thread-safety: sign() and refresh_credentials() may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "eventdest/kinesis.hpp"
#include "http/http_client.hpp"

namespace eventdest::detail {

class KinesisSigner {
 public:
  virtual ~KinesisSigner() = default;
  /// Adds X-Amz-Date, X-Amz-Security-Token (with session credentials) and Authorization.
  /// Returns false with `error` (never containing secrets) when no credentials can be had.
  virtual bool sign(http::Request& request, const std::string& host, std::string& error) = 0;
  /// After ExpiredToken: drops cached credentials; true if new ones may be obtained (a chain),
  /// false for static credentials from the spec.
  virtual bool refresh_credentials() = 0;
};

std::unique_ptr<KinesisSigner> make_kinesis_signer(const KinesisConfig& config);

}  // namespace eventdest::detail
