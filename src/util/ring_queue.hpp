// A FIFO (with push_front for what goes back to the head) on one ring of slots that grows by
// doubling and shrinks by halving once mostly empty. Why: std::deque allocates a block per 512
// bytes at its back and frees it at its front, and the delivery pipeline's queue is pushed by
// publishing threads and popped by its batching thread: every block was freed by another thread
// than the one that allocated it, which glibc's malloc makes slow.
//
// Thread-safety: none; the owner's lock guards it.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

namespace eventdest::detail {

template <class T>
class RingQueue {
 public:
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  /// Slots allocated (0 or a power of two, at least 64).
  std::size_t capacity() const noexcept { return capacity_; }
  T& front() noexcept { return slots_[head_]; }
  const T& front() const noexcept { return slots_[head_]; }
  /// The i-th element from the front.
  T& operator[](std::size_t i) noexcept { return slots_[(head_ + i) & (capacity_ - 1)]; }

  void push_back(T value) {
    if (size_ == capacity_) resize(capacity_ == 0 ? kMinCapacity : capacity_ * 2);
    slots_[(head_ + size_) & (capacity_ - 1)] = std::move(value);
    ++size_;
  }
  void push_front(T value) {
    if (size_ == capacity_) resize(capacity_ == 0 ? kMinCapacity : capacity_ * 2);
    head_ = (head_ + capacity_ - 1) & (capacity_ - 1);
    slots_[head_] = std::move(value);
    ++size_;
  }
  void pop_front() {
    slots_[head_] = T();  // releases what the slot holds now, not when it is next written
    head_ = (head_ + 1) & (capacity_ - 1);
    --size_;
    // Mostly empty after a peak: give the memory back (halving leaves room to grow again).
    if (capacity_ > kMinCapacity && size_ < capacity_ / 8) resize(capacity_ / 2);
  }
  void clear() {
    slots_.reset();
    capacity_ = head_ = size_ = 0;
  }

 private:
  static constexpr std::size_t kMinCapacity = 64;  // a power of two, as every capacity

  void resize(std::size_t capacity) {
    auto slots = std::make_unique<T[]>(capacity);
    for (std::size_t i = 0; i < size_; ++i)
      slots[i] = std::move((*this)[i]);
    slots_ = std::move(slots);
    capacity_ = capacity;
    head_ = 0;
  }

  std::unique_ptr<T[]> slots_;
  std::size_t capacity_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace eventdest::detail
