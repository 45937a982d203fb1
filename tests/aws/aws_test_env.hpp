// Test scaffolding for the credential chain: a scope that clears every AWS_* variable (and
// restores them afterwards), points the shared files at a private temp directory and keeps
// tests away from the real instance metadata endpoint; fake STS / container / IMDS servers.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/test_server.hpp"

extern char** environ;

namespace eventdest::test {

class AwsEnvScope {
 public:
  AwsEnvScope() {
    for (char** e = environ; *e; ++e) {
      const std::string entry = *e;
      const auto eq = entry.find('=');
      const std::string name = entry.substr(0, eq);
      if (name.rfind("AWS_", 0) == 0) saved_[name] = entry.substr(eq + 1);
    }
    for (const auto& [name, value] : saved_)
      ::unsetenv(name.c_str());
    if (const char* home = std::getenv("HOME")) saved_home_ = home;
    char pattern[] = "/tmp/eventdest-cred-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    // HOME-based defaults land in the temp dir too, should a test unset the overrides.
    ::setenv("HOME", dir_.c_str(), 1);
    set("AWS_SHARED_CREDENTIALS_FILE", path("credentials"));
    set("AWS_CONFIG_FILE", path("config"));
    set("AWS_EC2_METADATA_DISABLED", "true");
  }
  ~AwsEnvScope() {
    for (char** e = environ; *e; ++e) {
      const std::string entry = *e;
      const std::string name = entry.substr(0, entry.find('='));
      if (name.rfind("AWS_", 0) == 0) unset_later_.push_back(name);
    }
    for (const auto& name : unset_later_)
      ::unsetenv(name.c_str());
    for (const auto& [name, value] : saved_)
      ::setenv(name.c_str(), value.c_str(), 1);
    if (saved_home_) {
      ::setenv("HOME", saved_home_->c_str(), 1);
    } else {
      ::unsetenv("HOME");
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  AwsEnvScope(const AwsEnvScope&) = delete;
  AwsEnvScope& operator=(const AwsEnvScope&) = delete;

  static void set(const char* name, const std::string& value) { ::setenv(name, value.c_str(), 1); }
  static void unset(const char* name) { ::unsetenv(name); }

  std::string path(const std::string& file) const { return dir_ + "/" + file; }
  std::string write(const std::string& file, const std::string& text) const {
    std::ofstream(path(file), std::ios::binary) << text;
    return path(file);
  }

 private:
  std::map<std::string, std::string> saved_;
  std::vector<std::string> unset_later_;
  std::optional<std::string> saved_home_;
  std::string dir_;
};

/// A TCP port on 127.0.0.1 with nothing listening (a server that was started and stopped).
inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

inline std::uint16_t closed_port() {
  HttpServer s([](const ServerRequest&) { return Action::respond(200); });
  return s.port();
}

/// A fake IMDSv2: token PUT, role list, role credentials. Counts and keeps the requests.
class FakeImds {
 public:
  FakeImds() : server_([this](const ServerRequest& r) { return handle(r); }) {}

  std::string endpoint() const { return server_.url(""); }
  std::vector<ServerRequest> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  std::size_t token_requests() const { return token_requests_.load(); }
  bool server_requests_at_least(std::size_t n, std::chrono::milliseconds timeout) const {
    return server_.wait_for_requests(n, timeout);
  }

  void set_credentials(std::string key_id, std::string expiration) {
    std::lock_guard<std::mutex> lock(mutex_);
    key_id_ = std::move(key_id);
    expiration_ = std::move(expiration);
  }
  void set_failing(int status) { failing_status_ = status; }
  void set_delay(std::chrono::milliseconds d) { delay_ = d; }

  static constexpr const char* kToken = "IMDS-TOKEN-abc";
  static constexpr const char* kSecret = "imds/secret+KEY";
  static constexpr const char* kSession = "IMDS-SESSION-TOKEN";

 private:
  Action handle(const ServerRequest& r) {
    std::string key_id, expiration;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(r);
      key_id = key_id_;
      expiration = expiration_;
    }
    const bool token_request = r.method == "PUT" && r.target == "/latest/api/token";
    if (token_request) ++token_requests_;
    if (const int status = failing_status_.load())
      return Action::respond(status, {}, "oops").after(delay_);
    const std::string base = "/latest/meta-data/iam/security-credentials/";
    if (token_request) {
      if (r.header("x-aws-ec2-metadata-token-ttl-seconds").empty()) return Action::respond(400);
      return Action::respond(200, {}, kToken).after(delay_);
    }
    if (r.header("x-aws-ec2-metadata-token") != kToken) return Action::respond(401);
    if (r.method == "GET" && r.target == base) return Action::respond(200, {}, "eventdest-role\n");
    if (r.method == "GET" && r.target == base + "eventdest-role") {
      return Action::respond(200, {{"Content-Type", "application/json"}},
                             R"({"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z",)"
                             R"("Type":"AWS-HMAC","AccessKeyId":")" +
                                 key_id + R"(","SecretAccessKey":")" + kSecret + R"(","Token":")" +
                                 kSession + R"(","Expiration":")" + expiration + "\"}");
    }
    return Action::respond(404);
  }

  std::mutex mutex_;
  std::vector<ServerRequest> requests_;
  std::string key_id_ = "AKIDIMDS";
  std::string expiration_ = "2099-01-01T00:00:00Z";
  std::atomic<int> failing_status_{0};
  std::atomic<std::size_t> token_requests_{0};
  std::chrono::milliseconds delay_{0};
  HttpServer server_;  // last: stopped first
};

}  // namespace eventdest::test
