// Client: a queue fed by any thread, drained by one I/O thread that drives a curl multi handle.
//
// Threads: send() locks `mutex_`, appends to `queue_` and wakes the I/O thread with
// curl_multi_wakeup (libcurl's thread-safe way to interrupt curl_multi_poll). Everything else -
// the backlog, the multi handle's transfers, `active_`, `idle_handles_` - is touched only by the
// I/O thread, so needs no lock. Callbacks run on the I/O thread with no lock held, so they may
// call send().
//
// Flow: queue_ -> backlog_ (FIFO, deadlines indexed) -> at most max_in_flight_ transfers in the
// multi handle -> curl_multi_info_read -> callback; easy handles go back to idle_handles_.
#include <algorithm>
#include <exception>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/thread_name.hpp"
#include "http/curl_handles.hpp"
#include "http/http_client.hpp"
#include "http/transfer.hpp"

namespace eventdest::http {

using detail::EasyPtr;
using detail::Transfer;

namespace {

// How long the I/O thread sleeps when nothing is due. libcurl shortens the wait to its own next
// timeout, and send() or the destructor interrupt it, so this only bounds idle wake-ups.
constexpr int kIdlePollMs = 1000;

long to_long(std::size_t n) {
  return static_cast<long>(std::min<std::size_t>(n, 1L << 30));
}

}  // namespace

struct Client::Impl {
  using Backlog = std::list<std::unique_ptr<Transfer>>;

  explicit Impl(ClientOptions opts);
  ~Impl();

  void send(std::unique_ptr<Transfer> transfer);
  void run();
  void add_to_backlog(std::unique_ptr<Transfer> transfer);
  std::unique_ptr<Transfer> take_from_backlog(Backlog::iterator it);
  void expire_backlog();
  void start_from_backlog();
  int poll_timeout_ms() const;
  void start(std::unique_ptr<Transfer> transfer);
  void reap_completed();
  void cancel(std::vector<std::unique_ptr<Transfer>>& transfers, bool maybe_sent);
  void cancel_active();
  EasyPtr acquire_easy();
  void recycle(EasyPtr easy);

  ClientOptions options_;
  // Declared before the easy handles below so they are cleaned up after them (see
  // curl_handles.hpp).
  detail::SharePtr share_;
  detail::MultiPtr multi_;
  detail::TransferSettings settings_;
  std::size_t max_idle_handles_;
  std::size_t max_in_flight_;

  // I/O thread only.
  Backlog backlog_;  ///< submitted, waiting for an in-flight slot, in order
  /// backlog_ entries with a timeout, by deadline: expiring them is O(log n), not a scan.
  std::multimap<Transfer::Clock::time_point, Backlog::iterator> deadlines_;
  std::vector<EasyPtr> idle_handles_;  ///< reset handles kept for reuse (avoids re-allocation)
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;  ///< added to multi_

  std::mutex mutex_;
  std::vector<std::unique_ptr<Transfer>> queue_;  ///< guarded by mutex_
  bool stopping_ = false;                         ///< guarded by mutex_
  bool closed_ = false;  ///< guarded by mutex_: the I/O thread has finished

  std::thread thread_;  ///< last: starts once everything above is ready
};

Client::Impl::Impl(ClientOptions opts) : options_(std::move(opts)) {
  detail::ensure_curl_global_init();
  options_.max_connections = std::max<std::size_t>(options_.max_connections, 1);

  // TLS sessions are cached per easy handle unless shared; sharing lets any handle resume a
  // session another negotiated. The share is used by the I/O thread only, so needs no lock
  // callbacks. (Connections and the DNS cache already belong to the multi handle.)
  share_.reset(curl_share_init());
  if (share_) curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);

  multi_.reset(curl_multi_init());
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  CURLM* m = multi_.get();
  const long max_conn = to_long(options_.max_connections);
  // The bounded pool: at most max_connections open at once (in-flight transfers beyond that wait
  // inside libcurl for a free one), and as many idle connections kept alive for reuse.
  curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, max_conn);
  curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, max_conn);
  curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, max_conn);
  curl_multi_setopt(m, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));

  settings_.options = &options_;
  settings_.share = share_.get();
  settings_.http2 = options_.http2 && detail::curl_supports_http2();
  max_in_flight_ =
      options_.max_in_flight > 0 ? options_.max_in_flight : 8 * options_.max_connections;
  // As many handles as can be in flight: a steady load then never allocates one.
  max_idle_handles_ = max_in_flight_;

  thread_ = std::thread([this] {
    eventdest::detail::set_thread_name("eventdest-http");
    run();
  });
}

Client::Impl::~Impl() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_.get());
  // Joining from a callback would wait for ourselves: std::thread::join throws, and since this is
  // a destructor the process terminates - documented as forbidden in http_client.hpp.
  thread_.join();
}

void Client::Impl::send(std::unique_ptr<Transfer> transfer) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closed_) {
      // The I/O thread drains the whole queue each time it wakes, so only the push that finds it
      // empty needs to wake it: saves a syscall per request under load.
      wake = queue_.empty();
      queue_.push_back(std::move(transfer));
    }
  }
  if (transfer) {
    // Only reachable when send() races with the destructor's end (a caller bug); still honour
    // "exactly one callback".
    transfer->fail(TransportError::cancelled, false, "client destroyed");
    transfer->deliver();
    return;
  }
  if (wake) curl_multi_wakeup(multi_.get());
}

void Client::Impl::run() {
  std::vector<std::unique_ptr<Transfer>> batch;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch.swap(queue_);
      if (stopping_) break;
    }
    for (auto& transfer : batch)
      add_to_backlog(std::move(transfer));
    batch.clear();
    expire_backlog();
    start_from_backlog();

    int running = 0;
    curl_multi_perform(multi_.get(), &running);
    reap_completed();
    // Completions freed slots: start waiting requests now rather than after the next wake-up.
    if (!backlog_.empty() && active_.size() < max_in_flight_) continue;
    // Returns when a socket is ready, libcurl's next timeout is due, a queued request's deadline
    // passes, or send() woke us.
    curl_multi_poll(multi_.get(), nullptr, 0, poll_timeout_ms(), nullptr);
  }

  // Stopping: never-started requests certainly were not sent; in-flight ones may have been.
  cancel(batch, false);
  std::vector<std::unique_ptr<Transfer>> waiting;
  while (!backlog_.empty())
    waiting.push_back(take_from_backlog(backlog_.begin()));
  cancel(waiting, false);
  cancel_active();
  // Cancelled callbacks may have sent more (e.g. a retry); cancel those too until none are left.
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch.swap(queue_);
      if (batch.empty()) {
        closed_ = true;
        break;
      }
    }
    cancel(batch, false);
  }
  idle_handles_.clear();
}

void Client::Impl::add_to_backlog(std::unique_ptr<Transfer> transfer) {
  const auto deadline = transfer->deadline();
  const auto it = backlog_.insert(backlog_.end(), std::move(transfer));
  if (deadline != Transfer::Clock::time_point::max()) deadlines_.emplace(deadline, it);
}

std::unique_ptr<Transfer> Client::Impl::take_from_backlog(Backlog::iterator it) {
  const auto deadline = (*it)->deadline();
  if (deadline != Transfer::Clock::time_point::max()) {
    auto [first, last] = deadlines_.equal_range(deadline);
    for (; first != last; ++first) {
      if (first->second == it) {
        deadlines_.erase(first);
        break;
      }
    }
  }
  std::unique_ptr<Transfer> transfer = std::move(*it);
  backlog_.erase(it);
  return transfer;
}

void Client::Impl::expire_backlog() {
  const auto now = Transfer::Clock::now();
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    std::unique_ptr<Transfer> transfer = take_from_backlog(deadlines_.begin()->second);
    transfer->fail(TransportError::timeout, false, "timed out waiting for a free connection");
    transfer->deliver();
  }
}

void Client::Impl::start_from_backlog() {
  while (!backlog_.empty() && active_.size() < max_in_flight_) {
    start(take_from_backlog(backlog_.begin()));
  }
}

int Client::Impl::poll_timeout_ms() const {
  if (deadlines_.empty()) return kIdlePollMs;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadlines_.begin()->first -
                                                                 Transfer::Clock::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, kIdlePollMs));
}

void Client::Impl::start(std::unique_ptr<Transfer> transfer) {
  EasyPtr easy = acquire_easy();
  if (!easy) {
    transfer->fail(TransportError::other, false, "curl_easy_init failed");
    transfer->deliver();
    return;
  }
  if (!transfer->prepare(std::move(easy), settings_)) {
    recycle(transfer->release_easy());
    transfer->deliver();
    return;
  }
  CURL* handle = transfer->easy();
  const CURLMcode rc = curl_multi_add_handle(multi_.get(), handle);
  if (rc != CURLM_OK) {
    transfer->fail(TransportError::other, false,
                   std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
    recycle(transfer->release_easy());
    transfer->deliver();
    return;
  }
  active_.emplace(handle, std::move(transfer));
}

void Client::Impl::reap_completed() {
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &pending)) {
    if (msg->msg != CURLMSG_DONE) continue;
    // Read before remove_handle, which invalidates msg.
    CURL* handle = msg->easy_handle;
    const CURLcode result = msg->data.result;
    auto it = active_.find(handle);
    if (it == active_.end()) continue;  // not ours: cannot happen, but never crash on it
    std::unique_ptr<Transfer> transfer = std::move(it->second);
    active_.erase(it);

    transfer->complete(result);
    curl_multi_remove_handle(multi_.get(), handle);
    recycle(transfer->release_easy());
    transfer->deliver();
  }
}

void Client::Impl::cancel(std::vector<std::unique_ptr<Transfer>>& transfers, bool maybe_sent) {
  for (auto& transfer : transfers) {
    transfer->fail(TransportError::cancelled, maybe_sent, "client destroyed");
    transfer->deliver();
  }
  transfers.clear();
}

void Client::Impl::cancel_active() {
  std::vector<std::unique_ptr<Transfer>> cancelled;
  cancelled.reserve(active_.size());
  for (auto& [handle, transfer] : active_) {
    curl_multi_remove_handle(multi_.get(), handle);
    cancelled.push_back(std::move(transfer));
  }
  active_.clear();
  cancel(cancelled, true);
}

EasyPtr Client::Impl::acquire_easy() {
  if (!idle_handles_.empty()) {
    EasyPtr easy = std::move(idle_handles_.back());
    idle_handles_.pop_back();
    return easy;
  }
  return EasyPtr(curl_easy_init());
}

void Client::Impl::recycle(EasyPtr easy) {
  if (!easy) return;
  // Reset now, not on reuse: the handle still points into the finished transfer's memory.
  curl_easy_reset(easy.get());
  if (idle_handles_.size() < max_idle_handles_) idle_handles_.push_back(std::move(easy));
}

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Client::~Client() = default;

void Client::send(Request request, Callback callback) {
  impl_->send(
      std::make_unique<Transfer>(std::move(request), std::move(callback), Transfer::Clock::now()));
}

Response Client::send_sync(Request request) {
  if (std::this_thread::get_id() == impl_->thread_.get_id()) {
    throw std::logic_error("eventdest::http::Client::send_sync called from a callback");
  }
  // Shared so the I/O thread never touches a promise this frame has already destroyed.
  auto promise = std::make_shared<std::promise<Response>>();
  std::future<Response> future = promise->get_future();
  send(std::move(request), [promise](Response&& r) { promise->set_value(std::move(r)); });
  return future.get();
}

}  // namespace eventdest::http
