// Proxies come from the environment, as libcurl reads them: nothing in the engine may turn that
// off. The local test server plays the proxy (it receives absolute-form targets).
#include "http/http_client.hpp"
#include "http/test_helpers.hpp"
#include "http/test_server.hpp"
#include "support/catch.hpp"

using eventdest::http::Client;
using eventdest::http::Request;
using eventdest::http::Response;
using eventdest::http::TransportError;
using eventdest::test::Action;
using eventdest::test::HttpServer;
using eventdest::test::ScopedEnv;
using eventdest::test::ServerRequest;

TEST_CASE("http_proxy from the environment is used, no_proxy is honoured", "[http][proxy]") {
  eventdest::test::NoProxyEnv clean;
  std::mutex m;
  std::vector<std::string> targets;
  HttpServer proxy([&](const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(m);
    targets.push_back(r.target);
    return Action::respond(200, {}, "via proxy " + r.target);
  });
  ScopedEnv http_proxy("http_proxy", proxy.url());

  Client client;
  Request req;
  req.method = "GET";
  // .invalid never resolves: only a proxy can have answered.
  req.url = "http://upstream.invalid/some/path?x=1";
  req.timeout = std::chrono::milliseconds(5000);
  const Response r = client.send_sync(req);
  REQUIRE(r.ok());
  CHECK(r.body == "via proxy http://upstream.invalid/some/path?x=1");
  {
    std::lock_guard<std::mutex> lock(m);
    REQUIRE(targets.size() == 1);
    CHECK(targets[0] == "http://upstream.invalid/some/path?x=1");
  }

  ScopedEnv no_proxy("no_proxy", "upstream.invalid");
  const Response direct = client.send_sync(req);
  CHECK(direct.error == TransportError::dns);
  CHECK(proxy.requests_received() == 1);
}
