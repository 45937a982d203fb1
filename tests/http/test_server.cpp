#include "http/test_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

namespace eventdest::test {
namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 207:
      return "Multi-Status";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

// Waits until `fd` is ready for `events`; false when the server stops (stop_fd readable) or
// poll() fails.
bool wait_ready(int fd, short events, int stop_fd) {
  pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
  for (;;) {
    const int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    return n >= 0 && (fds[1].revents & POLLIN) == 0;
  }
}

// Reads from a client socket, waking up when the server stops. Keeps unconsumed bytes between
// requests (pipelining, or a body read together with the headers).
class Reader {
 public:
  Reader(int fd, int stop_fd) : fd_(fd), stop_fd_(stop_fd) {}

  /// Appends more bytes to the buffer; false on EOF, error or stop.
  bool fill() {
    if (!wait_readable()) return false;
    // Consumed bytes are dropped here, once per read, rather than by every line()/bytes() call
    // (which moved the rest of a large body forward each time).
    if (pos_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    // The storage only grows (zero-filled once), not per read: a fast sink must not memset
    // 64 KiB for every recv().
    constexpr std::size_t kChunk = 65536;
    if (buffer_.size() - end_ < kChunk) buffer_.resize(end_ + kChunk);
    const ssize_t got = ::recv(fd_, buffer_.data() + end_, buffer_.size() - end_, 0);
    if (got <= 0) return false;
    end_ += static_cast<std::size_t>(got);
    return true;
  }

  /// A line ending in CRLF (without it), reading more as needed.
  std::optional<std::string> line() {
    for (;;) {
      const std::string_view pending(buffer_.data() + pos_, end_ - pos_);
      const auto end = pending.find("\r\n");
      if (end != std::string_view::npos) {
        std::string out(pending.substr(0, end));
        pos_ += end + 2;
        return out;
      }
      if (pending.size() > (1u << 20) || !fill()) return std::nullopt;
    }
  }

  /// Appends exactly n bytes to `out`: what is buffered, then the rest received straight into
  /// `out` (a large body is not gathered in the buffer first and copied again).
  bool append(std::string& out, std::size_t n) {
    const std::size_t buffered = std::min(n, end_ - pos_);
    out.append(buffer_.data() + pos_, buffered);
    pos_ += buffered;
    // In steps of at most 1 MiB: a bogus Content-Length must not allocate its size up front.
    for (std::size_t remaining = n - buffered; remaining > 0;) {
      const std::size_t step = std::min<std::size_t>(remaining, 1u << 20);
      std::size_t at = out.size();
      const std::size_t target = at + step;
      out.resize(target);
      while (at < target) {
        if (!wait_readable()) return false;
        const ssize_t got = ::recv(fd_, out.data() + at, target - at, 0);
        if (got <= 0) return false;
        at += static_cast<std::size_t>(got);
      }
      remaining -= step;
    }
    return true;
  }

  /// Skips exactly n bytes.
  bool skip(std::size_t n) {
    while (end_ - pos_ < n) {
      if (!fill()) return false;
    }
    pos_ += n;
    return true;
  }

 private:
  /// Waits until the socket has bytes (or EOF); false when the server stops or poll fails.
  bool wait_readable() { return wait_ready(fd_, POLLIN, stop_fd_); }

  int fd_;
  int stop_fd_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;  // where the unconsumed bytes of buffer_ start
  std::size_t end_ = 0;  // where they end
};

// Writes everything unless the peer goes away or the server stops: a client that stops reading
// must not keep a connection thread (and so the server's destructor) blocked in send().
// Several pieces in one sendmsg() each time: chunk framing and the head go out with the data
// they frame, without copying the data into one string first.
bool write_all(int fd, int stop_fd, std::vector<std::string_view> pieces) {
  std::size_t first = 0;  // pieces before it are written; pieces[first] is trimmed as written
  while (first < pieces.size()) {
    iovec iov[8];
    std::size_t n = 0;
    for (std::size_t i = first; i < pieces.size() && n < 8; ++i) {
      if (pieces[i].empty()) continue;
      iov[n].iov_base = const_cast<char*>(pieces[i].data());
      iov[n].iov_len = pieces[i].size();
      ++n;
    }
    if (n == 0) return true;
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    const ssize_t sent = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_ready(fd, POLLOUT, stop_fd)) return false;
      continue;
    }
    if (sent <= 0) return false;
    auto left = static_cast<std::size_t>(sent);
    while (first < pieces.size() && (left > 0 || pieces[first].empty())) {
      const std::size_t take = std::min(left, pieces[first].size());
      pieces[first].remove_prefix(take);
      left -= take;
      if (pieces[first].empty()) ++first;
    }
  }
  return true;
}

bool write_all(int fd, int stop_fd, std::string_view data) {
  return write_all(fd, stop_fd, std::vector<std::string_view>{data});
}

void reset_and_close(int fd) {
  // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
  linger l{};
  l.l_onoff = 1;
  l.l_linger = 0;
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

// The line that starts a chunk of `size` bytes.
struct ChunkLine {
  explicit ChunkLine(std::size_t size)
      : length(static_cast<std::size_t>(std::snprintf(text, sizeof text, "%zx\r\n", size))) {}
  std::string_view view() const { return {text, length}; }
  char text[32];
  std::size_t length;
};

// Reads one request into `req` (reused per connection: its body keeps its capacity); false when
// the connection ended (or the server stops) first.
bool read_request(Reader& in, int fd, int stop_fd, ServerRequest& req) {
  std::optional<std::string> line = in.line();
  while (line && line->empty())
    line = in.line();  // tolerate stray CRLFs between requests
  if (!line) return false;

  std::string body = std::move(req.body);
  body.clear();
  req = ServerRequest();
  req.body = std::move(body);
  const auto sp1 = line->find(' ');
  const auto sp2 = line->rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return false;
  req.method = line->substr(0, sp1);
  req.target = line->substr(sp1 + 1, sp2 - sp1 - 1);
  req.version = line->substr(sp2 + 1);

  for (;;) {
    line = in.line();
    if (!line) return false;
    if (line->empty()) break;
    const auto colon = line->find(':');
    if (colon == std::string::npos) continue;
    req.headers.emplace_back(lowercase(trim(std::string_view(*line).substr(0, colon))),
                             std::string(trim(std::string_view(*line).substr(colon + 1))));
  }

  if (lowercase(req.header("expect")) == "100-continue" &&
      !write_all(fd, stop_fd, "HTTP/1.1 100 Continue\r\n\r\n")) {
    return false;
  }

  if (lowercase(req.header("transfer-encoding")).find("chunked") != std::string::npos) {
    req.chunked = true;
    for (;;) {
      line = in.line();
      if (!line) return false;
      const std::size_t size = std::strtoul(line->c_str(), nullptr, 16);  // ignores extensions
      if (size == 0) break;
      if (!in.append(req.body, size) || !in.skip(2)) return false;  // data + CRLF
    }
    do {  // trailers up to the empty line
      line = in.line();
      if (!line) return false;
    } while (!line->empty());
  } else if (req.has_header("content-length")) {
    if (!in.append(req.body, std::strtoul(req.header("content-length").c_str(), nullptr, 10))) {
      return false;
    }
  }
  return true;
}

bool wants_close(const ServerRequest& req) {
  const std::string connection = lowercase(req.header("connection"));
  if (req.version == "HTTP/1.0") return connection != "keep-alive";
  return connection == "close";
}

}  // namespace

// ---- ServerRequest -----------------------------------------------------------------------------

std::string ServerRequest::header(std::string_view name) const {
  const std::string lower = lowercase(name);
  for (const auto& [n, v] : headers) {
    if (n == lower) return v;
  }
  return {};
}

bool ServerRequest::has_header(std::string_view name) const {
  const std::string lower = lowercase(name);
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return h.first == lower; });
}

// ---- Action ------------------------------------------------------------------------------------

Action Action::respond(int status, Headers headers, std::string body) {
  Action a;
  a.status_ = status;
  a.headers_ = std::move(headers);
  a.declared_length_ = body.size();
  if (!body.empty()) a.parts_.push_back(std::move(body));
  return a;
}

Action Action::chunked(int status, Headers headers, std::vector<std::string> parts,
                       std::chrono::milliseconds gap, bool finish) {
  Action a;
  a.status_ = status;
  a.headers_ = std::move(headers);
  a.parts_ = std::move(parts);
  a.chunked_ = true;
  a.gap_ = gap;
  a.finish_ = finish;
  if (!finish) a.end_ = End::close;
  return a;
}

Action Action::slow(int status, Headers headers, std::string body, std::size_t piece,
                    std::chrono::milliseconds gap) {
  Action a;
  a.status_ = status;
  a.headers_ = std::move(headers);
  a.declared_length_ = body.size();
  piece = std::max<std::size_t>(piece, 1);
  for (std::size_t i = 0; i < body.size(); i += piece)
    a.parts_.push_back(body.substr(i, piece));
  a.gap_ = gap;
  return a;
}

Action Action::truncated(int status, Headers headers, std::string full_body, std::size_t sent_bytes,
                         bool reset, std::chrono::milliseconds linger) {
  Action a;
  a.status_ = status;
  a.headers_ = std::move(headers);
  a.declared_length_ = full_body.size();
  a.parts_.push_back(full_body.substr(0, std::min(sent_bytes, full_body.size())));
  a.end_ = reset ? End::reset : End::close;
  a.linger_ = linger;
  return a;
}

Action Action::reset() {
  Action a;
  a.kind_ = Kind::reset;
  return a;
}

Action Action::close() {
  Action a;
  a.kind_ = Kind::close;
  return a;
}

Action Action::stall() {
  Action a;
  a.kind_ = Kind::stall;
  return a;
}

Action Action::raw(std::string bytes, bool close_after) {
  Action a;
  a.kind_ = Kind::raw;
  a.parts_.push_back(std::move(bytes));
  a.end_ = close_after ? End::close : End::keep_alive;
  return a;
}

// ---- HttpServer --------------------------------------------------------------------------------

HttpServer::HttpServer(Handler handler, AcceptHook accept_action, std::uint16_t port)
    : handler_(std::move(handler)), accept_hook_(std::move(accept_action)) {
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw_errno("pipe2");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    const int err = errno;
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
    throw std::system_error(err, std::generic_category(), "socket");
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);  // 0: the kernel picks a free port
  const int reuse = 1;
  if (port != 0) ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    ::close(listen_fd_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
    throw std::system_error(err, std::generic_category(), "bind/listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

HttpServer::~HttpServer() {
  const char byte = 1;
  // Never read: the pipe stays readable and every poll() on it returns.
  (void)!::write(stop_pipe_[1], &byte, 1);
  acceptor_.join();
  std::list<Worker> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    workers.swap(workers_);
  }
  for (Worker& w : workers)
    w.thread.join();
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

std::string HttpServer::url(std::string_view path) const {
  return "http://" + host_port() + std::string(path);
}

std::string HttpServer::host_port() const {
  return "127.0.0.1:" + std::to_string(port_);
}

void HttpServer::set_handler(Handler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  handler_ = std::move(handler);
}

void HttpServer::set_accept_hook(AcceptHook hook) {
  std::lock_guard<std::mutex> lock(mutex_);
  accept_hook_ = std::move(hook);
}

HttpServer::Handler HttpServer::handler() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return handler_;
}

HttpServer::AcceptHook HttpServer::accept_hook() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return accept_hook_;
}

bool HttpServer::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return request_seen_.wait_for(lock, timeout, [&] { return requests_.load() >= n; });
}

bool HttpServer::sleep_for(std::chrono::milliseconds d) const {
  if (d.count() <= 0) return true;
  pollfd fd{stop_pipe_[0], POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + d;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    const int n = ::poll(&fd, 1, static_cast<int>(left.count()));
    if (n > 0) return false;  // stopping
    if (n < 0 && errno != EINTR) return false;
  }
}

void HttpServer::reap_finished_workers() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

void HttpServer::accept_loop() {
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
  for (;;) {
    const int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (fds[1].revents & POLLIN) != 0) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    const std::size_t number = ++connections_;
    const std::size_t open = ++open_;
    std::size_t seen = max_open_.load();
    while (open > seen && !max_open_.compare_exchange_weak(seen, open)) {
    }
    reap_finished_workers();
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread t([this, fd, number, done] {
      pthread_setname_np(pthread_self(), "test-server");
      serve(fd, number);
      --open_;
      done->store(true);
    });
    std::lock_guard<std::mutex> lock(mutex_);
    workers_.push_back(Worker{std::move(t), std::move(done)});
  }
}

void HttpServer::serve(int fd, std::size_t connection) {
  const AcceptHook hook = accept_hook();
  switch (hook ? hook(connection) : AcceptAction::serve) {
    case AcceptAction::serve:
      break;
    case AcceptAction::reset:
      reset_and_close(fd);
      return;
    case AcceptAction::close:
      ::close(fd);
      return;
    case AcceptAction::stall:
      sleep_for(std::chrono::hours(24));  // until the server stops
      ::close(fd);
      return;
  }

  Reader in(fd, stop_pipe_[0]);
  auto req = std::make_unique<ServerRequest>();  // reused: the body keeps its capacity
  for (std::size_t index = 0;; ++index) {
    if (!read_request(in, fd, stop_pipe_[0], *req)) break;
    req->connection = connection;
    req->index_on_connection = index;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++requests_;
    }
    request_seen_.notify_all();

    Action action = Action::respond(500, {}, "no handler");
    if (const Handler h = handler()) {
      try {
        action = h(*req);
      } catch (const std::exception& e) {
        action = Action::respond(500, {{"Content-Type", "text/plain"}},
                                 std::string("handler threw: ") + e.what());
      }
    }
    if (wants_close(*req) && action.end_ == Action::End::keep_alive) {
      action.end_ = Action::End::close;
    }
    if (!perform(fd, std::move(action), *req)) return;  // perform closed fd
  }
  ::close(fd);
}

bool HttpServer::perform(int fd, Action action, const ServerRequest& request) {
  if (!sleep_for(action.delay_)) {
    ::close(fd);
    return false;
  }
  switch (action.kind_) {
    case Action::Kind::reset:
      reset_and_close(fd);
      return false;
    case Action::Kind::close:
      ::close(fd);
      return false;
    case Action::Kind::stall: {
      // Drain whatever the client sends until it hangs up or the server stops.
      pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      for (;;) {
        const int n = ::poll(fds, 2, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 || (fds[1].revents & POLLIN) != 0) break;
        char sink[4096];
        if (::recv(fd, sink, sizeof sink, 0) <= 0) break;
      }
      ::close(fd);
      return false;
    }
    case Action::Kind::raw:
      write_all(fd, stop_pipe_[0],
                action.parts_.empty() ? std::string_view() : action.parts_.front());
      if (action.end_ != Action::End::keep_alive) {
        ::close(fd);
        return false;
      }
      return true;
    case Action::Kind::respond:
      break;
  }

  std::string head =
      "HTTP/1.1 " + std::to_string(action.status_) + " " + reason_phrase(action.status_) + "\r\n";
  bool has_length = false;
  for (const auto& [name, value] : action.headers_) {
    head += name + ": " + value + "\r\n";
    if (lowercase(name) == "content-length") has_length = true;
  }
  if (action.chunked_) {
    head += "Transfer-Encoding: chunked\r\n";
  } else if (!has_length && request.method != "HEAD") {
    head += "Content-Length: " + std::to_string(action.declared_length_) + "\r\n";
  }
  if (action.end_ != Action::End::keep_alive) head += "Connection: close\r\n";
  head += "\r\n";

  // The head goes out with the first part, and a chunk with its framing (and the final chunk when
  // nothing is to wait for in between): one sendmsg() each, no copies of the parts.
  const bool body = request.method != "HEAD";
  const std::string_view last_chunk = "0\r\n\r\n";
  bool ok = true;
  bool head_sent = false;
  for (std::size_t i = 0; ok && i < action.parts_.size(); ++i) {
    if (i > 0 && !sleep_for(action.gap_)) ok = false;
    if (!ok) break;
    std::vector<std::string_view> pieces;
    if (!head_sent) pieces.push_back(head);
    head_sent = true;
    const ChunkLine line(action.parts_[i].size());
    if (body) {
      if (action.chunked_) pieces.push_back(line.view());
      pieces.push_back(action.parts_[i]);
      if (action.chunked_) pieces.push_back("\r\n");
    }
    const bool last = i + 1 == action.parts_.size();
    if (last && action.chunked_ && action.finish_) pieces.push_back(last_chunk);
    ok = write_all(fd, stop_pipe_[0], std::move(pieces));
  }
  if (ok && !head_sent) {
    std::vector<std::string_view> pieces{head};
    if (action.chunked_ && action.finish_) pieces.push_back(last_chunk);
    ok = write_all(fd, stop_pipe_[0], std::move(pieces));
  }

  if (!ok || action.end_ == Action::End::close) {
    ::close(fd);
    return false;
  }
  if (action.end_ == Action::End::reset) {
    sleep_for(action.linger_);  // let the client read what was sent before the RST
    reset_and_close(fd);
    return false;
  }
  return true;
}

}  // namespace eventdest::test
