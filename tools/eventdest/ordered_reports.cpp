#include "ordered_reports.hpp"

#include <cstring>

namespace eventdest::cli {
namespace {

// memchr rather than std::count: every report passes here, and memchr is vectorised.
std::size_t count_newlines(const std::string& text) {
  std::size_t n = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) {
    ++n;
    ++p;
  }
  return n;
}

}  // namespace

bool OrderedReports::wait_for_room(std::chrono::milliseconds d) {
  // Asked before every input line: no lock while there is room. Only the reader adds slots, so
  // a stale size can only be too large, which the locked wait below settles.
  if (pending_size_.load(std::memory_order_relaxed) < max_pending_) return true;
  std::unique_lock<std::mutex> lock(mutex_);
  return room_cv_.wait_for(lock, d, [this] { return pending_.size() < max_pending_; });
}

std::size_t OrderedReports::reserve(std::size_t line) {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.push_back(Slot{line, std::nullopt});
  pending_size_.store(pending_.size(), std::memory_order_relaxed);
  return base_ + pending_.size() - 1;
}

void OrderedReports::set(std::size_t slot, std::string report, DeliveryStatus status,
                         bool interrupted) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (slot < base_) return;  // already printed: its first report won
  Slot& s = pending_[slot - base_];
  if (s.report) return;
  s.report = std::move(report);
  switch (status) {
    case DeliveryStatus::delivered:
      ++delivered_;
      break;
    case DeliveryStatus::failed:
      ++failed_;
      break;
    case DeliveryStatus::not_matched:
      ++not_matched_;
      break;
  }
  if (interrupted) {
    ++interrupted_;
    if (first_interrupted_line_ == 0 || s.line < first_interrupted_line_)
      first_interrupted_line_ = s.line;
  }
  ++changes_;
  // Only the earliest missing report lets the printer go on, and one wake-up per printing round
  // is enough: later reports are printed by the round that wakes up.
  if (slot == base_ && !printer_signalled_) {
    printer_signalled_ = true;
    cv_.notify_all();
  }
}

std::size_t OrderedReports::fill_missing(const std::function<std::string(std::size_t line)>& make) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t filled = 0;
  for (auto& s : pending_) {
    if (s.report) continue;
    s.report = make(s.line);
    ++failed_;
    ++interrupted_;
    if (first_interrupted_line_ == 0 || s.line < first_interrupted_line_)
      first_interrupted_line_ = s.line;
    ++filled;
  }
  ++changes_;
  cv_.notify_all();
  return filled;
}

void OrderedReports::wake() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++changes_;
  cv_.notify_all();
}

std::size_t OrderedReports::print_ready(ReportWriter& out) {
  std::string ready;
  std::size_t lines = 0;
  std::size_t popped = 0;
  std::size_t missing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    while (!pending_.empty() && pending_.front().report) {
      // An empty report prints nothing (an event no destination of a router took); a report
      // may hold several lines (one per destination).
      const std::string& report = *pending_.front().report;
      if (!report.empty()) {
        ready += report;
        ready += '\n';
        lines += 1 + count_newlines(report);
      }
      pending_.pop_front();
      ++base_;
      ++popped;
    }
    missing = pending_.size();
    pending_size_.store(missing, std::memory_order_relaxed);
    seen_ = changes_;
    printer_signalled_ = false;
  }
  if (popped > 0) room_cv_.notify_all();
  // Written outside the lock: a slow reader of stdout never blocks the library's callbacks.
  if (lines > 0) out.write(ready, lines);
  return missing;
}

void OrderedReports::wait_for_change(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, d, [this] { return changes_ != seen_; });
}

std::size_t OrderedReports::delivered() const {
  std::lock_guard<std::mutex> l(mutex_);
  return delivered_;
}
std::size_t OrderedReports::failed() const {
  std::lock_guard<std::mutex> l(mutex_);
  return failed_;
}
std::size_t OrderedReports::not_matched() const {
  std::lock_guard<std::mutex> l(mutex_);
  return not_matched_;
}
std::size_t OrderedReports::interrupted() const {
  std::lock_guard<std::mutex> l(mutex_);
  return interrupted_;
}
std::size_t OrderedReports::first_interrupted_line() const {
  std::lock_guard<std::mutex> l(mutex_);
  return first_interrupted_line_;
}

}  // namespace eventdest::cli
