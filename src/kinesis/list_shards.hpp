// Fetches a stream's shard map with ListShards (every page), for aggregation's shard prediction.
//
// Thread-safety: fetch() may be called from any thread but the HTTP client's I/O thread (it waits
// for the answers); fetch_async() from any thread, its callback runs on the I/O thread (or at once
// when the request cannot be signed).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "http/http_client.hpp"
#include "kinesis/kinesis_signer.hpp"
#include "kinesis/shard_map.hpp"

namespace eventdest::detail {

class ListShardsClient {
 public:
  struct Target {
    std::string url;           ///< the endpoint, ending in '/'
    std::string host;          ///< the Host header (signed)
    std::string stream_field;  ///< `"StreamName":"orders"` or `"StreamARN":"arn:..."`
  };
  struct Result {
    std::shared_ptr<const ShardMap> map;  ///< null on failure
    bool denied = false;  ///< an IAM policy does not allow kinesis:ListShards (don't ask again)
    std::string error;    ///< why there is no map
  };

  /// `client` and `signer` must outlive this object.
  ListShardsClient(http::Client& client, KinesisSigner& signer, Target target);
  Result fetch(std::chrono::milliseconds timeout);
  void fetch_async(std::chrono::milliseconds timeout, std::function<void(Result)> done);

 private:
  struct Paging;
  // The request for the page after `token` (the first when empty); false and `error` set when it
  // cannot be signed.
  bool page_request(const std::string& token, std::chrono::milliseconds timeout,
                    http::Request& request, std::string& error);
  // Reads one answer into `paging`; true when the fetch is over (result set).
  static bool read_page(const http::Response& response, Paging& paging);
  void next_async(std::shared_ptr<Paging> paging);

  http::Client& client_;
  KinesisSigner& signer_;
  const Target target_;
};

}  // namespace eventdest::detail
