#include "kinesis/list_shards.hpp"

#include <vector>

#include "kinesis/kinesis_records.hpp"

namespace eventdest::detail {

// A stream has at most a few thousand shards at 1,000 per page; a peer that never stops paging
// is not Kinesis.
constexpr int kMaxPages = 100;

struct ListShardsClient::Paging {
  std::vector<ShardRange> shards;
  std::string token;
  int pages = 0;
  std::chrono::milliseconds timeout{0};
  Result result;
  std::function<void(Result)> done;
};

ListShardsClient::ListShardsClient(http::Client& client, KinesisSigner& signer, Target target)
    : client_(client), signer_(signer), target_(std::move(target)) {}

bool ListShardsClient::page_request(const std::string& token, std::chrono::milliseconds timeout,
                                    http::Request& request, std::string& error) {
  request.url = target_.url;
  request.timeout = timeout;
  request.max_response_bytes = 16u << 20;
  request.body = list_shards_body(target_.stream_field, token);
  request.headers = {{"Host", target_.host},
                     {"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "Kinesis_20131202.ListShards"}};
  const SignResult signed_request = signer_.sign(request, target_.host);
  if (!signed_request.ok) error = "no credentials for ListShards: " + signed_request.error;
  return signed_request.ok;
}

bool ListShardsClient::read_page(const http::Response& response, Paging& paging) {
  Result& result = paging.result;
  if (!response.ok()) {
    result.error = "ListShards failed: " + response.error_message;
    return true;
  }
  if (response.status != 200) {
    std::string type;
    std::string message;
    parse_kinesis_error(response.body, response.header("x-amzn-errortype"), type, message);
    result.denied = type == "AccessDeniedException";
    result.error = "ListShards failed: HTTP " + std::to_string(response.status) + " " + type +
                   (message.empty() ? "" : ": " + message);
    return true;
  }
  result.error = parse_list_shards_page(response.body, paging.shards, paging.token);
  if (!result.error.empty()) return true;
  if (paging.token.empty()) {
    if (paging.shards.empty()) {
      result.error = "ListShards gave no open shard";
    } else {
      result.map = std::make_shared<const ShardMap>(std::move(paging.shards));
    }
    return true;
  }
  if (++paging.pages >= kMaxPages) {
    result.error = "ListShards gave more than " + std::to_string(kMaxPages) + " pages";
    return true;
  }
  return false;
}

ListShardsClient::Result ListShardsClient::fetch(std::chrono::milliseconds timeout) {
  Paging paging;
  for (;;) {
    http::Request request;
    if (!page_request(paging.token, timeout, request, paging.result.error)) return paging.result;
    if (read_page(client_.send_sync(std::move(request)), paging)) return paging.result;
  }
}

void ListShardsClient::fetch_async(std::chrono::milliseconds timeout,
                                   std::function<void(Result)> done) {
  auto paging = std::make_shared<Paging>();
  paging->timeout = timeout;
  paging->done = std::move(done);
  next_async(std::move(paging));
}

void ListShardsClient::next_async(std::shared_ptr<Paging> paging) {
  http::Request request;
  if (!page_request(paging->token, paging->timeout, request, paging->result.error)) {
    paging->done(std::move(paging->result));
    return;
  }
  client_.send(std::move(request), [this, paging](http::Response&& response) {
    if (read_page(response, *paging)) {
      paging->done(std::move(paging->result));
    } else {
      next_async(paging);
    }
  });
}

}  // namespace eventdest::detail
