// The REST Proxy v3 produce emulator in C++: the same produce contract and strictness as
// rest_proxy_emulator.py (Basic auth, Content-Type, unknown cluster/topic, unknown fields,
// key/value types, padded standard base64 for BINARY data and header values, Kafka's murmur2
// partitioner, one CRLF-terminated report per record in a chunked 200, `records:batch` with a
// 207 matched by id), without fault injection. It exists so that kafka_rest_bench can measure the
// client rather than Python: the Python emulator needs ~7 us per streamed record.
//
// Thread-safety: requests are served on the HTTP server's connection threads; the store is
// guarded by one mutex. records() and the counters may be called from any thread.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/test_server.hpp"

namespace eventdest::test {

struct FastRestProxyOptions {
  std::string cluster_id = "c1";
  std::map<std::string, int> topics = {{"orders", 3}};  ///< name -> partitions
  std::string api_key;                                  ///< empty: no authentication
  std::string api_secret;
  std::size_t max_batch_entries = 10;
};

class FastRestProxy {
 public:
  explicit FastRestProxy(FastRestProxyOptions options = {});
  FastRestProxy(const FastRestProxy&) = delete;
  FastRestProxy& operator=(const FastRestProxy&) = delete;

  /// "http://127.0.0.1:<port>".
  std::string url() const;
  /// The stored records of `topic` in the JSON shape of the Python emulator's
  /// GET /_emulator/records: [{topic, partition, offset, key, value, value_type, headers}].
  rapidjson::Document records(const std::string& topic = "orders") const;
  std::size_t accepted() const;
  std::size_t rejected() const;
  std::size_t requests() const;

  enum class DataType : std::uint8_t { none, json, string, binary };  ///< none: null or absent

  /// One stored record. Its bytes (key, value, then per header: name size, name, value size or
  /// kNullHeader, value; sizes as native uint32) are in the block of the request that brought
  /// it, shared with the other records of that request: storing a record allocates nothing.
  struct Stored {
    const std::string* topic = nullptr;  ///< a key of topics_ (never erased)
    std::int64_t offset = 0;
    int partition = 0;
    std::uint32_t block = 0;  ///< index in blocks_
    std::uint32_t begin = 0;  ///< where the record's bytes start in the block
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;
    std::uint32_t headers = 0;
    DataType key_type = DataType::none;
    DataType value_type = DataType::none;
  };
  static constexpr std::uint32_t kNullHeader = 0xffffffffu;

 private:
  struct Topic {
    int partitions = 1;
    std::vector<std::int64_t> next_offset;
    std::uint64_t round_robin = 0;
  };

  Action handle(const ServerRequest& request);
  Action produce_stream(Topic& topic, const std::string& name, const std::string& body);
  Action produce_batch(Topic& topic, const std::string& name, const std::string& body);
  /// Partition and offset for a validated record whose key bytes are `key` (the caller holds
  /// mutex_).
  void place(Topic& topic, Stored& record, std::string_view key, std::optional<int> partition);

  const FastRestProxyOptions options_;
  const std::string expected_authorization_;
  mutable std::mutex mutex_;
  std::map<std::string, Topic> topics_;
  std::deque<Stored> store_;         // no moves of the whole store as it grows
  std::vector<std::string> blocks_;  // the records' bytes, one block per request
  std::size_t accepted_ = 0;
  std::size_t rejected_ = 0;
  std::size_t requests_ = 0;
  HttpServer server_;  // last: it calls handle() until destroyed, before the members above
};

}  // namespace eventdest::test
