// Credential endpoints that answer with hostile JSON (issue 17, item 1): a container endpoint
// body nested 200,000 levels deep is an unreadable response, not a stack overflow; a body past
// the 1 MiB limit is refused.
#include "aws/aws_test_env.hpp"
#include "eventdest/aws/credentials.hpp"
#include "support/catch.hpp"

using namespace eventdest;
using namespace eventdest::test;

TEST_CASE("container credentials: deep or huge JSON bodies are refused", "[aws][credentials]") {
  AwsEnvScope env;
  std::string body;
  HttpServer ecs([&body](const ServerRequest&) {
    return Action::respond(200, {{"Content-Type", "application/json"}}, body);
  });
  AwsEnvScope::set("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url("/v1/credentials"));

  body = std::string(200000, '[');
  auto r = aws::make_default_credentials_chain()->get();
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error, "the response is not a JSON object"));

  body = R"({"AccessKeyId":"ASIA","SecretAccessKey":"s","X":)" + std::string(100000, '[');
  r = aws::make_default_credentials_chain()->get();
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error, "the response is not a JSON object"));

  // Within the limit, an unknown deep member does not matter; strings are kept whole.
  body = R"({"AccessKeyId":"ASIA\u0000X","SecretAccessKey":"s","X":[[[[1]]]]})";
  r = aws::make_default_credentials_chain()->get();
  REQUIRE(r.ok());
  CHECK(r.credentials->access_key_id == std::string("ASIA\0X", 6));

  body = std::string((1 << 20) + 1, ' ');
  r = aws::make_default_credentials_chain()->get();
  REQUIRE_FALSE(r.ok());
}
