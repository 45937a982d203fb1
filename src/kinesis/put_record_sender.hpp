// Sends the records of PutRecords-sized batches one PutRecord request each (the `put_record` API,
// chosen or fallen back to), at most `max_in_flight` requests at once for the whole destination,
// and completes each batch with the pipeline once every record of it has an outcome.
//
// Thread-safety: send() may be called from any thread; responses are handled on the HTTP client's
// I/O thread, which also starts the requests waiting for a free slot.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/http_client.hpp"
#include "kinesis/kinesis_signer.hpp"
#include "pipeline/record.hpp"

namespace eventdest::detail {

class PutRecordSender {
 public:
  struct Target {
    std::string url;           ///< the endpoint, ending in '/'
    std::string host;          ///< the Host header (signed)
    std::string stream_field;  ///< `"StreamName":"orders"` or `"StreamARN":"arn:..."`
  };
  /// Hands a finished batch and its outcomes (one per record, in order) back to the pipeline.
  using Complete = std::function<void(Batch&&, std::vector<Outcome>&)>;
  /// The outcome of one PutRecord answer that was not a transport failure (status and body), so
  /// the destination applies its error mapping and credential refresh.
  using ReadAnswer = std::function<Outcome(const http::Response&)>;

  /// `client` and `signer` must outlive the sender's requests (the destination destroys its
  /// client, which cancels them, before anything else).
  PutRecordSender(http::Client& client, KinesisSigner& signer, Target target,
                  std::size_t max_in_flight, ReadAnswer read_answer, Complete complete);

  /// Sends every record of `batch` (their payloads are PutRecords entries), each request bounded
  /// by `timeout`. `complete`, when given, takes the finished batch instead of the sender's own
  /// (aggregation sends carrier records whose outcomes go to the user records they hold).
  void send(Batch batch, std::chrono::milliseconds timeout, Complete complete = {});

 private:
  struct InFlightBatch {
    Batch batch;
    std::vector<Outcome> outcomes;
    std::size_t remaining = 0;
    std::chrono::milliseconds timeout{0};
    Complete complete;
  };
  struct Pending {
    std::shared_ptr<InFlightBatch> batch;
    std::size_t index = 0;
  };

  void start_waiting();  // starts queued records while slots are free
  void start(Pending p);
  /// Records the outcome, completes the batch when it was its last record, and (unless called
  /// from start(), whose caller loops anyway) starts what waits for the freed slot.
  void finish(const Pending& p, Outcome outcome, bool start_next);

  http::Client& client_;
  KinesisSigner& signer_;
  const Target target_;
  const std::size_t max_in_flight_;
  const ReadAnswer read_answer_;
  const Complete complete_;
  std::mutex mutex_;
  std::deque<Pending> waiting_;
  std::size_t active_ = 0;
};

}  // namespace eventdest::detail
