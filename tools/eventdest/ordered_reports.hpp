// Reports arrive on library threads in any order; they are printed in input order so line N of
// the output is the report for event N. Each slot takes the first report set for it. At most
// `max_pending` slots wait to be printed: one slow event ahead of many fast ones holds the
// reader (wait_for_room) instead of memory growing with every later report.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "eventdest/destination.hpp"
#include "report_writer.hpp"

namespace eventdest::cli {

class OrderedReports {
 public:
  explicit OrderedReports(std::size_t max_pending) : max_pending_(max_pending) {}

  /// Waits up to `d` until fewer than max_pending slots wait to be printed; true if so.
  bool wait_for_room(std::chrono::milliseconds d);
  /// A slot for the event read from input line `line`.
  std::size_t reserve(std::size_t line);
  /// Fills the slot; a second report for the same slot is ignored. `interrupted`: the report
  /// is a failed `interrupted` one (counted, and its input line kept for the summary).
  void set(std::size_t slot, std::string report, DeliveryStatus status, bool interrupted = false);
  /// Writes the ready prefix to `out`; returns how many reports are still missing.
  std::size_t print_ready(ReportWriter& out);
  /// Gives every slot still without a report the `interrupted` report `make(input line)`;
  /// returns how many.
  std::size_t fill_missing(const std::function<std::string(std::size_t line)>& make);
  /// Waits up to `d` for a report set since the last print_ready() (or a wake()).
  void wait_for_change(std::chrono::milliseconds d);
  void wake();

  std::size_t delivered() const;
  std::size_t failed() const;
  std::size_t not_matched() const;
  std::size_t interrupted() const;
  /// The input line of the first event reported `interrupted` (0 if none).
  std::size_t first_interrupted_line() const;

 private:
  struct Slot {
    std::size_t line = 0;
    std::optional<std::string> report;
  };
  const std::size_t max_pending_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::condition_variable room_cv_;
  std::deque<Slot> pending_;
  std::atomic<std::size_t> pending_size_{0};  ///< pending_.size(), read without the lock
  std::size_t base_ = 0;
  std::size_t delivered_ = 0, failed_ = 0, not_matched_ = 0, interrupted_ = 0;
  std::size_t first_interrupted_line_ = 0;
  std::size_t changes_ = 0, seen_ = 0;  ///< reports set / seen by the printer
  bool printer_signalled_ = false;      ///< woken since its last printing round
};

}  // namespace eventdest::cli
