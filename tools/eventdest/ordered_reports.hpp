// Reports arrive on library threads in any order; they are printed in input order so line N of
// the output is the report for event N. Each slot takes the first report set for it. At most
// `max_pending` slots wait to be printed: one slow event ahead of many fast ones holds the
// reader (wait_for_room) instead of memory growing with every later report.
//
// A ring of `max_pending` cells (allocated in chunks as first used) with an atomic state per
// cell, so the reader, the report threads and the printer share no lock: a lock shared by all
// three cost the CLI a futex call in about one report of eight (perf, Kinesis sink). Locks are
// taken only to sleep and to wake a sleeper.
//
// Thread-safety: reserve() and wait_for_room() from one thread at a time (the reader);
// set()/set_with() from any thread; print_ready() and wait_for_change() from one thread (the
// printer); the counters from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "eventdest/destination.hpp"
#include "report_writer.hpp"

namespace eventdest::cli {

class OrderedReports {
 public:
  explicit OrderedReports(std::size_t max_pending);

  /// Waits up to `d` until fewer than max_pending slots wait to be printed; true if so.
  bool wait_for_room(std::chrono::milliseconds d);
  /// A slot for the event read from input line `line`. Only after wait_for_room() said true.
  std::size_t reserve(std::size_t line);
  /// Fills the slot with the text `write(text)` appends to an empty string (a report of one
  /// or more lines, without the final newline; empty: nothing is printed). A second report for
  /// the same slot is ignored (`write` is not called). `interrupted`: the report is a failed
  /// `interrupted` one (counted, and its input line kept for the summary).
  template <class Write>
  void set_with(std::size_t slot, DeliveryStatus status, bool interrupted, Write&& write) {
    Cell* cell = claim(slot);
    if (cell == nullptr) return;
    try {
      write(cell->text);
    } catch (...) {
      // Out of memory while formatting: the slot still gets a line, or the printer would wait
      // for it forever.
      unformatted(slot, *cell);
      throw;
    }
    publish(slot, *cell, status, interrupted);
  }
  void set(std::size_t slot, std::string report, DeliveryStatus status, bool interrupted = false) {
    set_with(slot, status, interrupted, [&report](std::string& text) { text = std::move(report); });
  }
  struct Printed {
    std::size_t printed;  ///< slots printed by this call
    std::size_t missing;  ///< slots still waiting for their report
  };
  /// Writes the ready prefix to `out` (after a write error: counts it as lost).
  Printed print_ready(ReportWriter& out);
  /// Gives every slot still without a report the `interrupted` report `make(input line)`;
  /// returns how many. Call once no report can arrive any more.
  std::size_t fill_missing(const std::function<std::string(std::size_t line)>& make);
  /// Waits up to `d` until the next report to print is in (or wake() is called).
  void wait_for_change(std::chrono::milliseconds d);
  void wake();

  std::size_t delivered() const { return delivered_.load(std::memory_order_relaxed); }
  std::size_t failed() const { return failed_.load(std::memory_order_relaxed); }
  std::size_t not_matched() const { return not_matched_.load(std::memory_order_relaxed); }
  std::size_t interrupted() const { return interrupted_.load(std::memory_order_relaxed); }
  /// The input line of the first event reported `interrupted` (0 if none).
  std::size_t first_interrupted_line() const;

 private:
  // A cell's state is its slot number times four plus its phase, so a late second report for a
  // slot printed long ago (its cell now holding a later slot) finds another number and is ignored.
  enum Phase : std::uint64_t { kEmpty = 0, kWriting = 1, kReady = 2 };
  struct Cell {
    std::atomic<std::uint64_t> state{~std::uint64_t{0}};
    std::size_t line = 0;
    std::string text;  ///< the report and its newline, until printed
  };
  static constexpr std::size_t kChunk = 1024;

  Cell& cell(std::size_t slot) const;
  /// The slot's cell if this caller is the first to report it, else null.
  Cell* claim(std::size_t slot);
  void publish(std::size_t slot, Cell& cell, DeliveryStatus status, bool interrupted);
  void unformatted(std::size_t slot, Cell& cell) noexcept;
  bool next_ready() const;

  const std::size_t capacity_;  ///< max_pending rounded up to whole chunks
  const std::size_t max_pending_;
  std::vector<std::unique_ptr<Cell[]>> chunks_;
  std::atomic<std::size_t> reserved_{0};  ///< slots handed out (written by the reader)
  std::atomic<std::size_t> printed_{0};   ///< slots printed (written by the printer)

  std::atomic<std::size_t> delivered_{0}, failed_{0}, not_matched_{0}, interrupted_{0};
  mutable std::mutex first_interrupted_mutex_;
  std::size_t first_interrupted_line_ = 0;

  // Sleeping and waking: a sleeper sets its flag and re-checks before it waits; a waker that
  // sees the flag takes the mutex to notify, so no wake-up is lost and none costs a system call
  // while nobody sleeps.
  std::mutex sleep_mutex_;
  std::condition_variable printer_cv_;
  std::condition_variable reader_cv_;
  std::atomic<bool> printer_sleeping_{false};
  std::atomic<bool> reader_sleeping_{false};
  bool wake_requested_ = false;  ///< under sleep_mutex_
};

}  // namespace eventdest::cli
