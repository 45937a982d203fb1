#include "kinesis/put_record_sender.hpp"

#include <utility>

#include "kinesis/put_record.hpp"
#include "pipeline/http_outcome.hpp"

namespace eventdest::detail {

PutRecordSender::PutRecordSender(http::Client& client, KinesisSigner& signer, Target target,
                                 std::size_t max_in_flight, ReadAnswer read_answer,
                                 Complete complete)
    : client_(client),
      signer_(signer),
      target_(std::move(target)),
      max_in_flight_(max_in_flight == 0 ? 1 : max_in_flight),
      read_answer_(std::move(read_answer)),
      complete_(std::move(complete)) {}

void PutRecordSender::send(Batch batch, std::chrono::milliseconds timeout, Complete complete) {
  auto shared = std::make_shared<InFlightBatch>();
  shared->complete = std::move(complete);
  shared->remaining = batch.size();
  shared->outcomes.resize(batch.size());
  shared->timeout = timeout;
  shared->batch = std::move(batch);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < shared->remaining; ++i)
      waiting_.push_back({shared, i});
  }
  start_waiting();
}

void PutRecordSender::start_waiting() {
  for (;;) {
    Pending next;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (waiting_.empty() || active_ >= max_in_flight_) return;
      next = std::move(waiting_.front());
      waiting_.pop_front();
      ++active_;
    }
    start(std::move(next));
  }
}

void PutRecordSender::start(Pending p) {
  const Record& record = *p.batch->batch[p.index];
  http::Request request;
  request.url = target_.url;
  request.body = put_record_body(target_.stream_field, record.payload);
  request.headers = {{"Host", target_.host},
                     {"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "Kinesis_20131202.PutRecord"}};
  request.timeout = p.batch->timeout;
  const SignResult signed_request = signer_.sign(request, target_.host);
  if (!signed_request.ok) {
    auto outcome = Outcome::classify(errc::auth_failed, signed_request.error);
    outcome.kind = signed_request.permanent ? Outcome::Kind::fail : Outcome::Kind::retry;
    finish(p, std::move(outcome), false);
    return;
  }
  client_.send(std::move(request), [this, p](http::Response&& response) {
    Outcome outcome = response.ok() ? read_answer_(response) : transport_failure_outcome(response);
    if (response.resent) outcome.maybe_sent = true;
    finish(p, std::move(outcome), true);
  });
}

void PutRecordSender::finish(const Pending& p, Outcome outcome, bool start_next) {
  bool batch_done = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --active_;
    p.batch->outcomes[p.index] = std::move(outcome);
    batch_done = --p.batch->remaining == 0;
  }
  if (batch_done) {
    const Complete& complete = p.batch->complete ? p.batch->complete : complete_;
    complete(std::move(p.batch->batch), p.batch->outcomes);
  }
  if (start_next) start_waiting();
}

}  // namespace eventdest::detail
