// Emptied strings kept for reuse with their capacity. Why: a request body of a few hundred KB
// allocated afresh per request costs page faults on the thread that fills it and returning the
// pages on the thread that frees it.
//
// Thread-safety: take() and give_back() may be called from any threads at once.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace eventdest::detail {

class BufferPool {
 public:
  /// Keeps at most `max_buffers` buffers of at most `max_capacity` bytes each.
  BufferPool(std::size_t max_buffers, std::size_t max_capacity)
      : max_buffers_(max_buffers), max_capacity_(max_capacity) {}

  /// An empty string, with the capacity of a kept one when there is one.
  std::string take() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (buffers_.empty()) return {};
    std::string buffer = std::move(buffers_.back());
    buffers_.pop_back();
    return buffer;
  }

  /// Keeps `buffer` (emptied) if there is room and it is not outsized.
  void give_back(std::string buffer) {
    if (buffer.capacity() > max_capacity_) return;
    buffer.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    if (buffers_.size() < max_buffers_) buffers_.push_back(std::move(buffer));
  }

 private:
  const std::size_t max_buffers_;
  const std::size_t max_capacity_;
  std::mutex mutex_;
  std::vector<std::string> buffers_;
};

}  // namespace eventdest::detail
