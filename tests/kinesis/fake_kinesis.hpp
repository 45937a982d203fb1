// A Kinesis-compatible sink on the tests' own HTTP server: decodes PutRecords and PutRecord
// requests, stores the records it accepts, and lets a test script failures per request or per
// record, or deny actions as an IAM policy would (kinesis-local has no IAM).
#pragma once

#include <rapidjson/document.h>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/test_server.hpp"
#include "util/base64.hpp"

namespace eventdest::test {

struct KinesisEntry {
  std::string event_id;  ///< metadata.event-id of the payload
  std::string partition_key;
  std::string data;  ///< decoded blob
};

class FakeKinesis {
 public:
  /// Per request (1-based): an Action to answer instead of the normal response, or nullopt.
  using RequestScript =
      std::function<std::optional<Action>(std::size_t request, const ServerRequest&)>;
  /// Per record attempt: an ErrorCode to fail the record with, or "" to accept it.
  using RecordScript = std::function<std::string(const KinesisEntry&, int attempt)>;

  /// On a free port, or on `port` (a port clients were refused on until now).
  explicit FakeKinesis(std::uint16_t port = 0)
      : server_([this](const ServerRequest& r) { return handle(r); }, nullptr, port) {}

  void script_requests(RequestScript s) {
    std::lock_guard<std::mutex> lock(mutex_);
    request_script_ = std::move(s);
  }
  /// Per request: store the records (as written) and then reset the connection without an
  /// answer: the ambiguous failure that makes duplicates possible.
  void script_store_then_reset(std::function<bool(std::size_t request)> s) {
    std::lock_guard<std::mutex> lock(mutex_);
    store_then_reset_ = std::move(s);
  }
  void script_records(RecordScript s) {
    std::lock_guard<std::mutex> lock(mutex_);
    record_script_ = std::move(s);
  }
  /// Answers every request for `action` ("PutRecords" or "PutRecord") as AWS answers an action
  /// the caller's IAM policy does not allow.
  void deny_action(const std::string& action) {
    std::lock_guard<std::mutex> lock(mutex_);
    denied_.push_back(action);
  }
  /// Requests received per X-Amz-Target action ("PutRecords", "PutRecord").
  std::map<std::string, int> requests_per_action() {
    std::lock_guard<std::mutex> lock(mutex_);
    return per_action_;
  }
  std::string url() const { return server_.url(""); }
  HttpServer& server() { return server_; }

  /// Records accepted (written), in order; an event id may appear twice only after an
  /// ambiguous failure.
  std::vector<KinesisEntry> stored() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stored_;
  }
  /// How many times each event id was sent in any request.
  std::map<std::string, int> attempts() {
    std::lock_guard<std::mutex> lock(mutex_);
    return attempts_;
  }
  std::vector<ServerRequest> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  Action handle(const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(r);
    const std::size_t n = requests_.size();
    const std::string target(r.header("x-amz-target"));
    const std::string action = target.substr(target.find('.') + 1);
    ++per_action_[action];
    if (std::find(denied_.begin(), denied_.end(), action) != denied_.end()) {
      return Action::respond(
          400, {{"Content-Type", "application/x-amz-json-1.1"}},
          R"({"__type":"AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/app )"
          R"(is not authorized to perform: kinesis:)" +
              action +
              R"( on resource: arn:aws:kinesis:us-east-1:123456789012:stream/s because no )"
              R"(identity-based policy allows the kinesis:)" +
              action + R"( action"})");
    }
    if (action != "PutRecord" && action != "PutRecords") {
      // Other actions (ListShards) are the script's to answer.
      if (request_script_) {
        if (auto scripted = request_script_(n, r)) return *scripted;
      }
      return Action::respond(400, {{"Content-Type", "application/x-amz-json-1.1"}},
                             R"({"__type":"UnknownOperationException"})");
    }
    const bool single = action == "PutRecord";
    rapidjson::Document doc;
    doc.Parse(r.body.c_str(), r.body.size());
    if (doc.HasParseError() || !doc.IsObject() || (!single && !doc.HasMember("Records")) ||
        (single && (!doc.HasMember("Data") || !doc.HasMember("PartitionKey")))) {
      return Action::respond(400, {{"Content-Type", "application/x-amz-json-1.1"}},
                             R"({"__type":"SerializationException"})");
    }
    std::vector<KinesisEntry> entries;
    rapidjson::Value one(rapidjson::kArrayType);
    if (single) one.PushBack(rapidjson::Value(doc, doc.GetAllocator()), doc.GetAllocator());
    for (const auto& rec : single ? one.GetArray() : doc["Records"].GetArray()) {
      KinesisEntry e;
      e.partition_key = rec["PartitionKey"].GetString();
      eventdest::detail::decode_base64(rec["Data"].GetString(), e.data);
      rapidjson::Document payload;
      payload.Parse(e.data.c_str());
      if (payload.IsObject() && payload.HasMember("metadata")) {
        e.event_id = payload["metadata"]["event-id"].GetString();
      }
      entries.push_back(std::move(e));
    }
    if (request_script_) {
      if (auto action = request_script_(n, r)) {
        // Requests answered by the script store nothing, except when the script says the
        // records were written before the failure (reset_after_store semantics are the
        // script's business via stored()).
        for (const auto& e : entries)
          ++attempts_[e.event_id];
        return *action;
      }
    }
    const bool ambiguous = store_then_reset_ && store_then_reset_(n);
    if (single) {
      const auto& e = entries[0];
      const int attempt = ++attempts_[e.event_id];
      const std::string error = record_script_ ? record_script_(e, attempt) : "";
      if (!error.empty()) {
        return Action::respond(400, {{"Content-Type", "application/x-amz-json-1.1"}},
                               R"({"__type":")" + error + R"(","message":"scripted"})");
      }
      stored_.push_back(e);
      if (ambiguous) return Action::reset();
      const int shard = static_cast<int>(std::hash<std::string>{}(e.partition_key) % 2);
      return Action::respond(200, {{"Content-Type", "application/x-amz-json-1.1"}},
                             R"({"ShardId":"shardId-00000000000)" + std::to_string(shard) +
                                 R"(","SequenceNumber":")" + std::to_string(1000 + stored_.size()) +
                                 R"("})");
    }
    std::string body = R"({"FailedRecordCount":0,"Records":[)";
    int failed = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      const int attempt = ++attempts_[e.event_id];
      const std::string error = record_script_ ? record_script_(e, attempt) : "";
      if (i) body += ',';
      if (!error.empty()) {
        ++failed;
        body += R"({"ErrorCode":")" + error + R"(","ErrorMessage":"scripted"})";
      } else {
        stored_.push_back(e);
        const int shard = static_cast<int>(std::hash<std::string>{}(e.partition_key) % 2);
        body += R"({"SequenceNumber":")" + std::to_string(1000 + stored_.size()) +
                R"(","ShardId":"shardId-00000000000)" + std::to_string(shard) + "\"}";
      }
    }
    body += "]}";
    if (ambiguous) return Action::reset();
    body.replace(body.find("\"FailedRecordCount\":0"), 21,
                 "\"FailedRecordCount\":" + std::to_string(failed));
    return Action::respond(200, {{"Content-Type", "application/x-amz-json-1.1"}}, body);
  }

  std::mutex mutex_;
  RequestScript request_script_;
  RecordScript record_script_;
  std::function<bool(std::size_t)> store_then_reset_;
  std::vector<KinesisEntry> stored_;
  std::map<std::string, int> attempts_;
  std::vector<ServerRequest> requests_;
  std::vector<std::string> denied_;
  std::map<std::string, int> per_action_;
  HttpServer server_;  // last: destroyed first, so no handler runs on a dead object
};

}  // namespace eventdest::test
