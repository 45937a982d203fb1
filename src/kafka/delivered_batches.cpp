#include "kafka/delivered_batches.hpp"

namespace eventdest::detail {

bool DeliveredBatches::keep(rd_kafka_event_t* batch, std::size_t messages) {
  if (kept_messages_.load() + messages > max_messages_) return false;
  kept_messages_ += messages;
  Node* node = new Node{batch, messages, head_.load()};
  while (!head_.compare_exchange_weak(node->next, node)) {
  }
  return true;
}

std::size_t DeliveredBatches::free_all() noexcept {
  // Sequentially consistent (a plain load on x86): with keep()'s re-check of the flush flag
  // after pushing, either that thread or this one sees the other's batch.
  if (head_.load() == nullptr) return 0;
  Node* node = head_.exchange(nullptr);
  std::size_t freed = 0;
  while (node != nullptr) {
    Node* next = node->next;
    rd_kafka_event_destroy(node->batch);
    freed += node->messages;
    delete node;
    node = next;
  }
  kept_messages_ -= freed;
  return freed;
}

}  // namespace eventdest::detail
