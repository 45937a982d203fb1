// The test server's own protocol handling, which other suites rely on: pipelining, chunked
// request bodies, Expect: 100-continue, accept hooks.
#include "http/test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http_client.hpp"
#include "http/test_helpers.hpp"
#include "support/catch.hpp"

using namespace std::chrono_literals;
using eventdest::test::AcceptAction;
using eventdest::test::Action;
using eventdest::test::HttpServer;
using eventdest::test::ServerRequest;

namespace {

// A blocking loopback client for hand-written requests.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~RawClient() { ::close(fd_); }
  void write(const std::string& data) {
    REQUIRE(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(data.size()));
  }
  /// Reads until `needle` has appeared `times` times in what was read (or EOF).
  std::string read_until(const std::string& needle, int times = 1) {
    std::string got;
    char buf[4096];
    for (;;) {
      int found = 0;
      for (auto pos = got.find(needle); pos != std::string::npos; pos = got.find(needle, pos + 1)) {
        ++found;
      }
      if (found >= times) return got;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return got;
      got.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
};

Action echo(const ServerRequest& r) {
  return Action::respond(200, {{"X-Chunked", r.chunked ? "1" : "0"}},
                         r.method + " " + r.target + " " + r.body + ";");
}

}  // namespace

TEST_CASE("test server: pipelined requests on one connection", "[http][test_server]") {
  HttpServer server(echo);
  RawClient c(server.port());
  c.write(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: "
      "3\r\n\r\nxyz");
  const std::string got = c.read_until(";", 2);
  CHECK(got.find("GET /a ;") != std::string::npos);
  CHECK(got.find("POST /b xyz;") != std::string::npos);
  CHECK(server.connections_accepted() == 1);
  CHECK(server.requests_received() == 2);
}

TEST_CASE("test server: chunked request bodies and Expect: 100-continue", "[http][test_server]") {
  HttpServer server(echo);
  RawClient c(server.port());
  c.write(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n");
  CHECK(c.read_until(";").find("POST /c abcde;") != std::string::npos);

  c.write("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  CHECK(c.read_until("\r\n\r\n").find("HTTP/1.1 100 Continue") == 0);
  c.write("hi");
  CHECK(c.read_until(";").find("POST /e hi;") != std::string::npos);
}

TEST_CASE("engine: a chunked upload and an explicit Expect header work", "[http][test_server]") {
  eventdest::test::NoProxyEnv no_proxy;
  HttpServer server(echo);
  eventdest::http::Client client;
  eventdest::http::Request req;
  req.url = server.url("/up");
  req.body = "streamed body";
  req.headers = {{"Transfer-Encoding", "chunked"}};
  auto r = client.send_sync(req);
  REQUIRE(r.ok());
  CHECK(r.body == "POST /up streamed body;");
  CHECK(r.header("x-chunked") == "1");

  req.headers = {{"Expect", "100-continue"}};
  r = client.send_sync(req);
  REQUIRE(r.ok());
  CHECK(r.body == "POST /up streamed body;");
}

TEST_CASE("test server: accept hooks and stalled connections end with the server",
          "[http][test_server]") {
  eventdest::test::NoProxyEnv no_proxy;
  HttpServer server(
      echo, [](std::size_t n) { return n == 1 ? AcceptAction::stall : AcceptAction::serve; });
  eventdest::http::Client client;
  eventdest::http::Request req;
  req.method = "GET";
  req.url = server.url("/");
  req.timeout = 200ms;
  const auto stalled = client.send_sync(req);
  CHECK(stalled.error == eventdest::http::TransportError::timeout);
  req.timeout = 10s;
  const auto served = client.send_sync(req);
  REQUIRE(served.ok());
  CHECK(server.connections_accepted() == 2);
}

TEST_CASE("test server: stops while a client is not reading a large response",
          "[http][test_server]") {
  std::unique_ptr<RawClient> client;
  {
    HttpServer server([](const ServerRequest&) {
      return Action::respond(200, {}, std::string(32 * 1024 * 1024, 'x'));
    });
    client = std::make_unique<RawClient>(server.port());
    client->write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(server.wait_for_requests(1, 10s));
  }  // must return although the connection thread is blocked on a full socket buffer
  SUCCEED("server destructor returned");
}
