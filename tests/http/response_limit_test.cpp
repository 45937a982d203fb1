// Request::max_response_bytes: a body past the limit (an endless chunked stream, a huge
// Content-Length body) is cut there and fails as malformed; a body at the limit is whole.
#include "http/http_client.hpp"
#include "http/test_helpers.hpp"
#include "http/test_server.hpp"
#include "support/catch.hpp"

using namespace std::chrono_literals;
using eventdest::http::Client;
using eventdest::http::Request;
using eventdest::http::Response;
using eventdest::http::TransportError;
using eventdest::test::Action;
using eventdest::test::HttpServer;
using eventdest::test::NoProxyEnv;
using eventdest::test::ServerRequest;

namespace {

Request post_limited(std::string url, std::size_t max_response_bytes) {
  Request r;
  r.url = std::move(url);
  r.body = "x";
  r.max_response_bytes = max_response_bytes;
  return r;
}

}  // namespace

TEST_CASE("a response body past max_response_bytes is cut and fails as malformed",
          "[http][limits]") {
  NoProxyEnv no_proxy;
  constexpr std::size_t limit = 1 << 20;
  // 256 chunks of 64 KiB (16 MiB), sent as fast as the client reads: without the limit all of
  // it would be buffered.
  const std::vector<std::string> parts(256, std::string(64 << 10, '['));
  HttpServer server([&](const ServerRequest& r) {
    if (r.target == "/at-limit") return Action::respond(200, {}, std::string(limit, 'a'));
    if (r.target == "/over-by-one") return Action::respond(200, {}, std::string(limit + 1, 'a'));
    return Action::chunked(200, {{"Content-Type", "application/json"}}, parts);
  });
  Client client;

  Response r = client.send_sync(post_limited(server.url("/endless"), limit));
  CHECK(r.error == TransportError::malformed);
  CHECK(r.status == 0);
  CHECK(r.received_status == 200);
  CHECK(r.maybe_sent);
  CHECK(r.error_message == "response body larger than 1048576 bytes");
  CHECK(r.body.size() <= limit);

  r = client.send_sync(post_limited(server.url("/over-by-one"), limit));
  CHECK(r.error == TransportError::malformed);
  CHECK(r.body.size() <= limit);

  r = client.send_sync(post_limited(server.url("/at-limit"), limit));
  CHECK(r.ok());
  CHECK(r.body.size() == limit);

  // 0: no limit.
  r = client.send_sync(post_limited(server.url("/endless"), 0));
  CHECK(r.ok());
  CHECK(r.body.size() == parts.size() * parts[0].size());
  // The client goes on working after an aborted transfer.
  r = client.send_sync(post_limited(server.url("/at-limit"), limit));
  CHECK(r.ok());
  // Requests have a finite limit unless told otherwise.
  CHECK(Request().max_response_bytes == Request::kDefaultMaxResponseBytes);
  CHECK(Request::kDefaultMaxResponseBytes > 0);
}
