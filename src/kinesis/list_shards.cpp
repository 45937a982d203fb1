#include "kinesis/list_shards.hpp"

#include <vector>

#include "kinesis/kinesis_records.hpp"

namespace eventdest::detail {

ListShardsClient::ListShardsClient(http::Client& client, KinesisSigner& signer, Target target)
    : client_(client), signer_(signer), target_(std::move(target)) {}

ListShardsClient::Result ListShardsClient::fetch(std::chrono::milliseconds timeout) {
  // A stream has at most a few thousand shards at 1,000 per page; a peer that never stops
  // paging is not Kinesis.
  constexpr int kMaxPages = 100;
  Result result;
  std::vector<ShardRange> shards;
  std::string token;
  for (int page = 0; page < kMaxPages; ++page) {
    http::Request request;
    request.url = target_.url;
    request.timeout = timeout;
    request.max_response_bytes = 16u << 20;
    request.body = list_shards_body(target_.stream_field, token);
    request.headers = {{"Host", target_.host},
                       {"Content-Type", "application/x-amz-json-1.1"},
                       {"X-Amz-Target", "Kinesis_20131202.ListShards"}};
    const SignResult signed_request = signer_.sign(request, target_.host);
    if (!signed_request.ok) {
      result.error = "no credentials for ListShards: " + signed_request.error;
      return result;
    }
    const http::Response response = client_.send_sync(std::move(request));
    if (!response.ok()) {
      result.error = "ListShards failed: " + response.error_message;
      return result;
    }
    if (response.status != 200) {
      std::string type;
      std::string message;
      parse_kinesis_error(response.body, response.header("x-amzn-errortype"), type, message);
      result.denied = type == "AccessDeniedException";
      result.error = "ListShards failed: HTTP " + std::to_string(response.status) + " " + type +
                     (message.empty() ? "" : ": " + message);
      return result;
    }
    result.error = parse_list_shards_page(response.body, shards, token);
    if (!result.error.empty()) return result;
    if (token.empty()) {
      if (shards.empty()) {
        result.error = "ListShards gave no open shard";
        return result;
      }
      result.map = std::make_shared<const ShardMap>(std::move(shards));
      return result;
    }
  }
  result.error = "ListShards gave more than " + std::to_string(kMaxPages) + " pages";
  return result;
}

}  // namespace eventdest::detail
