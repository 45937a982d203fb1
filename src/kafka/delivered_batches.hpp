// Delivery-report batches (librdkafka events) kept for the publishing thread to free. librdkafka
// allocates each message and its headers on the thread that produces it, and glibc frees a chunk
// cheaply on that thread but slowly from another (the allocating arena's lock, which that
// thread's own mallocs take too): freed on the report thread, the messages cost it more than
// the reports themselves. Thread-safe: one thread keeps, any thread frees.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstddef>

namespace eventdest::detail {

class DeliveredBatches {
 public:
  /// At most `max_messages` messages are kept; past that the report thread frees its own.
  explicit DeliveredBatches(std::size_t max_messages) : max_messages_(max_messages) {}
  ~DeliveredBatches() { free_all(); }
  DeliveredBatches(const DeliveredBatches&) = delete;
  DeliveredBatches& operator=(const DeliveredBatches&) = delete;

  /// Keeps `batch` (of `messages` messages) to be freed later; false (not kept, the caller
  /// frees it) when that would exceed the bound.
  bool keep(rd_kafka_event_t* batch, std::size_t messages);
  /// Frees every kept batch; returns how many messages that released. One atomic load when
  /// nothing is kept, so the publisher can ask before every message.
  std::size_t free_all() noexcept;

 private:
  struct Node {
    rd_kafka_event_t* batch;
    std::size_t messages;
    Node* next;
  };
  const std::size_t max_messages_;
  std::atomic<Node*> head_{nullptr};
  std::atomic<std::size_t> kept_messages_{0};
};

}  // namespace eventdest::detail
