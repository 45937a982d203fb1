#include "ordered_reports.hpp"

#include <sys/uio.h>

#include "failed_line_report.hpp"

namespace eventdest::cli {
namespace {

// Reports per writev (Linux's IOV_MAX).
constexpr std::size_t kMaxParts = 1024;

}  // namespace

OrderedReports::OrderedReports(std::size_t max_pending)
    : capacity_((max_pending + kChunk - 1) / kChunk * kChunk),
      max_pending_(max_pending),
      chunks_(capacity_ / kChunk) {}

OrderedReports::Cell& OrderedReports::cell(std::size_t slot) const {
  const std::size_t at = slot % capacity_;
  return chunks_[at / kChunk][at % kChunk];
}

bool OrderedReports::wait_for_room(std::chrono::milliseconds d) {
  // Asked before every input line: no lock while there is room.
  const auto room = [this] {
    return reserved_.load(std::memory_order_relaxed) - printed_.load() < max_pending_;
  };
  if (room()) return true;
  reader_sleeping_.store(true);
  std::unique_lock<std::mutex> lock(sleep_mutex_);
  const bool ok = reader_cv_.wait_for(lock, d, room);
  reader_sleeping_.store(false, std::memory_order_relaxed);
  return ok;
}

std::size_t OrderedReports::reserve(std::size_t line) {
  const std::size_t slot = reserved_.load(std::memory_order_relaxed);
  const std::size_t at = slot % capacity_;
  auto& chunk = chunks_[at / kChunk];
  if (!chunk) chunk.reset(new Cell[kChunk]);
  Cell& c = chunk[at % kChunk];
  c.line = line;
  c.state.store(slot * 4 + kEmpty, std::memory_order_release);
  reserved_.store(slot + 1, std::memory_order_release);
  return slot;
}

OrderedReports::Cell* OrderedReports::claim(std::size_t slot) {
  Cell& c = cell(slot);
  std::uint64_t expected = slot * 4 + kEmpty;
  if (!c.state.compare_exchange_strong(expected, slot * 4 + kWriting, std::memory_order_acquire,
                                       std::memory_order_relaxed))
    return nullptr;  // reported already (or printed, and the cell holds a later slot)
  c.text.clear();
  return &c;
}

void OrderedReports::publish(std::size_t slot, Cell& c, DeliveryStatus status, bool interrupted) {
  if (!c.text.empty()) {
    try {
      c.text += '\n';
    } catch (...) {  // out of memory: a line without its newline would join the next one
      c.text.clear();
    }
  }
  switch (status) {
    case DeliveryStatus::delivered:
      delivered_.fetch_add(1, std::memory_order_relaxed);
      break;
    case DeliveryStatus::failed:
      failed_.fetch_add(1, std::memory_order_relaxed);
      break;
    case DeliveryStatus::not_matched:
      not_matched_.fetch_add(1, std::memory_order_relaxed);
      break;
  }
  if (interrupted) {
    interrupted_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(first_interrupted_mutex_);
    if (first_interrupted_line_ == 0 || c.line < first_interrupted_line_)
      first_interrupted_line_ = c.line;
  }
  c.state.store(slot * 4 + kReady);
  // Only the earliest missing report lets a sleeping printer go on.
  if (printer_sleeping_.load() && slot == printed_.load(std::memory_order_relaxed)) {
    std::lock_guard<std::mutex> lock(sleep_mutex_);
    printer_cv_.notify_one();
  }
}

void OrderedReports::unformatted(std::size_t slot, Cell& c) noexcept {
  try {
    c.text = failed_line_report(c.line, "internal", "the report could not be formatted");
  } catch (...) {
    c.text.clear();  // not even that: the failed count says it
  }
  publish(slot, c, DeliveryStatus::failed, false);  // does not throw when not interrupted
}

bool OrderedReports::next_ready() const {
  const std::size_t slot = printed_.load(std::memory_order_relaxed);
  return slot < reserved_.load(std::memory_order_acquire) &&
         cell(slot).state.load() == slot * 4 + kReady;
}

OrderedReports::Printed OrderedReports::print_ready(ReportWriter& out) {
  const std::size_t first = printed_.load(std::memory_order_relaxed);
  std::size_t slot = first;
  iovec parts[kMaxParts];
  while (true) {
    const std::size_t reserved = reserved_.load(std::memory_order_acquire);
    const std::size_t from = slot;
    std::size_t count = 0;
    while (slot < reserved && count < kMaxParts) {
      Cell& c = cell(slot);
      if (c.state.load(std::memory_order_acquire) != slot * 4 + kReady) break;
      // An empty report prints nothing (an event no destination of a router took); a report
      // may hold several lines (one per destination).
      if (!c.text.empty()) {
        parts[count++] = iovec{c.text.data(), c.text.size()};
      }
      ++slot;
    }
    if (slot == from) break;
    // Written before the cells are given back; a slow reader of stdout holds the printer, never
    // the library's report threads.
    if (count > 0) out.write(parts, count);
    // Printed texts are freed, not kept for the cell's next slot: a long run goes round the
    // whole ring, and kept buffers would hold max_pending reports' memory however few are
    // in flight (85 MB instead of 23 MB peak for 200k events).
    for (std::size_t s = from; s < slot; ++s)
      std::string().swap(cell(s).text);
    printed_.store(slot);
    if (reader_sleeping_.load()) {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      reader_cv_.notify_one();
    }
  }
  return Printed{slot - first, reserved_.load(std::memory_order_acquire) - slot};
}

std::size_t OrderedReports::fill_missing(const std::function<std::string(std::size_t line)>& make) {
  std::size_t filled = 0;
  const std::size_t reserved = reserved_.load(std::memory_order_acquire);
  for (std::size_t slot = printed_.load(); slot < reserved; ++slot) {
    Cell* c = claim(slot);
    if (c == nullptr) continue;
    c->text = make(c->line);
    publish(slot, *c, DeliveryStatus::failed, true);
    ++filled;
  }
  return filled;
}

void OrderedReports::wait_for_change(std::chrono::milliseconds d) {
  printer_sleeping_.store(true);
  std::unique_lock<std::mutex> lock(sleep_mutex_);
  printer_cv_.wait_for(lock, d, [this] { return wake_requested_ || next_ready(); });
  wake_requested_ = false;
  printer_sleeping_.store(false, std::memory_order_relaxed);
}

void OrderedReports::wake() {
  std::lock_guard<std::mutex> lock(sleep_mutex_);
  wake_requested_ = true;
  printer_cv_.notify_one();
}

std::size_t OrderedReports::first_interrupted_line() const {
  std::lock_guard<std::mutex> lock(first_interrupted_mutex_);
  return first_interrupted_line_;
}

}  // namespace eventdest::cli
