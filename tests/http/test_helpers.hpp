// Helpers shared by the http engine's tests: collecting callbacks, environment overrides, a port
// nobody listens on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/http_client.hpp"

namespace eventdest::test {

/// Records responses by request id, counting how often each id's callback ran.
class Collector {
 public:
  http::Client::Callback callback(int id) {
    return [this, id](http::Response&& r) {
      std::lock_guard<std::mutex> lock(mutex_);
      ++calls_[id];
      responses_[id] = std::move(r);
      ++total_;
      cv_.notify_all();
    };
  }
  /// Waits until `n` callbacks ran in total (a generous bound: a hang fails instead of blocking).
  bool wait_for(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return total_ >= n; });
  }
  std::size_t total() {
    std::lock_guard<std::mutex> lock(mutex_);
    return total_;
  }
  std::map<int, int> calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  std::map<int, http::Response> responses() {
    std::lock_guard<std::mutex> lock(mutex_);
    return responses_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<int, int> calls_;
  std::map<int, http::Response> responses_;
  std::size_t total_ = 0;
};

/// Sets (or, with nullopt, unsets) an environment variable for the scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

/// Clears every proxy variable libcurl reads, so tests against 127.0.0.1 never go through a proxy
/// configured on the machine running them.
class NoProxyEnv {
 public:
  NoProxyEnv()
      : a_("http_proxy", std::nullopt),
        b_("https_proxy", std::nullopt),
        c_("HTTPS_PROXY", std::nullopt),
        d_("all_proxy", std::nullopt),
        e_("ALL_PROXY", std::nullopt),
        f_("no_proxy", std::nullopt),
        g_("NO_PROXY", std::nullopt) {}

 private:
  ScopedEnv a_, b_, c_, d_, e_, f_, g_;
};

/// A loopback port that was free a moment ago and has no listener (connecting is refused).
std::uint16_t closed_port();

}  // namespace eventdest::test
