// End to end: an aws_kinesis destination without credentials in its spec gets them from the
// default chain (here a local IMDS), signs with them, refreshes after ExpiredToken, and fails
// at once - not after delivery_timeout - when no source is configured.
#include <thread>

#include "aws/aws_test_env.hpp"
#include "eventdest/kinesis.hpp"
#include "kinesis/fake_kinesis.hpp"
#include "support/catch.hpp"
#include "support/report_collector.hpp"

using namespace eventdest;
using namespace eventdest::test;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Destination> kinesis_without_credentials(FakeKinesis& sink) {
  return make_destination(
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"eu-west-1",)"
      R"("endpoint":")" +
      sink.url() +
      R"(","linger_ms":2,"retry_backoff_ms":5,"retry_backoff_max_ms":50,)"
      R"("delivery_timeout_ms":20000}})");
}

void publish_n(Destination& d, ReportCollector& reports, int n) {
  for (int i = 0; i < n; ++i) {
    Event e("orders", R"({"n":)" + std::to_string(i) + "}");
    e.set_id("e" + std::to_string(i));
    d.publish(std::move(e), reports.callback());
  }
}

}  // namespace

TEST_CASE("kinesis: credentials from IMDS sign the requests", "[aws][credentials][kinesis]") {
  AwsEnvScope env;
  FakeImds imds;
  imds.set_credentials("ASIAFROMIMDS", "2099-01-01T00:00:00Z");
  AwsEnvScope::unset("AWS_EC2_METADATA_DISABLED");
  AwsEnvScope::set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
  FakeKinesis sink;
  ReportCollector reports;
  auto d = kinesis_without_credentials(sink);
  publish_n(*d, reports, 3);
  REQUIRE(sink.server().wait_for_requests(1, 5s));
  publish_n(*d, reports, 2);  // ids repeat; a second batch reuses the cached credentials
  d->close();
  CHECK(reports.total() == 5);
  for (auto& [id, rs] : reports.by_id) {
    for (const auto& r : rs)
      CHECK(r.delivered());
  }
  const auto requests = sink.requests();
  REQUIRE_FALSE(requests.empty());
  for (const auto& r : requests) {
    const auto auth = r.header("authorization");
    CHECK(auth.rfind("AWS4-HMAC-SHA256 Credential=ASIAFROMIMDS/", 0) == 0);
    CHECK(contains(auth, "/eu-west-1/kinesis/aws4_request"));
    CHECK(contains(auth, "x-amz-security-token"));
    CHECK(r.header("x-amz-security-token") == FakeImds::kSession);
  }
  CHECK(imds.token_requests() == 1);
}

TEST_CASE("kinesis: ExpiredToken drops the cached credentials and the retry uses new ones",
          "[aws][credentials][kinesis]") {
  AwsEnvScope env;
  FakeImds imds;
  imds.set_credentials("ASIAOLD", "2099-01-01T00:00:00Z");
  AwsEnvScope::unset("AWS_EC2_METADATA_DISABLED");
  AwsEnvScope::set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
  FakeKinesis sink;
  sink.script_requests([&](std::size_t n, const ServerRequest&) -> std::optional<Action> {
    if (n != 1) return std::nullopt;
    imds.set_credentials("ASIANEW", "2099-01-01T00:00:00Z");  // what a refresh would get
    return Action::respond(400, {{"Content-Type", "application/x-amz-json-1.1"}},
                           R"({"__type":"ExpiredTokenException","message":"expired"})");
  });
  ReportCollector reports;
  auto d = kinesis_without_credentials(sink);
  publish_n(*d, reports, 1);
  d->close();
  REQUIRE(reports.by_id["e0"].size() == 1);
  CHECK(reports.by_id["e0"][0].delivered());
  CHECK(reports.by_id["e0"][0].attempts == 2);
  const auto requests = sink.requests();
  REQUIRE(requests.size() == 2);
  CHECK(contains(requests[0].header("authorization"), "Credential=ASIAOLD/"));
  CHECK(contains(requests[1].header("authorization"), "Credential=ASIANEW/"));
  CHECK(imds.token_requests() == 2);
}

TEST_CASE("kinesis: a transient credential failure is retried", "[aws][credentials][kinesis]") {
  AwsEnvScope env;
  FakeImds imds;
  imds.set_failing(503);
  AwsEnvScope::unset("AWS_EC2_METADATA_DISABLED");
  AwsEnvScope::set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
  FakeKinesis sink;
  ReportCollector reports;
  auto d = kinesis_without_credentials(sink);
  publish_n(*d, reports, 2);
  REQUIRE(imds.server_requests_at_least(2, 5s));
  imds.set_failing(0);
  d->close();
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].delivered());
  }
  CHECK(reports.total() == 2);
}

TEST_CASE("kinesis: no credential source at all fails at once, not retryable",
          "[aws][credentials][kinesis]") {
  AwsEnvScope env;  // no env keys, no files, IMDS disabled
  FakeKinesis sink;
  ReportCollector reports;
  const auto start = std::chrono::steady_clock::now();
  auto d = kinesis_without_credentials(sink);
  publish_n(*d, reports, 3);
  d->close();
  CHECK(std::chrono::steady_clock::now() - start < 5s);  // delivery_timeout is 20 s
  REQUIRE(reports.total() == 3);
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    const auto& r = rs[0];
    CHECK_FALSE(r.delivered());
    CHECK(r.error == make_error_code(errc::auth_failed));
    CHECK_FALSE(r.retryable);
    CHECK(contains(r.message,
                   "no AWS credentials: not in the spec; environment: "
                   "AWS_ACCESS_KEY_ID not set; shared files: no profile 'default'"));
    CHECK(contains(r.message, "instance metadata: disabled by AWS_EC2_METADATA_DISABLED"));
  }
  CHECK(sink.requests().empty());
}

namespace {

// "http://127.0.0.1:port" -> "http://user:secret-in-url@127.0.0.1:port".
std::string with_userinfo(const std::string& url) {
  return "http://user:secret-in-url@" + url.substr(std::string("http://").size());
}

void check_reports_hide_userinfo(ReportCollector& reports, const std::string& shown) {
  REQUIRE(reports.total() == 2);
  for (auto& [id, rs] : reports.by_id) {
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].error == make_error_code(errc::auth_failed));
    CHECK(contains(rs[0].message, shown));  // the endpoint is still named
    CHECK_FALSE(contains(rs[0].message, "secret-in-url"));
    CHECK_FALSE(contains(rs[0].to_json(), "secret-in-url"));
  }
}

}  // namespace

TEST_CASE("kinesis: user:password@ in a credential endpoint never reaches a report",
          "[aws][credentials][kinesis]") {
  AwsEnvScope env;
  FakeKinesis sink;
  ReportCollector reports;
  SECTION("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
    FakeImds imds;
    imds.set_failing(403);  // the token PUT refused: a permanent failure, reported at once
    AwsEnvScope::unset("AWS_EC2_METADATA_DISABLED");
    AwsEnvScope::set("AWS_EC2_METADATA_SERVICE_ENDPOINT", with_userinfo(imds.endpoint()));
    auto d = kinesis_without_credentials(sink);
    publish_n(*d, reports, 2);
    d->close();
    check_reports_hide_userinfo(reports, imds.endpoint());
  }
  SECTION("AWS_ENDPOINT_URL_STS") {
    HttpServer sts([](const ServerRequest&) {
      return Action::respond(403, {{"Content-Type", "text/xml"}},
                             "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no"
                             "</Message></Error></ErrorResponse>");
    });
    AwsEnvScope::set("AWS_WEB_IDENTITY_TOKEN_FILE", env.write("token", "web-token"));
    AwsEnvScope::set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r");
    AwsEnvScope::set("AWS_ENDPOINT_URL_STS", with_userinfo(sts.url("")));
    auto d = kinesis_without_credentials(sink);
    publish_n(*d, reports, 2);
    d->close();
    check_reports_hide_userinfo(reports, sts.url(""));
  }
  CHECK(sink.requests().empty());
}
