#include "pipeline/record_pool.hpp"

#include <utility>

#include "util/prefetch.hpp"

namespace eventdest::detail {

std::size_t RecordPool::bytes_of(const Record& r) {
  // A record reported unencoded (its endpoint stayed down) still holds its event's data.
  return sizeof(Record) + r.payload.capacity() + r.partition_key.capacity() +
         r.event.id().capacity() + (r.encoded ? 0 : r.event.data().size());
}

template <class E>
RecordPtr RecordPool::take_for(E&& event, DeliveryCallback callback) {
  RecordPtr record;
  const Record* next = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!records_.empty()) {
      record = std::move(records_.back().first);
      bytes_ -= records_.back().second;
      records_.pop_back();
      if (!records_.empty()) next = records_.back().first.get();
    }
  }
  // The next take's record, last written by the reporting thread on another core: fetched while
  // this one is filled, rather than line by line when its fields are reset. (Harmless if another
  // publisher takes it first, or it is freed: a prefetch never faults.)
  if (next) prefetch_lines_for_write(next, sizeof(Record));
  if (!record) return std::make_unique<Record>(std::forward<E>(event), std::move(callback));
  // Reset here rather than when kept: this thread writes these fields next anyway, while the
  // reporting thread (another core) would have had to take each record's lines over to do it.
  record->clear_for_reuse();
  record->event = std::forward<E>(event);
  record->callback = std::move(callback);
  return record;
}

RecordPtr RecordPool::take(Event event, DeliveryCallback callback) {
  return take_for(std::move(event), std::move(callback));
}

RecordPtr RecordPool::take_copy(const Event& event, DeliveryCallback callback) {
  return take_for(event, std::move(callback));
}

void RecordPool::give_back(std::vector<std::pair<RecordPtr, const Outcome*>>& reported,
                           const std::vector<std::size_t>& bytes) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < reported.size(); ++i) {
    if (bytes[i] > max_bytes_ / 64) {  // outsized: not worth keeping
      reported[i].first.reset();
      continue;
    }
    ++kept;
  }
  if (kept == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  for (std::size_t i = 0; i < reported.size(); ++i) {
    if (!reported[i].first) continue;
    if (records_.size() >= max_records_ || bytes_ + bytes[i] > max_bytes_) break;
    bytes_ += bytes[i];
    records_.emplace_back(std::move(reported[i].first), bytes[i]);
  }
}

}  // namespace eventdest::detail
