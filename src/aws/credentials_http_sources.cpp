// The credential sources that ask an HTTP endpoint: STS AssumeRoleWithWebIdentity, the ECS /
// EKS Pod Identity container endpoint and EC2 instance metadata (IMDSv2).
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "aws/blocking_http.hpp"
#include "aws/credential_sources.hpp"
#include "util/json_depth.hpp"
#include "eventdest/aws/sigv4.hpp"
#include "http/url.hpp"

namespace eventdest::aws::detail {
namespace {

constexpr std::size_t kMaxMessage = 300;

std::string trimmed(std::string s) {
  const auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && is_space(static_cast<unsigned char>(s.back())))
    s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && is_space(static_cast<unsigned char>(s[i])))
    ++i;
  return s.substr(i);
}

std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return trimmed(s.str());
}

std::string strip_slash(std::string s) {
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  return s;
}

std::string short_text(std::string s) {
  for (auto& c : s) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  if (s.size() > kMaxMessage) s = s.substr(0, kMaxMessage) + "...";
  return s;
}

std::string transport_problem(const BlockingResponse& r) {
  return r.error.empty() ? "no response" : r.error;
}

// {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"} (+ "Code" from IMDS).
std::optional<Credentials> credentials_from_json(const std::string& body, std::string& problem,
                                                 bool check_code) {
  rapidjson::Document doc;
  if (!eventdest::detail::parse_document_limited(doc, body.data(), body.size()).ok() ||
      !doc.IsObject()) {
    problem = "the response is not a JSON object";
    return std::nullopt;
  }
  const auto text = [&](const char* key) -> std::string {
    const auto it = doc.FindMember(key);
    return it != doc.MemberEnd() && it->value.IsString()
               ? std::string(it->value.GetString(), it->value.GetStringLength())
               : std::string();
  };
  if (check_code) {
    const std::string code = text("Code");
    if (code != "Success") {
      problem = "Code is \"" + short_text(code) + "\", not \"Success\"";
      return std::nullopt;
    }
  }
  Credentials c{text("AccessKeyId"), text("SecretAccessKey"), text("Token"), std::nullopt};
  if (c.empty()) {
    problem = "the response lacks AccessKeyId or SecretAccessKey";
    return std::nullopt;
  }
  const std::string expiration = text("Expiration");
  if (!expiration.empty()) {
    c.expiration = parse_iso8601(expiration);
    if (!c.expiration) {
      problem = "unreadable Expiration \"" + short_text(expiration) + "\"";
      return std::nullopt;
    }
  }
  return c;
}

// --- web identity --------------------------------------------------------------------------

class WebIdentitySource final : public CredentialSource {
 public:
  explicit WebIdentitySource(ChainOptions o) : options_(std::move(o)) {}
  const char* name() const noexcept override { return "web identity"; }

  SourceResult fetch() override {
    const std::string token_file = env_or_empty("AWS_WEB_IDENTITY_TOKEN_FILE");
    const std::string role_arn = env_or_empty("AWS_ROLE_ARN");
    if (token_file.empty() && role_arn.empty())
      return SourceResult::skip("AWS_WEB_IDENTITY_TOKEN_FILE not set");
    if (token_file.empty())
      return SourceResult::skip("AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not");
    if (role_arn.empty())
      return SourceResult::skip("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
    // Read on every fetch: the kubelet rotates the file.
    const auto token = read_small_file(token_file);
    if (!token)
      return SourceResult::failure("cannot read AWS_WEB_IDENTITY_TOKEN_FILE " + token_file, false);
    if (token->empty())
      return SourceResult::failure("AWS_WEB_IDENTITY_TOKEN_FILE " + token_file + " is empty",
                                   false);
    std::string session = env_or_empty("AWS_ROLE_SESSION_NAME");
    if (session.empty()) {
      session =
          "eventdest-" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
    }
    const std::string endpoint = strip_slash(sts_endpoint());
    BlockingRequest request;
    request.method = "POST";
    request.url = endpoint + "/";
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                       {"Accept", "application/xml"}};
    // In the body rather than the query: the token never sits in a URL.
    request.body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" +
                   uri_encode(role_arn, false) + "&RoleSessionName=" + uri_encode(session, false) +
                   "&WebIdentityToken=" + uri_encode(*token, false);
    request.connect_timeout = std::min(options_.sts_timeout, std::chrono::milliseconds(3000));
    request.timeout = options_.sts_timeout;
    request.ca_file = options_.ca_file;
    const BlockingResponse response = fetch_url(request);
    const std::string what =
        "STS AssumeRoleWithWebIdentity at " + http::display_url(endpoint) + " for " + role_arn;
    if (!response.transport_ok) {
      return SourceResult::failure(redact(what + ": " + transport_problem(response), {*token}),
                                   true);
    }
    if (response.status == 200) {
      const auto result = xml_element(response.body, "AssumeRoleWithWebIdentityResult");
      const auto credentials = result ? xml_element(*result, "Credentials") : std::nullopt;
      if (credentials) {
        Credentials c{xml_element(*credentials, "AccessKeyId").value_or(""),
                      xml_element(*credentials, "SecretAccessKey").value_or(""),
                      xml_element(*credentials, "SessionToken").value_or(""), std::nullopt};
        if (const auto exp = xml_element(*credentials, "Expiration"))
          c.expiration = parse_iso8601(*exp);
        if (!c.empty() && c.expiration) return SourceResult::success(std::move(c));
      }
      return SourceResult::failure(what + ": unexpected response (no complete Credentials)", true);
    }
    const std::string code = xml_element(response.body, "Code").value_or("");
    const std::string message = xml_element(response.body, "Message").value_or("");
    const bool transient = response.status >= 500 || response.status == 429 ||
                           code == "Throttling" || code == "IDPCommunicationError" ||
                           code == "RequestLimitExceeded" || code == "ServiceUnavailable";
    std::string error = what + ": HTTP " + std::to_string(response.status);
    if (!code.empty()) error += " " + short_text(code);
    if (!message.empty()) error += ": " + short_text(message);
    return SourceResult::failure(redact(std::move(error), {*token}), transient);
  }

 private:
  std::string sts_endpoint() const {
    if (!options_.sts_endpoint.empty()) return options_.sts_endpoint;
    if (auto e = env_or_empty("AWS_ENDPOINT_URL_STS"); !e.empty()) return e;
    std::string region = options_.region;
    if (region.empty()) region = env_or_empty("AWS_REGION");
    if (region.empty()) region = env_or_empty("AWS_DEFAULT_REGION");
    if (region.empty()) return "https://sts.amazonaws.com";
    const bool china = region.rfind("cn-", 0) == 0;
    return "https://sts." + region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
  }
  static BlockingResponse fetch_url(const BlockingRequest& r) { return detail::fetch(r); }

  const ChainOptions options_;
};

// --- container (ECS, EKS Pod Identity) -------------------------------------------------------

bool allowed_container_host(const std::string& host) {
  if (host == "localhost" || host == "[::1]" || host == "169.254.170.2" ||
      host == "169.254.170.23" || host == "[fd00:ec2::23]") {
    return true;
  }
  // 127.0.0.0/8
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

class ContainerSource final : public CredentialSource {
 public:
  explicit ContainerSource(ChainOptions o) : options_(std::move(o)) {}
  const char* name() const noexcept override { return "container"; }

  SourceResult fetch() override {
    const std::string relative = env_or_empty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const std::string full = env_or_empty("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (relative.empty() && full.empty())
      return SourceResult::skip("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI not set");
    std::string url;
    if (!relative.empty()) {
      const std::string base = options_.container_endpoint.empty()
                                   ? std::string("http://169.254.170.2")
                                   : strip_slash(options_.container_endpoint);
      url = base + (relative[0] == '/' ? "" : "/") + relative;
    } else {
      url = full;
      std::string scheme = url.substr(0, 8);
      std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (scheme.rfind("http://", 0) != 0 && scheme.rfind("https://", 0) != 0) {
        return SourceResult::failure(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI must be an http:// or https:// URL", false);
      }
      const std::string host = url_host(url);
      if (!allowed_container_host(host)) {
        return SourceResult::failure("AWS_CONTAINER_CREDENTIALS_FULL_URI host '" +
                                         short_text(host) +
                                         "' is not allowed (loopback, 169.254.170.2, "
                                         "169.254.170.23 or [fd00:ec2::23] only)",
                                     false);
      }
    }
    // The URI path can itself be a capability (ECS puts a per-task id in it): only the host is
    // ever printed.
    const std::string where = "container endpoint " + url_host(url);

    std::string token;
    if (const std::string file = env_or_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        !file.empty()) {
      const auto t = read_small_file(file);
      if (!t)
        return SourceResult::failure("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + file,
                                     false);
      token = *t;
    } else {
      token = trimmed(env_or_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    }
    if (token.find_first_of("\r\n") != std::string::npos)
      return SourceResult::failure("the container authorization token contains a line break",
                                   false);

    BlockingRequest request;
    request.url = url;
    request.use_proxy = false;
    request.connect_timeout = options_.metadata_timeout;
    request.timeout = options_.metadata_timeout * 2;
    request.headers = {{"Accept", "application/json"}};
    if (!token.empty()) request.headers.emplace_back("Authorization", token);
    const BlockingResponse response = detail::fetch(request);
    if (!response.transport_ok) {
      return SourceResult::failure(redact(where + ": " + transport_problem(response), {token}),
                                   true);
    }
    if (response.status != 200) {
      const bool transient = response.status >= 500 || response.status == 429;
      return SourceResult::failure(where + ": HTTP " + std::to_string(response.status), transient);
    }
    std::string problem;
    if (auto c = credentials_from_json(response.body, problem, false))
      return SourceResult::success(std::move(*c));
    return SourceResult::failure(where + ": " + problem, true);
  }

 private:
  const ChainOptions options_;
};

// --- EC2 instance metadata (IMDSv2) -----------------------------------------------------------

class InstanceMetadataSource final : public CredentialSource {
 public:
  explicit InstanceMetadataSource(ChainOptions o) : options_(std::move(o)) {}
  const char* name() const noexcept override { return "instance metadata"; }

  SourceResult fetch() override {
    std::string disabled = env_or_empty("AWS_EC2_METADATA_DISABLED");
    std::transform(disabled.begin(), disabled.end(), disabled.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (disabled == "true") return SourceResult::skip("disabled by AWS_EC2_METADATA_DISABLED");
    std::string base = options_.imds_endpoint;
    if (base.empty()) base = env_or_empty("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (base.empty()) base = "http://169.254.169.254";
    base = strip_slash(base);
    // Messages name the endpoint without any user:password@ it was given with.
    const std::string shown = http::display_url(base);

    BlockingRequest put = request("PUT", base + "/latest/api/token");
    put.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
    const BlockingResponse token_response = detail::fetch(put);
    if (!token_response.transport_ok) {
      // Nothing listening: not on EC2 (or IMDS is firewalled), not a transient failure.
      if (token_response.never_connected)
        return SourceResult::skip(shown + ": connect failed (" + transport_problem(token_response) +
                                  ")");
      return SourceResult::failure(shown + " token: " + transport_problem(token_response), true);
    }
    if (token_response.status == 403) {
      return SourceResult::failure(shown +
                                       ": the IMDSv2 token request was refused (HTTP 403); "
                                       "IMDSv1 fallback is not supported",
                                   false);
    }
    if (token_response.status == 404 || token_response.status == 405)
      return SourceResult::skip(shown + ": no IMDSv2 token service (HTTP " +
                                std::to_string(token_response.status) + ")");
    if (token_response.status != 200 || trimmed(token_response.body).empty()) {
      return SourceResult::failure(shown + " token: HTTP " + std::to_string(token_response.status),
                                   token_response.status >= 500 || token_response.status == 429 ||
                                       token_response.status == 200);
    }
    const std::string token = trimmed(token_response.body);
    const std::string credentials_path = base + "/latest/meta-data/iam/security-credentials/";

    BlockingRequest list = request("GET", credentials_path);
    list.headers = {{"X-aws-ec2-metadata-token", token}};
    const BlockingResponse roles = detail::fetch(list);
    if (!roles.transport_ok)
      return SourceResult::failure(shown + " role: " + transport_problem(roles), true);
    if (roles.status == 404)
      return SourceResult::skip(shown + ": no IAM role attached to the instance");
    if (roles.status != 200) {
      return SourceResult::failure(shown + " role: HTTP " + std::to_string(roles.status),
                                   roles.status >= 500 || roles.status == 429);
    }
    std::string role = trimmed(roles.body.substr(0, roles.body.find('\n')));
    if (role.empty()) return SourceResult::skip(shown + ": no IAM role attached to the instance");

    BlockingRequest get = request("GET", credentials_path + uri_encode(role, false));
    get.headers = {{"X-aws-ec2-metadata-token", token}};
    const BlockingResponse creds = detail::fetch(get);
    const std::string where = shown + " role " + short_text(role);
    if (!creds.transport_ok)
      return SourceResult::failure(where + ": " + transport_problem(creds), true);
    if (creds.status != 200) {
      return SourceResult::failure(
          where + ": HTTP " + std::to_string(creds.status),
          creds.status >= 500 || creds.status == 429 || creds.status == 404);
    }
    std::string problem;
    if (auto c = credentials_from_json(creds.body, problem, true))
      return SourceResult::success(std::move(*c));
    return SourceResult::failure(where + ": " + problem, true);
  }

 private:
  BlockingRequest request(const char* method, std::string url) const {
    BlockingRequest r;
    r.method = method;
    r.url = std::move(url);
    r.use_proxy = false;
    r.connect_timeout = options_.metadata_timeout;
    r.timeout = options_.metadata_timeout;
    return r;
  }

  const ChainOptions options_;
};

}  // namespace

std::unique_ptr<CredentialSource> make_web_identity_source(const ChainOptions& options) {
  return std::make_unique<WebIdentitySource>(options);
}
std::unique_ptr<CredentialSource> make_container_source(const ChainOptions& options) {
  return std::make_unique<ContainerSource>(options);
}
std::unique_ptr<CredentialSource> make_instance_metadata_source(const ChainOptions& options) {
  return std::make_unique<InstanceMetadataSource>(options);
}

}  // namespace eventdest::aws::detail
