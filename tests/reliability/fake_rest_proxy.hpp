// A REST Proxy v3 produce endpoint on the tests' own HTTP server, for fault injection: stores
// the records it acknowledges (by event-id header) and lets a test decide, per request, to
// fail, cut, stall or garble the answer. The strict protocol emulator lives in
// tests/kafka_rest/emulator; this one is about failure modes.
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "util/base64.hpp"
#include "http/test_server.hpp"

namespace eventdest::test {

class FakeRestProxy {
 public:
  enum class Fault {
    none,
    http_429,          ///< 429 before producing anything
    http_503,          ///< 503 / 50302 before producing anything
    reset_before,      ///< reset, nothing produced
    store_then_reset,  ///< everything produced, then reset: ambiguous
    cut_stream,        ///< first half produced and reported, then the stream is cut
    record_errors,     ///< every other record gets 50003 inside the 200 stream (not produced)
    garbage,           ///< 200 with a body that is not reports
    stall              ///< never answers (client request timeout)
  };
  using Script = std::function<Fault(std::size_t request)>;

  explicit FakeRestProxy(Script script)
      : script_(std::move(script)), server_([this](const ServerRequest& r) { return handle(r); }) {}

  std::string url() const { return server_.url(""); }
  HttpServer& server() { return server_; }
  std::map<std::string, int> stored() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stored_;
  }

 private:
  static std::vector<std::string> event_ids(const std::string& body) {
    std::vector<std::string> ids;
    std::size_t pos = 0;
    while (pos < body.size()) {
      auto next = body.find('\n', pos);
      if (next == std::string::npos) next = body.size();
      rapidjson::Document one;
      one.Parse(body.c_str() + pos, next - pos);
      if (!one.HasParseError() && one.IsObject() && one.HasMember("headers")) {
        for (const auto& h : one["headers"].GetArray()) {
          if (std::string(h["name"].GetString()) == "event-id") {
            std::string id;
            eventdest::detail::decode_base64(h["value"].GetString(), id);
            ids.push_back(id);
          }
        }
      }
      pos = next + 1;
    }
    return ids;
  }

  std::string report(int offset) {
    return R"({"error_code":200,"partition_id":0,"offset":)" + std::to_string(offset) + "}\r\n";
  }

  Action handle(const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto ids = event_ids(r.body);
    const Fault fault = script_(++requests_);
    const Headers json = {{"Content-Type", "application/json"}};
    switch (fault) {
      case Fault::http_429:
        return Action::respond(429, json, R"({"error_code":429,"message":"Too Many Requests"})");
      case Fault::http_503:
        return Action::respond(503, json, R"({"error_code":50302,"message":"Unavailable"})");
      case Fault::reset_before:
        return Action::reset();
      case Fault::store_then_reset:
        for (const auto& id : ids)
          ++stored_[id];
        return Action::reset();
      case Fault::garbage:
        return Action::respond(200, json, "<html>proxy error</html>");
      case Fault::stall:
        return Action::stall();
      case Fault::cut_stream: {
        std::vector<std::string> parts;
        for (std::size_t i = 0; i < ids.size() / 2; ++i) {
          ++stored_[ids[i]];
          parts.push_back(report(offset_++));
        }
        return Action::chunked(200, json, parts, std::chrono::milliseconds(0), false);
      }
      case Fault::record_errors:
      case Fault::none: {
        std::string body;
        for (std::size_t i = 0; i < ids.size(); ++i) {
          if (fault == Fault::record_errors && i % 2 == 1) {
            body += "{\"error_code\":50003,\"message\":\"Broker not available\"}\r\n";
          } else {
            ++stored_[ids[i]];
            body += report(offset_++);
          }
        }
        return Action::chunked(200, json, {body});
      }
    }
    return Action::reset();
  }

  std::mutex mutex_;
  Script script_;
  std::size_t requests_ = 0;
  int offset_ = 0;
  std::map<std::string, int> stored_;
  HttpServer server_;  // last: stops first
};

}  // namespace eventdest::test
