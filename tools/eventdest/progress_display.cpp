#include "progress_display.hpp"

#include <algorithm>

namespace eventdest::cli {

ProgressDisplay::ProgressDisplay(std::FILE* out, std::size_t input_bytes)
    : out_(out), input_bytes_(input_bytes) {}

std::string ProgressDisplay::line(const Snapshot& s, std::size_t input_bytes, double rate,
                                  double seconds_left) {
  char buffer[256];
  int n = std::snprintf(buffer, sizeof buffer, "read %zu", s.read);
  std::string text(buffer, static_cast<std::size_t>(n));
  if (input_bytes > 0) {
    n = std::snprintf(buffer, sizeof buffer, " (%.0f%%)",
                      100.0 * static_cast<double>(s.bytes_read) / static_cast<double>(input_bytes));
    text.append(buffer, static_cast<std::size_t>(n));
  }
  n = std::snprintf(buffer, sizeof buffer,
                    " | delivered %zu, failed %zu, not matched %zu | retried %llu | in flight "
                    "%zu | %.0f events/s",
                    s.delivered, s.failed, s.not_matched,
                    static_cast<unsigned long long>(s.retried), s.in_flight, rate);
  text.append(buffer, static_cast<std::size_t>(n));
  if (seconds_left >= 0) {
    const long left = static_cast<long>(seconds_left + 0.5);
    n = std::snprintf(buffer, sizeof buffer, " | ETA %ld:%02ld", left / 60, left % 60);
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

void ProgressDisplay::update(const Snapshot& s) {
  if (out_ == nullptr) return;
  const auto now = Clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(250)) return;
  const std::size_t done = s.delivered + s.failed + s.not_matched;
  // The rate since the last drawing: what the destination does now, not its average.
  const double since =
      std::chrono::duration<double>(now - (drawn_ ? last_draw_ : started_)).count();
  const double rate = since > 0 ? static_cast<double>(done - last_done_) / since : 0.0;
  double left = -1;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  if (input_bytes_ > 0 && s.bytes_read > 0 && elapsed > 0) {
    const double remaining =
        static_cast<double>(input_bytes_ - std::min(input_bytes_, s.bytes_read));
    left = remaining / (static_cast<double>(s.bytes_read) / elapsed);
  }
  std::fprintf(out_, "\r%s\x1b[K", line(s, input_bytes_, rate, left).c_str());
  std::fflush(out_);
  last_draw_ = now;
  last_done_ = done;
  drawn_ = true;
}

void ProgressDisplay::clear() {
  if (out_ == nullptr || !drawn_) return;
  std::fprintf(out_, "\r\x1b[K");
  std::fflush(out_);
}

}  // namespace eventdest::cli
