// The libcurl engine against the scriptable local server: round trips, connection reuse and the
// pool bound, every transport failure's classification, cancellation and concurrency.
#include <atomic>
#include <thread>

#include "http/http_client.hpp"
#include "http/test_helpers.hpp"
#include "http/test_server.hpp"
#include "support/catch.hpp"

using namespace std::chrono_literals;
using eventdest::http::Client;
using eventdest::http::ClientOptions;
using eventdest::http::Request;
using eventdest::http::Response;
using eventdest::http::TransportError;
using eventdest::test::Action;
using eventdest::test::Collector;
using eventdest::test::HttpServer;
using eventdest::test::NoProxyEnv;
using eventdest::test::ServerRequest;

namespace {

Request get(std::string url) {
  Request r;
  r.method = "GET";
  r.url = std::move(url);
  return r;
}

Request post(std::string url, std::string body) {
  Request r;
  r.method = "POST";
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_CASE("GET round trip: request headers out, lowercased response headers and body in",
          "[http]") {
  NoProxyEnv no_proxy;
  std::mutex m;
  ServerRequest seen;
  HttpServer server([&](const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(m);
    seen = r;
    return Action::respond(200, {{"Content-Type", "text/plain"}, {"X-Answer", " 42 "}}, "hello");
  });
  Client client;
  Request req = get(server.url("/path?q=1"));
  req.headers = {{"X-Custom", "abc"}, {"X-Empty", ""}};
  const Response r = client.send_sync(req);

  REQUIRE(r.ok());
  CHECK(r.status == 200);
  CHECK(r.received_status == 200);
  CHECK(r.body == "hello");
  CHECK(r.header("content-type") == "text/plain");
  CHECK(r.header("X-ANSWER") == "42");
  CHECK(r.header("missing").empty());
  CHECK(r.maybe_sent);
  CHECK(r.error_message.empty());

  std::lock_guard<std::mutex> lock(m);
  CHECK(seen.method == "GET");
  CHECK(seen.target == "/path?q=1");
  CHECK(seen.header("x-custom") == "abc");
  CHECK(seen.has_header("x-empty"));
  CHECK(seen.header("x-empty").empty());
  CHECK(seen.header("user-agent") == std::string("eventdest/") + EVENTDEST_VERSION_STRING);
  CHECK(seen.body.empty());
}

TEST_CASE("response header names are lowercased", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest&) {
    return Action::respond(204, {{"X-MiXeD-Case", "v"}, {"ETag", "\"x\""}});
  });
  Client client;
  const Response r = client.send_sync(get(server.url()));
  REQUIRE(r.ok());
  CHECK(r.status == 204);
  bool found = false;
  for (const auto& h : r.headers) {
    if (h.name == "x-mixed-case") found = true;
    CHECK(h.name.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos);
  }
  CHECK(found);
  CHECK(r.header("etag") == "\"x\"");
}

TEST_CASE("POST sends the body as given, without Expect or an invented Content-Type", "[http]") {
  NoProxyEnv no_proxy;
  std::mutex m;
  std::vector<ServerRequest> seen;
  HttpServer server([&](const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(m);
    seen.push_back(r);
    return Action::respond(200, {}, "got " + std::to_string(r.body.size()));
  });
  Client client;

  Request json = post(server.url("/json"), R"({"a":1})");
  json.headers = {{"Content-Type", "application/json"}};
  Response r = client.send_sync(json);
  REQUIRE(r.ok());
  CHECK(r.body == "got 7");

  // Large enough that libcurl would add Expect: 100-continue on its own.
  const std::string big(2 * 1024 * 1024, 'x');
  r = client.send_sync(post(server.url("/big"), big));
  REQUIRE(r.ok());
  CHECK(r.body == "got " + std::to_string(big.size()));

  r = client.send_sync(post(server.url("/empty"), ""));
  REQUIRE(r.ok());

  std::lock_guard<std::mutex> lock(m);
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].body == R"({"a":1})");
  CHECK(seen[0].header("content-type") == "application/json");
  CHECK_FALSE(seen[0].has_header("expect"));
  CHECK(seen[1].body == big);
  CHECK_FALSE(seen[1].has_header("expect"));
  CHECK_FALSE(seen[1].has_header("content-type"));
  CHECK(seen[2].method == "POST");
  CHECK(seen[2].body.empty());
  CHECK(seen[2].header("content-length") == "0");
}

TEST_CASE("PUT, DELETE, PATCH and HEAD use their verbs", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest& r) {
    return Action::respond(200, {{"X-Method", r.method}}, r.method + ":" + r.body);
  });
  Client client;
  for (const char* method : {"PUT", "PATCH", "DELETE"}) {
    Request req = post(server.url(), "b");
    req.method = method;
    const Response r = client.send_sync(req);
    REQUIRE(r.ok());
    CHECK(r.body == std::string(method) + ":b");
  }
  Request del = get(server.url());
  del.method = "DELETE";
  Response r = client.send_sync(del);
  REQUIRE(r.ok());
  CHECK(r.body == "DELETE:");

  Request head = get(server.url());
  head.method = "HEAD";
  r = client.send_sync(head);
  REQUIRE(r.ok());
  CHECK(r.header("x-method") == "HEAD");
  CHECK(r.body.empty());
}

TEST_CASE("sequential requests reuse one keep-alive connection", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest& r) {
    return Action::respond(200, {}, std::to_string(r.index_on_connection));
  });
  Client client;
  for (int i = 0; i < 10; ++i) {
    const Response r = client.send_sync(post(server.url(), "x"));
    REQUIRE(r.ok());
    CHECK(r.body == std::to_string(i));
  }
  CHECK(server.connections_accepted() == 1);
  CHECK(server.requests_received() == 10);
}

TEST_CASE("the pool never opens more than max_connections", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server(
      [](const ServerRequest&) { return Action::respond(200, {}, "ok").after(30ms); });
  ClientOptions options;
  options.max_connections = 2;
  Client client(options);
  Collector results;
  constexpr int kRequests = 12;
  for (int i = 0; i < kRequests; ++i)
    client.send(get(server.url()), results.callback(i));
  REQUIRE(results.wait_for(kRequests));
  for (const auto& [id, r] : results.responses()) {
    CHECK(r.ok());
    CHECK(r.status == 200);
  }
  CHECK(server.max_concurrent_connections() <= 2);
  CHECK(server.connections_accepted() <= 2);
  CHECK(server.requests_received() == kRequests);
}

TEST_CASE("requests beyond max_in_flight wait in order; their timeout keeps running", "[http]") {
  NoProxyEnv no_proxy;
  std::mutex m;
  std::vector<std::string> order;
  HttpServer server([&](const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(m);
    order.push_back(r.body);
    return r.body == "stall" ? Action::stall() : Action::respond(200, {}, r.body);
  });
  ClientOptions options;
  options.max_connections = 1;
  options.max_in_flight = 1;
  Collector results;
  {
    Client client(options);
    for (int i = 0; i < 5; ++i)
      client.send(post(server.url(), std::to_string(i)), results.callback(i));
    REQUIRE(results.wait_for(5));
    {
      std::lock_guard<std::mutex> lock(m);
      CHECK(order == std::vector<std::string>{"0", "1", "2", "3", "4"});
    }

    Request stalled = post(server.url(), "stall");
    stalled.timeout = 60s;
    client.send(stalled, results.callback(10));
    REQUIRE(server.wait_for_requests(6, 10s));
    Request waiting = post(server.url(), "never sent");
    waiting.timeout = 200ms;
    client.send(waiting, results.callback(11));
    REQUIRE(results.wait_for(6));  // the waiting one expires while the stalled one holds the slot
    const Response r = results.responses().at(11);
    CHECK(r.error == TransportError::timeout);
    CHECK_FALSE(r.maybe_sent);
  }
  CHECK(results.responses().at(10).error == TransportError::cancelled);
  CHECK(server.requests_received() == 6);
}

TEST_CASE("a request that outlives its timeout fails with timeout", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest&) { return Action::stall(); });
  Client client;
  Request req = post(server.url(), "payload");
  req.timeout = 200ms;
  const Response r = client.send_sync(req);
  CHECK(r.error == TransportError::timeout);
  CHECK(r.maybe_sent);
  CHECK(r.status == 0);
  CHECK_FALSE(r.error_message.empty());
}

TEST_CASE("a refused connection is connect_failed and certainly not sent", "[http]") {
  NoProxyEnv no_proxy;
  Client client;
  const auto port = eventdest::test::closed_port();
  const Response r = client.send_sync(post("http://127.0.0.1:" + std::to_string(port) + "/", "x"));
  CHECK(r.error == TransportError::connect_failed);
  CHECK_FALSE(r.maybe_sent);
  CHECK(r.status == 0);
}

TEST_CASE("an unresolvable host is a dns error, certainly not sent", "[http]") {
  NoProxyEnv no_proxy;
  Client client;
  Request req = get("http://eventdest-test.invalid/");
  req.timeout = 5000ms;
  const Response r = client.send_sync(req);
  CHECK(r.error == TransportError::dns);
  CHECK_FALSE(r.maybe_sent);
}

TEST_CASE("only http and https URLs are sent", "[http]") {
  Client client;
  const Response r = client.send_sync(get("file:///etc/passwd"));
  CHECK(r.error == TransportError::other);
  CHECK_FALSE(r.maybe_sent);
  CHECK(r.body.empty());
}

TEST_CASE("a response cut short keeps the partial body", "[http]") {
  NoProxyEnv no_proxy;
  const std::string full = "0123456789abcdefghij";

  SECTION("closed (FIN) before Content-Length bytes arrived") {
    HttpServer server([&](const ServerRequest&) {
      return Action::truncated(200, {{"X-Stream", "1"}}, full, 8);
    });
    Client client;
    const Response r = client.send_sync(post(server.url(), "x"));
    CHECK(r.error == TransportError::connection_lost);
    CHECK(r.maybe_sent);
    CHECK(r.status == 0);
    CHECK(r.received_status == 200);
    CHECK(r.header("x-stream") == "1");
    CHECK(r.body == full.substr(0, 8));
  }
  SECTION("reset (RST) mid-body") {
    HttpServer server([&](const ServerRequest&) {
      return Action::truncated(200, {}, full, 5, /*reset=*/true, 100ms);
    });
    Client client;
    const Response r = client.send_sync(post(server.url(), "x"));
    CHECK(r.error == TransportError::connection_lost);
    CHECK(r.maybe_sent);
    CHECK(r.body == full.substr(0, 5));
  }
  SECTION("a chunked stream that stops without its last chunk") {
    HttpServer server([](const ServerRequest&) {
      return Action::chunked(200, {}, {"{\"a\":1}\r\n", "{\"b\":2}\r\n"}, 10ms, /*finish=*/false);
    });
    Client client;
    const Response r = client.send_sync(post(server.url(), "x"));
    CHECK(r.error == TransportError::connection_lost);
    CHECK(r.body == "{\"a\":1}\r\n{\"b\":2}\r\n");
  }
}

TEST_CASE("a chunked response arriving slowly is assembled whole", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest&) {
    return Action::chunked(200, {}, {"one ", "two ", "three"}, 20ms);
  });
  Client client;
  const Response r = client.send_sync(get(server.url()));
  REQUIRE(r.ok());
  CHECK(r.body == "one two three");
  // Also a Content-Length body written in small pieces.
  server.set_handler(
      [](const ServerRequest&) { return Action::slow(200, {}, "abcdefghijklmnop", 3, 5ms); });
  const Response s = client.send_sync(get(server.url()));
  REQUIRE(s.ok());
  CHECK(s.body == "abcdefghijklmnop");
}

TEST_CASE("reset or close before any response is connection_lost, maybe sent", "[http]") {
  NoProxyEnv no_proxy;
  SECTION("reset after reading the request") {
    HttpServer server([](const ServerRequest&) { return Action::reset(); });
    Client client;
    const Response r = client.send_sync(post(server.url(), "x"));
    CHECK(r.error == TransportError::connection_lost);
    CHECK(r.maybe_sent);
  }
  SECTION("closed without an answer") {
    HttpServer server([](const ServerRequest&) { return Action::close(); });
    Client client;
    const Response r = client.send_sync(post(server.url(), "x"));
    CHECK(r.error == TransportError::connection_lost);
    CHECK(r.maybe_sent);
  }
  SECTION("reset as soon as accepted") {
    HttpServer server([](const ServerRequest&) { return Action::respond(200); },
                      [](std::size_t) { return eventdest::test::AcceptAction::reset; });
    Client client;
    const Response r = client.send_sync(post(server.url(), "x"));
    // Depending on whether the RST lands before libcurl has confirmed the connection, this is a
    // failed connect (nothing sent) or a lost connection (maybe sent); never anything else.
    if (r.error == TransportError::connect_failed) {
      CHECK_FALSE(r.maybe_sent);
    } else {
      CHECK(r.error == TransportError::connection_lost);
      CHECK(r.maybe_sent);
    }
  }
}

TEST_CASE("a reply that is not HTTP is malformed", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest&) { return Action::raw("garbage, not http\r\n\r\n"); });
  Client client;
  const Response r = client.send_sync(post(server.url(), "x"));
  CHECK(r.error == TransportError::malformed);
  CHECK(r.maybe_sent);
}

TEST_CASE("a server that dropped an idle keep-alive connection is handled", "[http]") {
  NoProxyEnv no_proxy;
  // The first response closes the connection after answering; the next request must open a new
  // one rather than fail.
  HttpServer server(
      [](const ServerRequest&) { return Action::respond(200, {}, "ok").close_connection(); });
  Client client;
  for (int i = 0; i < 3; ++i)
    REQUIRE(client.send_sync(get(server.url())).ok());
  CHECK(server.connections_accepted() == 3);
}

TEST_CASE("HTTP Basic auth is sent, credentials never appear in errors", "[http]") {
  NoProxyEnv no_proxy;
  std::mutex m;
  std::string authorization;
  HttpServer server([&](const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(m);
    authorization = r.header("authorization");
    return Action::respond(200);
  });
  Client client;
  Request req = post(server.url(), "x");
  req.basic_auth_user = "user";
  req.basic_auth_password = "p@ss:w0rd-secret";
  REQUIRE(client.send_sync(req).ok());
  {
    std::lock_guard<std::mutex> lock(m);
    // base64("user:p@ss:w0rd-secret")
    CHECK(authorization == "Basic dXNlcjpwQHNzOncwcmQtc2VjcmV0");
  }

  req.url = "http://127.0.0.1:" + std::to_string(eventdest::test::closed_port()) + "/";
  const Response failed = client.send_sync(req);
  CHECK(failed.error == TransportError::connect_failed);
  CHECK(failed.error_message.find("p@ss:w0rd-secret") == std::string::npos);
}

TEST_CASE("destroying the client cancels every outstanding request exactly once", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest&) { return Action::stall(); });
  Collector results;
  constexpr int kRequests = 10;
  std::atomic<int> resent{0};
  {
    ClientOptions options;
    options.max_connections = 4;  // 4 on the wire, the rest waiting inside libcurl
    Client client(options);
    for (int i = 0; i < kRequests; ++i) {
      Request req = post(server.url(), "x");
      req.timeout = 60s;
      client.send(req, results.callback(i));
    }
    // One request whose callback sends again, as a retrying caller would while being destroyed.
    Request retry = post(server.url(), "retry");
    retry.timeout = 60s;
    client.send(retry, [&, retry](Response&& r) {
      results.callback(100)(std::move(r));
      ++resent;
      client.send(retry, results.callback(101));
    });
    REQUIRE(server.wait_for_requests(4, 10s));
  }  // ~Client: cancels
  // Everything ran before the destructor returned: no waiting needed.
  CHECK(results.total() == kRequests + 2);
  CHECK(resent == 1);
  for (const auto& [id, count] : results.calls())
    CHECK(count == 1);
  for (const auto& [id, r] : results.responses()) {
    CHECK(r.error == TransportError::cancelled);
    CHECK(r.status == 0);
  }
  CHECK_FALSE(results.responses().at(101).maybe_sent);  // never started
}

TEST_CASE("destroying the client right after sending cancels queued requests", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest&) { return Action::respond(200); });
  Collector results;
  {
    Client client;
    for (int i = 0; i < 50; ++i)
      client.send(get(server.url()), results.callback(i));
  }
  CHECK(results.total() == 50);
  for (const auto& [id, count] : results.calls())
    CHECK(count == 1);
  for (const auto& [id, r] : results.responses()) {
    CHECK((r.ok() || r.error == TransportError::cancelled));
  }
}

TEST_CASE("many threads sending at once: each callback runs exactly once", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest& r) { return Action::respond(200, {}, r.body); });
  Client client;
  Collector results;
  constexpr int kThreads = 6;
  constexpr int kPerThread = 60;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int id = t * kPerThread + i;
        client.send(post(server.url(), std::to_string(id)), results.callback(id));
      }
    });
  }
  for (auto& t : threads)
    t.join();
  REQUIRE(results.wait_for(kThreads * kPerThread));
  const auto calls = results.calls();
  CHECK(calls.size() == static_cast<std::size_t>(kThreads * kPerThread));
  for (const auto& [id, count] : calls)
    CHECK(count == 1);
  for (const auto& [id, r] : results.responses()) {
    REQUIRE(r.ok());
    CHECK(r.body == std::to_string(id));
  }
  CHECK(server.connections_accepted() <= ClientOptions{}.max_connections);
}

TEST_CASE("callbacks may send follow-up requests", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest& r) { return Action::respond(200, {}, r.body); });
  Client client;
  Collector results;
  std::function<void(int)> chain = [&](int n) {
    client.send(post(server.url(), std::to_string(n)), [&, n](Response&& r) {
      const bool more = r.ok() && n < 4;
      results.callback(n)(std::move(r));
      if (more) chain(n + 1);
    });
  };
  chain(0);
  REQUIRE(results.wait_for(5));
  for (const auto& [id, r] : results.responses())
    CHECK(r.body == std::to_string(id));
}

TEST_CASE("send_sync from a callback is refused instead of deadlocking", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest&) { return Action::respond(200); });
  Client client;
  Collector results;
  std::atomic<bool> refused{false};
  client.send(get(server.url()), [&](Response&& r) {
    try {
      client.send_sync(get(server.url()));
    } catch (const std::logic_error&) {
      refused = true;
    }
    results.callback(0)(std::move(r));
  });
  REQUIRE(results.wait_for(1));
  CHECK(refused);
}

TEST_CASE("transport errors have stable names", "[http]") {
  CHECK(std::string(to_string(TransportError::none)) == "none");
  CHECK(std::string(to_string(TransportError::connect_failed)) == "connect_failed");
  CHECK(std::string(to_string(TransportError::connection_lost)) == "connection_lost");
  CHECK(std::string(to_string(TransportError::cancelled)) == "cancelled");
}

TEST_CASE("an empty callback is allowed (fire and forget)", "[http]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest&) { return Action::respond(200); });
  {
    Client client;
    client.send(get(server.url()), nullptr);
    REQUIRE(server.wait_for_requests(1, 10s));
  }
  CHECK(server.requests_received() == 1);
}

// Not part of the default run (hidden tag): a rough throughput figure for the engine against the
// local server, to notice gross regressions by hand. Asserts outcomes only.
TEST_CASE("throughput against the local server", "[.][perf]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest&) { return Action::respond(200, {}, "{}"); });
  Client client;
  Collector results;
  constexpr int kRequests = 20000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRequests; ++i) {
    client.send(post(server.url(), std::string(300, 'e')), results.callback(i % 64));
  }
  REQUIRE(results.wait_for(kRequests, 120s));
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  WARN(kRequests / took.count() << " requests/s over " << server.connections_accepted()
                                << " connections");
  for (const auto& [id, r] : results.responses())
    CHECK(r.ok());
}

TEST_CASE("throughput with a bounded window", "[.][perf]") {
  NoProxyEnv no_proxy;
  HttpServer server([](const ServerRequest&) { return Action::respond(200, {}, "{}"); });
  Client client;
  constexpr int kRequests = 20000;
  std::mutex m;
  std::condition_variable cv;
  int done = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRequests; ++i) {
    {
      std::unique_lock<std::mutex> lock(m);
      cv.wait(lock, [&] { return i - done < 16; });
    }
    client.send(post(server.url(), std::string(300, 'e')), [&](Response&&) {
      std::lock_guard<std::mutex> lock(m);
      ++done;
      cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(m);
  cv.wait(lock, [&] { return done == kRequests; });
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  WARN(kRequests / took.count() << " requests/s windowed");
}
