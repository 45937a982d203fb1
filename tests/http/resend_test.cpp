// libcurl re-sends a request on a fresh connection when a reused keep-alive connection dies
// before any response. For a POST the server may have processed it twice: Response::resent says so.
#include <atomic>

#include "http/http_client.hpp"
#include "http/test_server.hpp"
#include "support/catch.hpp"

using namespace eventdest;
using namespace eventdest::test;

TEST_CASE("a request re-sent after a reused connection died is flagged", "[http]") {
  std::atomic<int> n{0};
  std::atomic<int> bodies_seen{0};
  HttpServer server([&](const ServerRequest& r) {
    if (r.body == "payload") ++bodies_seen;
    // The second request arrives on the kept-alive connection: read it, then reset.
    return ++n == 2 ? Action::reset() : Action::respond(200, {}, "ok");
  });
  http::Client client;
  http::Request first;
  first.url = server.url("/");
  first.body = "payload";
  auto r1 = client.send_sync(first);
  REQUIRE(r1.ok());
  CHECK_FALSE(r1.resent);
  auto r2 = client.send_sync(first);
  REQUIRE(r2.ok());  // libcurl retried on a new connection and got an answer
  CHECK(r2.status == 200);
  CHECK(r2.resent);
  CHECK(bodies_seen == 3);  // the server saw the second body twice
  CHECK(server.connections_accepted() == 2);
  auto r3 = client.send_sync(first);
  CHECK_FALSE(r3.resent);
}
