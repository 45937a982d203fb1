// A small scriptable HTTP/1.1 server for tests: plain POSIX sockets, one accept thread plus one
// thread per connection, listening on 127.0.0.1 on a free port. A handler decides, per request,
// what the server does - answer normally, slowly, chunked, reset, stall, truncate, send garbage -
// so transport and retry logic can be tested against real sockets.
//
//   eventdest::test::HttpServer server([](const eventdest::test::ServerRequest& r) {
//     return eventdest::test::Action::respond(200, {{"Content-Type", "text/plain"}}, r.body);
//   });
//   client.send_sync({"POST", server.url("/echo"), ...});
//
// It speaks keep-alive, Content-Length and chunked request bodies, answers Expect: 100-continue,
// and accepts absolute-form targets (so it can stand in for an HTTP proxy). It counts connections
// and requests so tests can check connection reuse.
//
// Thread-safety: the handler runs on connection threads, possibly several at once; it must be
// thread-safe. All public members may be called from any thread. The destructor stops accepting,
// wakes every connection thread (stalled or sleeping ones included) and joins them all.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace eventdest::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct ServerRequest {
  std::string method;
  std::string target;          ///< as sent: "/path?q" or, to a proxy, "http://host:port/path"
  std::string version;         ///< "HTTP/1.1"
  Headers headers;             ///< in order; names lowercased, values trimmed
  std::string body;            ///< de-chunked
  bool chunked = false;        ///< the body arrived with Transfer-Encoding: chunked
  std::size_t connection = 0;  ///< 1-based number of the connection it arrived on
  std::size_t index_on_connection = 0;  ///< 0 for the first request on that connection

  /// The first header named `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

/// What the server does with one request. Build with the factories; adjust with the modifiers.
class Action {
 public:
  /// A complete response with Content-Length. Add a "Content-Length" header yourself to lie.
  static Action respond(int status, Headers headers = {}, std::string body = {});
  /// A chunked response, one chunk per part, waiting `gap` before each part after the first.
  /// `finish=false` leaves out the final 0-chunk and closes the connection instead (a stream cut
  /// short).
  static Action chunked(int status, Headers headers, std::vector<std::string> parts,
                        std::chrono::milliseconds gap = std::chrono::milliseconds(0),
                        bool finish = true);
  /// A Content-Length response whose body is written in `piece`-byte writes, `gap` apart.
  static Action slow(int status, Headers headers, std::string body, std::size_t piece,
                     std::chrono::milliseconds gap);
  /// Declares Content-Length: full_body.size() but writes only its first `sent_bytes`, then
  /// closes (FIN), or resets (RST) when `reset` - after `linger` so the client has read them.
  static Action truncated(int status, Headers headers, std::string full_body,
                          std::size_t sent_bytes, bool reset = false,
                          std::chrono::milliseconds linger = std::chrono::milliseconds(50));
  /// Resets the connection (SO_LINGER 0 then close: RST) after reading the request.
  static Action reset();
  /// Closes the connection (FIN) after reading the request, without answering.
  static Action close();
  /// Never answers; the connection stays open until the client closes it or the server stops.
  static Action stall();
  /// Writes `bytes` as they are (garbage, a hand-made response), then closes unless told not to.
  static Action raw(std::string bytes, bool close_after = true);

  /// Waits `d` before acting (the wait ends early when the server stops).
  Action& after(std::chrono::milliseconds d) {
    delay_ = d;
    return *this;
  }
  /// Closes the connection after this response (adds Connection: close).
  Action& close_connection() {
    end_ = End::close;
    return *this;
  }

 private:
  friend class HttpServer;
  enum class Kind { respond, reset, close, stall, raw };
  enum class End { keep_alive, close, reset };

  Kind kind_ = Kind::respond;
  int status_ = 200;
  Headers headers_;
  std::vector<std::string> parts_;  ///< body writes
  bool chunked_ = false;
  bool finish_ = true;               ///< chunked: send the final 0-chunk
  std::size_t declared_length_ = 0;  ///< Content-Length when !chunked
  std::chrono::milliseconds gap_{0};
  std::chrono::milliseconds delay_{0};
  std::chrono::milliseconds linger_{0};  ///< before an End::reset
  End end_ = End::keep_alive;
};

/// What to do with a connection as soon as it is accepted, before reading anything.
enum class AcceptAction {
  serve,  ///< read requests and call the handler (default)
  reset,  ///< RST at once
  close,  ///< FIN at once
  stall   ///< never read or write
};

class HttpServer {
 public:
  using Handler = std::function<Action(const ServerRequest&)>;
  /// `accept_action(n)` is asked for the n-th connection (1-based); null means always serve.
  using AcceptHook = std::function<AcceptAction(std::size_t connection)>;

  /// Listens on 127.0.0.1 on a free port (or `port`, e.g. one a client was refused on) and starts
  /// serving. Throws std::system_error on failure.
  explicit HttpServer(Handler handler, AcceptHook accept_action = nullptr, std::uint16_t port = 0);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// "http://127.0.0.1:<port>" + path.
  std::string url(std::string_view path = "/") const;
  /// "127.0.0.1:<port>".
  std::string host_port() const;

  /// Replaces the handler for requests read from now on.
  void set_handler(Handler handler);
  void set_accept_hook(AcceptHook hook);

  std::size_t connections_accepted() const noexcept { return connections_.load(); }
  std::size_t requests_received() const noexcept { return requests_.load(); }
  /// The most connections that were open at the same time.
  std::size_t max_concurrent_connections() const noexcept { return max_open_.load(); }
  std::size_t open_connections() const noexcept { return open_.load(); }

  /// Blocks until `requests_received() >= n` or `timeout` passes; returns whether it got there.
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  void accept_loop();
  void serve(int fd, std::size_t connection);
  /// Executes `action`; returns false when the connection must not be used again.
  bool perform(int fd, Action action, const ServerRequest& request);
  /// Sleeps `d`, returning false early if the server is stopping.
  bool sleep_for(std::chrono::milliseconds d) const;
  void reap_finished_workers();

  Handler handler() const;
  AcceptHook accept_hook() const;

  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};  ///< readable once the server stops: wakes every poll()
  std::uint16_t port_ = 0;

  mutable std::mutex mutex_;                      ///< guards handler_, accept_hook_, workers_
  mutable std::condition_variable request_seen_;  ///< with mutex_: requests_ grew
  Handler handler_;
  AcceptHook accept_hook_;
  std::list<Worker> workers_;

  std::atomic<std::size_t> connections_{0};
  std::atomic<std::size_t> requests_{0};
  std::atomic<std::size_t> open_{0};
  std::atomic<std::size_t> max_open_{0};
  std::thread acceptor_;
};

}  // namespace eventdest::test
