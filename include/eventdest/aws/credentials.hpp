// AWS credentials as a value, and the default credential provider chain that finds them when a
// destination's spec has none.
//
// The chain (make_default_credentials_chain) tries these sources in order and uses the first
// that has credentials. The order is the AWS C++ SDK's DefaultAWSCredentialsProviderChain
// (botocore differs only in asking web identity before the shared files):
//   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
//   2. shared files: profile AWS_PROFILE (default "default") in AWS_SHARED_CREDENTIALS_FILE
//      (default ~/.aws/credentials, sections [name]), then AWS_CONFIG_FILE (default
//      ~/.aws/config, sections [profile name] and [default]); aws_access_key_id,
//      aws_secret_access_key, aws_session_token. Profiles that only have role_arn /
//      source_profile, credential_process or sso_* are NOT supported: they are skipped and the
//      error says so;
//   3. web identity (EKS IRSA): AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
//      (+ AWS_ROLE_SESSION_NAME), STS AssumeRoleWithWebIdentity at the regional endpoint
//      https://sts.<region>.amazonaws.com (ChainOptions::region, else AWS_REGION,
//      AWS_DEFAULT_REGION), or AWS_ENDPOINT_URL_STS; TLS is verified;
//   4. ECS / EKS Pod Identity container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
//      (http://169.254.170.2<uri>) or AWS_CONTAINER_CREDENTIALS_FULL_URI (hosts: loopback,
//      169.254.170.2, 169.254.170.23, [fd00:ec2::23]), with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
//      or AWS_CONTAINER_AUTHORIZATION_TOKEN as the Authorization header;
//   5. EC2 instance metadata, IMDSv2 only (no IMDSv1 fallback): AWS_EC2_METADATA_SERVICE_ENDPOINT
//      (default http://169.254.169.254), off when AWS_EC2_METADATA_DISABLED=true; 1 s timeouts.
// A source that is not configured is skipped. A source that is configured but fails (partial
// keys, STS refuses, the container endpoint answers 5xx...) ends the search with its error
// rather than silently falling through to another identity.
//
// Caching: the chain keeps the credentials and the source that produced them. Credentials with
// an expiration are fetched again (from that source) once less than refresh_window (5 min) is
// left; if that refresh fails while they have not yet expired, they are still used (and the
// refresh is tried again after refresh_retry_interval). Credentials without expiration (env,
// files) are kept until invalidate(), which drops them and the remembered source: the next get()
// walks the whole chain again.
//
// Secrets: the secret key, the session token, the web identity token and the container
// authorization token never appear in to_string(), errors or logs.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "eventdest/export.hpp"

namespace eventdest::aws {

struct EVENTDEST_API Credentials {
  std::string access_key_id;
  std::string secret_access_key;  ///< never printed
  std::string session_token;      ///< never printed
  std::optional<std::chrono::system_clock::time_point> expiration;

  bool empty() const noexcept { return access_key_id.empty() || secret_access_key.empty(); }
  /// "Credentials(AKID..., session token: yes, expires: 2024-...Z)": never the secret or the
  /// token.
  std::string to_string() const;
};

/// The outcome of CredentialsProvider::get(): credentials, or why there are none. An error as a
/// value: get() does not throw for a missing or failing source.
struct EVENTDEST_API CredentialsResult {
  std::optional<Credentials> credentials;
  /// Which source supplied them: "environment", "shared files", "web identity", "container",
  /// "instance metadata" (or "static").
  std::string source;
  /// Without credentials: what was tried and what went wrong, never a secret.
  std::string error;
  /// Without credentials: true when asking again will not help without a configuration change
  /// (no source is configured, or one is misconfigured / refused for good); false when a
  /// configured source failed transiently (timeout, connection refused by a configured
  /// endpoint, HTTP 5xx, throttling).
  bool permanent = false;

  bool ok() const noexcept { return credentials.has_value(); }
};

/// Thread-safety: get() and invalidate() may be called from any number of threads at once.
class EVENTDEST_API CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  /// Cached credentials when still fresh, else fetches them (blocking: file reads, HTTP).
  virtual CredentialsResult get() = 0;
  /// Forgets cached credentials (e.g. after the service said ExpiredToken).
  virtual void invalidate() = 0;
};

struct EVENTDEST_API ChainOptions {
  /// Region of the STS endpoint for web identity; empty: AWS_REGION, then AWS_DEFAULT_REGION,
  /// then the global endpoint https://sts.amazonaws.com.
  std::string region;
  /// Overrides AWS_ENDPOINT_URL_STS and the regional STS endpoint ("https://host[:port]").
  std::string sts_endpoint;
  /// Overrides AWS_EC2_METADATA_SERVICE_ENDPOINT and http://169.254.169.254.
  std::string imds_endpoint;
  /// Base for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (default http://169.254.170.2).
  std::string container_endpoint;
  /// CA bundle for STS instead of the system store (verification is always on).
  std::string ca_file;
  /// Connect and whole-request limit for IMDS and the container endpoint.
  std::chrono::milliseconds metadata_timeout{1000};
  /// Whole-request limit for STS.
  std::chrono::milliseconds sts_timeout{5000};
  /// Refresh credentials that expire within this window.
  std::chrono::seconds refresh_window{300};
  /// After a failed refresh, cached still-valid credentials are used for this long before the
  /// next attempt; a permanent failure (nothing configured) is returned again for this long
  /// without asking the sources.
  std::chrono::milliseconds refresh_retry_interval{10000};
  /// The wall clock (tests inject their own); null: std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> clock;
};

/// The default chain described above. Reads the environment on each fetch, not here.
EVENTDEST_API std::shared_ptr<CredentialsProvider> make_default_credentials_chain(
    ChainOptions options = {});

/// Always returns `credentials` (e.g. from a spec); invalidate() does nothing.
EVENTDEST_API std::shared_ptr<CredentialsProvider> make_static_credentials_provider(
    Credentials credentials);

}  // namespace eventdest::aws
