// The REST Proxy v3 emulator (tests/kafka_rest/emulator) started for a test, stopped after it.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>

#include "http/http_client.hpp"
#include "support/subprocess.hpp"

namespace eventdest::test {

class RestEmulator {
 public:
  explicit RestEmulator(std::vector<std::string> extra_args = {}) {
    std::vector<std::string> argv = {
        system_python(),
        std::string(EVENTDEST_SOURCE_DIR) + "/tests/kafka_rest/emulator/rest_proxy_emulator.py",
        "--port",
        "0",
        "--cluster-id",
        "c1",
        "--topic",
        "orders:3",
        "--api-key",
        "key",
        "--api-secret",
        "secret"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<Subprocess>(argv);
    url_ = process_->wait_for_line("LISTENING ", std::chrono::seconds(20));
  }
  const std::string& url() const { return url_; }

  /// POSTs a JSON list of fault rules (replacing the plan).
  void faults(const std::string& json) { call("POST", "/_emulator/faults", json); }
  /// The stored records of `topic` as a JSON array.
  rapidjson::Document records(const std::string& topic = "orders") {
    rapidjson::Document doc;
    const std::string body = call("GET", "/_emulator/records?topic=" + topic, "");
    doc.Parse(body.c_str(), body.size());
    return doc;
  }

 private:
  std::string call(const std::string& method, const std::string& path, const std::string& body) {
    http::Request r;
    r.method = method;
    r.url = url_ + path;
    r.body = body;
    r.headers = {{"Content-Type", "application/json"}};
    return client_.send_sync(std::move(r)).body;
  }

  std::unique_ptr<Subprocess> process_;
  std::string url_;
  http::Client client_;
};

}  // namespace eventdest::test
