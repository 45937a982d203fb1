// The credential chain's local parts: INI / XML / ISO 8601 helpers, the environment and the
// shared credentials/config files, chain order among them, caching and invalidate().
#include <atomic>

#include "aws/aws_test_env.hpp"
#include "aws/credential_sources.hpp"
#include "eventdest/aws/credentials.hpp"
#include "support/catch.hpp"

using namespace eventdest;
using namespace eventdest::test;
using namespace std::chrono_literals;
namespace detail = eventdest::aws::detail;

namespace {

aws::CredentialsResult resolve() {
  return aws::make_default_credentials_chain()->get();
}

}  // namespace

TEST_CASE("INI parsing: sections, comments, whitespace, key case, nested settings",
          "[aws][credentials]") {
  const auto ini = detail::parse_ini(
      "# leading comment\n"
      "; another\n"
      "top = ignored (no section)\n"
      "[default]\n"
      "  AWS_Access_Key_ID   =   AKID1  \r\n"
      "aws_secret_access_key=se#cret;1 # inline comment\n"
      "s3 =\n"
      "  max_concurrent_requests = 20\n"
      "region = eu-west-1 ; trailing\n"
      "[  profile   dev ]\n"
      "aws_access_key_id = AKID2\n"
      "[broken\n"
      "aws_access_key_id = lost\n");
  REQUIRE(ini.count("default"));
  const auto& d = ini.at("default");
  CHECK(d.at("aws_access_key_id") == "AKID1");
  CHECK(d.at("aws_secret_access_key") == "se#cret;1");  // no whitespace before '#': kept
  CHECK(d.at("region") == "eu-west-1");
  CHECK(d.at("s3").empty());
  CHECK(d.count("max_concurrent_requests") == 0);
  REQUIRE(ini.count("profile   dev"));
  CHECK(ini.at("profile   dev").at("aws_access_key_id") == "AKID2");
  CHECK(ini.size() == 2);
}

TEST_CASE("XML element extraction and ISO 8601 timestamps", "[aws][credentials]") {
  const std::string xml =
      "<R><Credentials><AccessKeyId>AK</AccessKeyId><SecretAccessKey>a&amp;b&lt;c"
      "</SecretAccessKey></Credentials></R>";
  CHECK(detail::xml_element(xml, "AccessKeyId") == std::optional<std::string>("AK"));
  CHECK(detail::xml_element(xml, "SecretAccessKey") == std::optional<std::string>("a&b<c"));
  CHECK_FALSE(detail::xml_element(xml, "SessionToken"));

  const auto t = detail::parse_iso8601("2024-02-29T23:59:58Z");
  REQUIRE(t);
  CHECK(std::chrono::system_clock::to_time_t(*t) == 1709251198);
  CHECK(detail::format_iso8601(*t) == "2024-02-29T23:59:58Z");
  CHECK(detail::parse_iso8601("2024-02-29T23:59:58.123Z") == t);
  CHECK(detail::parse_iso8601("2024-03-01T01:59:58+02:00") == t);
  CHECK_FALSE(detail::parse_iso8601("2024-02-29T23:59:58"));  // no zone
  CHECK_FALSE(detail::parse_iso8601("yesterday"));
  CHECK_FALSE(detail::parse_iso8601("2024-13-01T00:00:00Z"));
  // Beyond what system_clock holds: clamped rather than overflowing into the past.
  const auto far = detail::parse_iso8601("2999-01-01T00:00:00Z");
  REQUIRE(far);
  CHECK(*far > std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 100));
}

TEST_CASE("environment variables", "[aws][credentials]") {
  AwsEnvScope env;
  AwsEnvScope::set("AWS_ACCESS_KEY_ID", "AKIDENV");
  AwsEnvScope::set("AWS_SECRET_ACCESS_KEY", "env-secret");
  AwsEnvScope::set("AWS_SESSION_TOKEN", "env-session");
  auto r = resolve();
  REQUIRE(r.ok());
  CHECK(r.source == "environment");
  CHECK(r.credentials->access_key_id == "AKIDENV");
  CHECK(r.credentials->secret_access_key == "env-secret");
  CHECK(r.credentials->session_token == "env-session");
  CHECK_FALSE(r.credentials->expiration);

  SECTION("a key id without a secret is an error, not a fall-through") {
    AwsEnvScope::unset("AWS_SECRET_ACCESS_KEY");
    env.write("credentials", "[default]\naws_access_key_id=AKIDFILE\naws_secret_access_key=s\n");
    r = resolve();
    REQUIRE_FALSE(r.ok());
    CHECK(r.permanent);
    CHECK(contains(r.error, "AWS_SECRET_ACCESS_KEY is not"));
  }
}

TEST_CASE("shared files: default profile, AWS_PROFILE, [profile x] in config",
          "[aws][credentials]") {
  AwsEnvScope env;
  env.write("credentials",
            "# credentials\n"
            "[default]\n"
            "aws_access_key_id = AKIDDEFAULT\n"
            "aws_secret_access_key = default-secret\n"
            "\n"
            "[ci]   \n"
            "  Aws_Access_Key_Id=AKIDCI   ; the CI user\n"
            "\taws_secret_access_key=ci-secret\n"
            "aws_session_token = ci-session\n");
  env.write("config",
            "[default]\n"
            "region = us-east-1\n"
            "[profile dev]\n"
            "aws_access_key_id = AKIDDEV\n"
            "aws_secret_access_key = dev-secret\n"
            "[qa]\n"  // in the config file a named profile needs the "profile " prefix
            "aws_access_key_id = AKIDWRONG\n"
            "aws_secret_access_key = wrong\n"
            "[profile onlyregion]\n"
            "region = eu-west-1\n"
            "[profile assumed]\n"
            "role_arn = arn:aws:iam::123456789012:role/r\n"
            "source_profile = default\n"
            "[profile process]\n"
            "credential_process = /bin/echo\n"
            "[profile half]\n"
            "aws_access_key_id = AKIDHALF\n");

  SECTION("default profile from the credentials file") {
    auto r = resolve();
    REQUIRE(r.ok());
    CHECK(r.source == "shared files");
    CHECK(r.credentials->access_key_id == "AKIDDEFAULT");
    CHECK(r.credentials->session_token.empty());
  }
  SECTION("AWS_PROFILE selects [ci] in the credentials file (comments, whitespace, key case)") {
    AwsEnvScope::set("AWS_PROFILE", "ci");
    auto r = resolve();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "AKIDCI");
    CHECK(r.credentials->secret_access_key == "ci-secret");
    CHECK(r.credentials->session_token == "ci-session");
  }
  SECTION("AWS_PROFILE selects [profile dev] in the config file") {
    AwsEnvScope::set("AWS_PROFILE", "dev");
    auto r = resolve();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "AKIDDEV");
  }
  SECTION("[qa] in the config file is not profile qa") {
    AwsEnvScope::set("AWS_PROFILE", "qa");
    auto r = resolve();
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error,
                   "no profile 'qa' in " + env.path("credentials") + " or " + env.path("config")));
  }
  SECTION("a profile without keys is skipped with the reason") {
    AwsEnvScope::set("AWS_PROFILE", "onlyregion");
    auto r = resolve();
    REQUIRE_FALSE(r.ok());
    CHECK(r.permanent);
    CHECK(contains(r.error,
                   "[profile onlyregion] in " + env.path("config") + " has no aws_access_key_id"));
  }
  SECTION("role_arn / credential_process profiles are reported as not supported") {
    AwsEnvScope::set("AWS_PROFILE", "assumed");
    auto r = resolve();
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error, "uses role_arn, source_profile (not supported"));
    AwsEnvScope::set("AWS_PROFILE", "process");
    r = resolve();
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error, "uses credential_process (not supported"));
  }
  SECTION("a key id without a secret is an error") {
    AwsEnvScope::set("AWS_PROFILE", "half");
    auto r = resolve();
    REQUIRE_FALSE(r.ok());
    CHECK(r.permanent);
    CHECK(contains(r.error, "has aws_access_key_id but no aws_secret_access_key"));
  }
}

TEST_CASE("shared files: the credentials file wins over the config file; missing files",
          "[aws][credentials]") {
  AwsEnvScope env;
  SECTION("both define the profile") {
    env.write("credentials", "[default]\naws_access_key_id=AKIDCRED\naws_secret_access_key=a\n");
    env.write("config", "[default]\naws_access_key_id=AKIDCONF\naws_secret_access_key=b\n");
    auto r = resolve();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "AKIDCRED");
  }
  SECTION("only the config file has keys") {
    env.write("credentials", "[other]\naws_access_key_id=X\naws_secret_access_key=Y\n");
    env.write("config", "[default]\naws_access_key_id=AKIDCONF\naws_secret_access_key=b\n");
    auto r = resolve();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "AKIDCONF");
  }
  SECTION("HOME-based defaults") {
    AwsEnvScope::unset("AWS_SHARED_CREDENTIALS_FILE");
    AwsEnvScope::unset("AWS_CONFIG_FILE");
    std::filesystem::create_directory(env.path(".aws"));
    env.write(".aws/credentials",
              "[default]\naws_access_key_id=AKIDHOME\naws_secret_access_key=h\n");
    auto r = resolve();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "AKIDHOME");
  }
  SECTION("no files at all: every source is listed, and it is permanent") {
    auto r = resolve();
    REQUIRE_FALSE(r.ok());
    CHECK(r.permanent);
    CHECK(contains(r.error, "no AWS credentials: environment: AWS_ACCESS_KEY_ID not set; "));
    CHECK(contains(r.error, "shared files: no profile 'default' in " + env.path("credentials") +
                                " (no such file) or " + env.path("config") + " (no such file)"));
    CHECK(contains(r.error, "web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set"));
    CHECK(contains(r.error, "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI not set"));
    CHECK(contains(r.error, "instance metadata: disabled by AWS_EC2_METADATA_DISABLED"));
  }
}

TEST_CASE("chain order: environment before files; cached until invalidate()",
          "[aws][credentials]") {
  AwsEnvScope env;
  env.write("credentials", "[default]\naws_access_key_id=AKIDFILE\naws_secret_access_key=f\n");
  AwsEnvScope::set("AWS_ACCESS_KEY_ID", "AKIDENV");
  AwsEnvScope::set("AWS_SECRET_ACCESS_KEY", "e");
  auto chain = aws::make_default_credentials_chain();
  auto r = chain->get();
  REQUIRE(r.ok());
  CHECK(r.credentials->access_key_id == "AKIDENV");

  // Cached: a change in the environment is not seen...
  AwsEnvScope::unset("AWS_ACCESS_KEY_ID");
  AwsEnvScope::unset("AWS_SECRET_ACCESS_KEY");
  r = chain->get();
  REQUIRE(r.ok());
  CHECK(r.credentials->access_key_id == "AKIDENV");
  CHECK(r.source == "environment");
  // ...until invalidate(): then the whole chain is walked again and the file is next.
  chain->invalidate();
  r = chain->get();
  REQUIRE(r.ok());
  CHECK(r.credentials->access_key_id == "AKIDFILE");
  CHECK(r.source == "shared files");
}

TEST_CASE("to_string never shows the secret or the session token", "[aws][credentials]") {
  aws::Credentials c{"AKIDSHOW", "the-secret-key", "the-session-token",
                     detail::parse_iso8601("2030-01-02T03:04:05Z")};
  const std::string s = c.to_string();
  CHECK(contains(s, "AKIDSHOW"));
  CHECK(contains(s, "session token: yes"));
  CHECK(contains(s, "2030-01-02T03:04:05Z"));
  CHECK_FALSE(contains(s, "the-secret-key"));
  CHECK_FALSE(contains(s, "the-session-token"));
}

TEST_CASE("a permanent failure is remembered for refresh_retry_interval", "[aws][credentials]") {
  AwsEnvScope env;
  std::atomic<std::int64_t> seconds{1'900'000'000};
  aws::ChainOptions options;
  options.clock = [&] {
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds.load()));
  };
  auto chain = aws::make_default_credentials_chain(options);
  REQUIRE_FALSE(chain->get().ok());
  AwsEnvScope::set("AWS_ACCESS_KEY_ID", "AKIDLATER");
  AwsEnvScope::set("AWS_SECRET_ACCESS_KEY", "s");
  auto r = chain->get();
  REQUIRE_FALSE(r.ok());  // not asked again yet
  CHECK(r.permanent);
  seconds += 11;
  r = chain->get();
  REQUIRE(r.ok());
  CHECK(r.credentials->access_key_id == "AKIDLATER");

  SECTION("invalidate() forgets the failure too") {
    AwsEnvScope::unset("AWS_ACCESS_KEY_ID");
    chain->invalidate();
    REQUIRE_FALSE(chain->get().ok());
    AwsEnvScope::set("AWS_ACCESS_KEY_ID", "AKIDAGAIN");
    chain->invalidate();
    r = chain->get();
    REQUIRE(r.ok());
    CHECK(r.credentials->access_key_id == "AKIDAGAIN");
  }
}
