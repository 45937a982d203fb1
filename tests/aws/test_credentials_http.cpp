// The credential chain's HTTP sources against local servers: STS AssumeRoleWithWebIdentity,
// the container endpoint and IMDSv2; chain order, caching, refresh before expiry, failed
// refreshes, concurrency, and secrets kept out of errors.
#include <atomic>
#include <thread>

#include "aws/aws_test_env.hpp"
#include "aws/credential_sources.hpp"
#include "eventdest/aws/credentials.hpp"
#include "support/catch.hpp"

using namespace eventdest;
using namespace eventdest::test;
using namespace std::chrono_literals;
namespace detail = eventdest::aws::detail;

namespace {

// application/x-www-form-urlencoded value of `name` in `body` (decoded), or "".
std::string form_value(const std::string& body, const std::string& name) {
  const std::string key = name + "=";
  std::size_t pos = 0;
  while (pos < body.size()) {
    const auto end = body.find('&', pos);
    const std::string pair = body.substr(pos, end == std::string::npos ? end : end - pos);
    if (pair.rfind(key, 0) == 0) {
      std::string out;
      const std::string v = pair.substr(key.size());
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '%' && i + 2 < v.size()) {
          out.push_back(static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16)));
          i += 2;
        } else {
          out.push_back(v[i] == '+' ? ' ' : v[i]);
        }
      }
      return out;
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return "";
}

const char* kWebToken = "eyJhbGciOiJSUzI1NiJ9.WEB-IDENTITY-TOKEN.sig";
const char* kRoleArn = "arn:aws:iam::123456789012:role/eventdest-irsa";

std::string sts_success(const std::string& expiration) {
  return "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
         "<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>sub"
         "</SubjectFromWebIdentityToken><Credentials>"
         "<SessionToken>STS-SESSION-TOKEN</SessionToken>"
         "<SecretAccessKey>sts/secret+KEY</SecretAccessKey>"
         "<Expiration>" +
         expiration +
         "</Expiration><AccessKeyId>ASIASTS</AccessKeyId></Credentials>"
         "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
}

// A manually advanced wall clock.
struct TestClock {
  std::atomic<std::int64_t> seconds{1'900'000'000};
  std::function<std::chrono::system_clock::time_point()> fn() {
    return [this] {
      return std::chrono::system_clock::time_point(std::chrono::seconds(seconds.load()));
    };
  }
  std::string iso(std::int64_t offset) const {
    return detail::format_iso8601(
        std::chrono::system_clock::time_point(std::chrono::seconds(seconds.load() + offset)));
  }
};

}  // namespace

TEST_CASE("web identity: AssumeRoleWithWebIdentity at the STS endpoint", "[aws][credentials]") {
  AwsEnvScope env;
  std::mutex mutex;
  std::vector<ServerRequest> seen;
  Action answer =
      Action::respond(200, {{"Content-Type", "text/xml"}}, sts_success("2030-01-01T00:00:00Z"));
  HttpServer sts([&](const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(mutex);
    seen.push_back(r);
    return answer;
  });
  AwsEnvScope::set("AWS_WEB_IDENTITY_TOKEN_FILE",
                   env.write("token", std::string(kWebToken) + "\n"));
  AwsEnvScope::set("AWS_ROLE_ARN", kRoleArn);
  AwsEnvScope::set("AWS_ENDPOINT_URL_STS", sts.url(""));

  SECTION("request and parsed credentials") {
    AwsEnvScope::set("AWS_ROLE_SESSION_NAME", "my session");
    auto r = aws::make_default_credentials_chain()->get();
    REQUIRE(r.ok());
    CHECK(r.source == "web identity");
    CHECK(r.credentials->access_key_id == "ASIASTS");
    CHECK(r.credentials->secret_access_key == "sts/secret+KEY");
    CHECK(r.credentials->session_token == "STS-SESSION-TOKEN");
    REQUIRE(r.credentials->expiration);
    CHECK(detail::format_iso8601(*r.credentials->expiration) == "2030-01-01T00:00:00Z");
    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE(seen.size() == 1);
    const auto& q = seen[0];
    CHECK(q.method == "POST");
    CHECK(q.target == "/");
    CHECK(q.header("authorization").empty());  // unsigned
    CHECK(form_value(q.body, "Action") == "AssumeRoleWithWebIdentity");
    CHECK(form_value(q.body, "Version") == "2011-06-15");
    CHECK(form_value(q.body, "RoleArn") == kRoleArn);
    CHECK(form_value(q.body, "RoleSessionName") == "my session");
    CHECK(form_value(q.body, "WebIdentityToken") == kWebToken);  // trimmed of its newline
    CHECK_FALSE(contains(q.target, "WEB-IDENTITY"));
  }
  SECTION("a default session name") {
    auto r = aws::make_default_credentials_chain()->get();
    REQUIRE(r.ok());
    std::lock_guard<std::mutex> lock(mutex);
    CHECK(form_value(seen.at(0).body, "RoleSessionName").rfind("eventdest-", 0) == 0);
  }
  SECTION("InvalidIdentityToken: a clear, permanent error without the token") {
    answer = Action::respond(
        400, {{"Content-Type", "text/xml"}},
        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
        "<Message>Token " +
            std::string(kWebToken) +
            " is not valid</Message></Error><RequestId>1</RequestId></ErrorResponse>");
    auto r = aws::make_default_credentials_chain()->get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.permanent);
    CHECK(contains(r.error, "web identity: STS AssumeRoleWithWebIdentity at " + sts.url("")));
    CHECK(contains(r.error, kRoleArn));
    CHECK(contains(r.error, "HTTP 400 InvalidIdentityToken: Token <redacted> is not valid"));
    CHECK_FALSE(contains(r.error, "WEB-IDENTITY-TOKEN"));
  }
  SECTION("throttling and 5xx are transient") {
    answer = Action::respond(503, {},
                             "<ErrorResponse><Error><Code>ServiceUnavailable</Code>"
                             "</Error></ErrorResponse>");
    auto r = aws::make_default_credentials_chain()->get();
    REQUIRE_FALSE(r.ok());
    CHECK_FALSE(r.permanent);
    CHECK(contains(r.error, "HTTP 503 ServiceUnavailable"));
  }
  SECTION("an unreadable token file is a permanent error") {
    AwsEnvScope::set("AWS_WEB_IDENTITY_TOKEN_FILE", env.path("missing-token"));
    auto r = aws::make_default_credentials_chain()->get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.permanent);
    CHECK(contains(r.error, "cannot read AWS_WEB_IDENTITY_TOKEN_FILE"));
    std::lock_guard<std::mutex> lock(mutex);
    CHECK(seen.empty());
  }
  SECTION("the shared files come before web identity") {
    env.write("credentials", "[default]\naws_access_key_id=AKIDFILE\naws_secret_access_key=f\n");
    auto r = aws::make_default_credentials_chain()->get();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "AKIDFILE");
    std::lock_guard<std::mutex> lock(mutex);
    CHECK(seen.empty());
  }
}

TEST_CASE("web identity: an STS endpoint that cannot be reached is a transient failure",
          "[aws][credentials]") {
  AwsEnvScope env;
  AwsEnvScope::set("AWS_WEB_IDENTITY_TOKEN_FILE", env.write("token", kWebToken));
  AwsEnvScope::set("AWS_ROLE_ARN", kRoleArn);
  aws::ChainOptions options;
  options.sts_endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  auto r = aws::make_default_credentials_chain(options)->get();
  REQUIRE_FALSE(r.ok());
  CHECK_FALSE(r.permanent);  // a configured STS that cannot be reached may come back
  CHECK(contains(r.error, options.sts_endpoint));
  CHECK_FALSE(contains(r.error, "WEB-IDENTITY-TOKEN"));
}

TEST_CASE("container credentials: full URI on loopback with an authorization token",
          "[aws][credentials]") {
  AwsEnvScope env;
  std::mutex mutex;
  std::vector<ServerRequest> seen;
  int status = 200;
  HttpServer ecs([&](const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(mutex);
    seen.push_back(r);
    if (status != 200) return Action::respond(status, {}, "echo " + r.header("authorization"));
    return Action::respond(200, {{"Content-Type", "application/json"}},
                           R"({"AccessKeyId":"ASIAECS","SecretAccessKey":"ecs-secret",)"
                           R"("Token":"ECS-SESSION","Expiration":"2030-06-01T10:00:00Z"})");
  });
  AwsEnvScope::set("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url("/v1/credentials"));

  SECTION("token from AWS_CONTAINER_AUTHORIZATION_TOKEN") {
    AwsEnvScope::set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic ECS-AUTH-TOKEN");
    auto r = aws::make_default_credentials_chain()->get();
    REQUIRE(r.ok());
    CHECK(r.source == "container");
    CHECK(r.credentials->access_key_id == "ASIAECS");
    CHECK(r.credentials->session_token == "ECS-SESSION");
    CHECK(detail::format_iso8601(*r.credentials->expiration) == "2030-06-01T10:00:00Z");
    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "GET");
    CHECK(seen[0].target == "/v1/credentials");
    CHECK(seen[0].header("authorization") == "Basic ECS-AUTH-TOKEN");
  }
  SECTION("token from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (preferred)") {
    AwsEnvScope::set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "not-this-one");
    AwsEnvScope::set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                     env.write("ecs-token", "FILE-AUTH-TOKEN\n"));
    auto r = aws::make_default_credentials_chain()->get();
    REQUIRE(r.ok());
    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].header("authorization") == "FILE-AUTH-TOKEN");
  }
  SECTION("errors never contain the token; 4xx permanent, 5xx transient") {
    AwsEnvScope::set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "SECRET-AUTH-TOKEN");
    status = 401;
    auto r = aws::make_default_credentials_chain()->get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.permanent);
    CHECK(contains(r.error, "container: container endpoint 127.0.0.1: HTTP 401"));
    CHECK_FALSE(contains(r.error, "SECRET-AUTH-TOKEN"));
    CHECK_FALSE(contains(r.error, "/v1/credentials"));
    status = 500;
    r = aws::make_default_credentials_chain()->get();
    REQUIRE_FALSE(r.ok());
    CHECK_FALSE(r.permanent);
    CHECK_FALSE(contains(r.error, "SECRET-AUTH-TOKEN"));
  }
  SECTION("relative URI against the container endpoint") {
    AwsEnvScope::unset("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    AwsEnvScope::set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/task-id");
    aws::ChainOptions options;
    options.container_endpoint = ecs.url("");
    auto r = aws::make_default_credentials_chain(options)->get();
    REQUIRE(r.ok());
    std::lock_guard<std::mutex> lock(mutex);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].target == "/v2/credentials/task-id");
    CHECK(seen[0].header("authorization").empty());
  }
}

TEST_CASE("container credentials: hosts other than loopback and the ECS/EKS addresses are refused",
          "[aws][credentials]") {
  AwsEnvScope env;
  for (const std::string uri : {"http://example.com/creds", "http://10.0.0.1/creds",
                                "http://127.0.0.1.evil.test/creds", "file:///etc/passwd"}) {
    INFO(uri);
    AwsEnvScope::set("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri);
    AwsEnvScope::set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "SECRET-AUTH-TOKEN");
    auto r = aws::make_default_credentials_chain()->get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.permanent);
    CHECK(contains(r.error, "AWS_CONTAINER_CREDENTIALS_FULL_URI"));
    CHECK_FALSE(contains(r.error, "SECRET-AUTH-TOKEN"));
  }
  AwsEnvScope::set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds");
  CHECK(contains(aws::make_default_credentials_chain()->get().error,
                 "host 'example.com' is not allowed"));
}

TEST_CASE("IMDSv2: token PUT, then the role, then its credentials", "[aws][credentials]") {
  AwsEnvScope env;
  FakeImds imds;
  AwsEnvScope::unset("AWS_EC2_METADATA_DISABLED");
  AwsEnvScope::set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
  imds.set_credentials("ASIAIMDS", "2031-01-01T00:00:00Z");
  auto r = aws::make_default_credentials_chain()->get();
  REQUIRE(r.ok());
  CHECK(r.source == "instance metadata");
  CHECK(r.credentials->access_key_id == "ASIAIMDS");
  CHECK(r.credentials->secret_access_key == FakeImds::kSecret);
  CHECK(r.credentials->session_token == FakeImds::kSession);
  CHECK(detail::format_iso8601(*r.credentials->expiration) == "2031-01-01T00:00:00Z");
  const auto requests = imds.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].method == "PUT");
  CHECK(requests[0].target == "/latest/api/token");
  CHECK(requests[0].header("x-aws-ec2-metadata-token-ttl-seconds") == "21600");
  CHECK(requests[1].method == "GET");
  CHECK(requests[1].target == "/latest/meta-data/iam/security-credentials/");
  CHECK(requests[1].header("x-aws-ec2-metadata-token") == FakeImds::kToken);
  CHECK(requests[2].target == "/latest/meta-data/iam/security-credentials/eventdest-role");
  CHECK(requests[2].header("x-aws-ec2-metadata-token") == FakeImds::kToken);

  SECTION("AWS_EC2_METADATA_DISABLED=true: never asked") {
    AwsEnvScope::set("AWS_EC2_METADATA_DISABLED", "TRUE");
    r = aws::make_default_credentials_chain()->get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.permanent);
    CHECK(contains(r.error, "instance metadata: disabled by AWS_EC2_METADATA_DISABLED"));
    CHECK(imds.requests().size() == 3);
  }
  SECTION("a 5xx from IMDS is transient") {
    imds.set_failing(500);
    r = aws::make_default_credentials_chain()->get();
    REQUIRE_FALSE(r.ok());
    CHECK_FALSE(r.permanent);
    CHECK(contains(r.error, "instance metadata: " + imds.endpoint() + " token: HTTP 500"));
  }
  SECTION("the container source comes before IMDS, web identity before both") {
    HttpServer ecs([](const ServerRequest&) {
      return Action::respond(200, {},
                             R"({"AccessKeyId":"ASIAECS","SecretAccessKey":"s","Token":"t"})");
    });
    AwsEnvScope::set("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url("/creds"));
    r = aws::make_default_credentials_chain()->get();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "ASIAECS");
    HttpServer sts([](const ServerRequest&) {
      return Action::respond(200, {}, sts_success("2030-01-01T00:00:00Z"));
    });
    AwsEnvScope::set("AWS_WEB_IDENTITY_TOKEN_FILE", env.write("token", kWebToken));
    AwsEnvScope::set("AWS_ROLE_ARN", kRoleArn);
    AwsEnvScope::set("AWS_ENDPOINT_URL_STS", sts.url(""));
    r = aws::make_default_credentials_chain()->get();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "ASIASTS");
    CHECK(imds.requests().size() == 3);
  }
}

TEST_CASE("IMDS that is not there fails fast and permanently", "[aws][credentials]") {
  AwsEnvScope env;
  AwsEnvScope::unset("AWS_EC2_METADATA_DISABLED");
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  AwsEnvScope::set("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint);
  const auto start = std::chrono::steady_clock::now();
  auto r = aws::make_default_credentials_chain()->get();
  CHECK(std::chrono::steady_clock::now() - start < 1500ms);
  REQUIRE_FALSE(r.ok());
  CHECK(r.permanent);
  CHECK(contains(r.error, "instance metadata: " + endpoint + ": connect failed"));
}

TEST_CASE("caching and refresh before expiry", "[aws][credentials]") {
  AwsEnvScope env;
  FakeImds imds;
  TestClock clock;
  aws::ChainOptions options;
  options.clock = clock.fn();
  options.imds_endpoint = imds.endpoint();
  AwsEnvScope::unset("AWS_EC2_METADATA_DISABLED");
  imds.set_credentials("ASIAONE", clock.iso(3600));
  auto chain = aws::make_default_credentials_chain(options);
  REQUIRE(chain->get().ok());
  CHECK(imds.token_requests() == 1);

  // Cached: no request while more than 5 minutes are left.
  clock.seconds += 3600 - 301;
  auto r = chain->get();
  REQUIRE(r.ok());
  CHECK(r.credentials->access_key_id == "ASIAONE");
  CHECK(imds.token_requests() == 1);

  SECTION("within 5 minutes of expiry: fetched again") {
    imds.set_credentials("ASIATWO", clock.iso(3600));
    clock.seconds += 2;  // 299 s left
    r = chain->get();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "ASIATWO");
    CHECK(imds.token_requests() == 2);
    r = chain->get();
    CHECK(imds.token_requests() == 2);
  }
  SECTION("a failed refresh keeps the still-valid credentials, then gives up at expiry") {
    imds.set_failing(503);
    clock.seconds += 2;
    r = chain->get();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "ASIAONE");
    CHECK(imds.token_requests() == 2);
    // Not asked again before refresh_retry_interval (10 s)...
    clock.seconds += 5;
    REQUIRE(chain->get().ok());
    CHECK(imds.token_requests() == 2);
    // ...but after it.
    clock.seconds += 6;
    REQUIRE(chain->get().ok());
    CHECK(imds.token_requests() == 3);
    // Expired: the failure is reported (transient: IMDS answered 503).
    clock.seconds += 300;
    r = chain->get();
    REQUIRE_FALSE(r.ok());
    CHECK_FALSE(r.permanent);
    CHECK(contains(r.error, "HTTP 503"));
    // Recovered.
    imds.set_failing(0);
    imds.set_credentials("ASIATHREE", clock.iso(3600));
    r = chain->get();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "ASIATHREE");
  }
  SECTION("invalidate() fetches again at once") {
    chain->invalidate();
    REQUIRE(chain->get().ok());
    CHECK(imds.token_requests() == 2);
  }
}

TEST_CASE("concurrent get() from 8 threads makes one fetch", "[aws][credentials]") {
  AwsEnvScope env;
  FakeImds imds;
  imds.set_delay(200ms);
  aws::ChainOptions options;
  options.imds_endpoint = imds.endpoint();
  AwsEnvScope::unset("AWS_EC2_METADATA_DISABLED");
  auto chain = aws::make_default_credentials_chain(options);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 20; ++j) {
        if (chain->get().ok()) ++ok;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  CHECK(ok == 160);
  CHECK(imds.token_requests() == 1);
  CHECK(imds.requests().size() == 3);
}

TEST_CASE("concurrent callers share one failed fetch", "[aws][credentials]") {
  AwsEnvScope env;
  FakeImds imds;
  imds.set_failing(500);
  imds.set_delay(200ms);  // every thread is waiting before the one fetch ends
  aws::ChainOptions options;
  options.imds_endpoint = imds.endpoint();
  AwsEnvScope::unset("AWS_EC2_METADATA_DISABLED");
  auto chain = aws::make_default_credentials_chain(options);
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (!chain->get().ok()) ++failed;
    });
  }
  for (auto& t : threads)
    t.join();
  CHECK(failed == 8);
  CHECK(imds.token_requests() == 1);
}
