// Reported records kept for reuse. Why: a record's payload and key strings keep their capacity, so
// a steady stream of publishes allocates nothing per event, and the publishing thread does not
// free what the reporting thread allocated (cross-thread frees are slow in glibc's malloc).
//
// Thread-safety: take(), take_copy() and give_back() may be called from any threads at once.
#pragma once

#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

#include "pipeline/record.hpp"

namespace eventdest::detail {

class RecordPool {
 public:
  /// At most `max_records` records holding at most `max_bytes` (records and their strings'
  /// capacity), so an idle destination holds little memory.
  RecordPool(std::size_t max_records, std::size_t max_bytes)
      : max_records_(max_records), max_bytes_(max_bytes) {}

  /// A record for `event`: a kept one when there is one, else a new one.
  RecordPtr take(Event event, DeliveryCallback callback);
  /// A record for a copy of `event`. A kept record's event is assigned `event`: its id string's
  /// buffer and its metadata map's nodes are reused (no allocation when they are large enough,
  /// and nothing the reporting thread last touched is freed here).
  RecordPtr take_copy(const Event& event, DeliveryCallback callback);
  /// Keeps the records of `reported` (each already reported, its callback released) as room
  /// allows; the others are freed. `bytes[i]` is bytes_of() of record i, taken while the caller
  /// had it in cache. Every RecordPtr is left empty.
  void give_back(std::vector<std::pair<RecordPtr, const Outcome*>>& reported,
                 const std::vector<std::size_t>& bytes);
  /// The memory a kept record holds (itself and its strings' capacity).
  static std::size_t bytes_of(const Record& r);

 private:
  /// take() and take_copy(): `event` moved or copied into a kept record, else a new one.
  template <class E>
  RecordPtr take_for(E&& event, DeliveryCallback callback);

  const std::size_t max_records_;
  const std::size_t max_bytes_;
  std::mutex mutex_;
  // Each with its bytes_of(), so that take() does not read the record (last written by the
  // reporting thread, on another core) while it holds the lock.
  std::vector<std::pair<RecordPtr, std::size_t>> records_;
  std::size_t bytes_ = 0;
};

}  // namespace eventdest::detail
