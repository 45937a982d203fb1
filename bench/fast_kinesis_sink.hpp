// A Kinesis-compatible sink for benchmarks, on the tests' HTTP server: acknowledges every record
// of PutRecords (and PutRecord) at once, and costs little, since it shares the machine's cores
// with the client under test.
#pragma once

#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "http/test_server.hpp"

namespace eventdest::bench {

// Acknowledges every record at once: counts entries by their "PartitionKey" and returns a
// success per record (no JSON parse: the sink shares the machine's cores with the client under
// test, so it must cost little: it visits only the colons, the one byte base64 data and the
// keys cannot hold, and the response for a given number of records is built once).
inline eventdest::test::Action acknowledge(const eventdest::test::ServerRequest& r) {
  if (r.header("x-amz-target") == "Kinesis_20131202.PutRecord") {
    return eventdest::test::Action::respond(
        200, {{"Content-Type", "application/x-amz-json-1.1"}},
        R"({"ShardId":"shardId-000000000000","SequenceNumber":"49590338271490256608559692538361571095921575989136588898"})");
  }
  static constexpr std::string_view key = "\"PartitionKey\"";
  const char* const begin = r.body.data();
  const char* const end = begin + r.body.size();
  std::size_t n = 0;
  for (const char* p = begin; (p = static_cast<const char*>(std::memchr(p, ':', end - p))); ++p) {
    if (static_cast<std::size_t>(p - begin) >= key.size() &&
        std::string_view(p - key.size(), key.size()) == key)
      ++n;
  }
  // One handler thread per connection: the cache is per thread.
  thread_local std::map<std::size_t, std::string> responses;
  std::string& response = responses[n];
  if (response.empty()) {
    response = "{\"FailedRecordCount\":0,\"Records\":[";
    for (std::size_t i = 0; i < n; ++i) {
      if (i) response += ',';
      response +=
          R"({"SequenceNumber":"49590338271490256608559692538361571095921575989136588898","ShardId":"shardId-000000000000"})";
    }
    response += "]}";
  }
  return eventdest::test::Action::respond(200, {{"Content-Type", "application/x-amz-json-1.1"}},
                                          response);
}

}  // namespace eventdest::bench
