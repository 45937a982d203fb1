// The one-line progress display of `publish` on a terminal: events read (and the share of a file
// input), outcomes so far, events in flight, the recent rate and, for a file, the time left.
// Redrawn in place ("\r", erase to the end of the line), at most four times a second.
//
// Thread-safety: used by one thread (the report printer).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace eventdest::cli {

class ProgressDisplay {
 public:
  struct Snapshot {
    std::size_t read = 0;       ///< events read from the input
    std::size_t delivered = 0;  ///< reports so far, by outcome
    std::size_t failed = 0;
    std::size_t not_matched = 0;
    std::uint64_t retried = 0;   ///< attempts retried (the destination's metric)
    std::size_t in_flight = 0;   ///< events without a report yet
    std::size_t bytes_read = 0;  ///< input bytes read so far
  };

  /// `out` null: disabled (every call does nothing). `input_bytes`: the size of a file input,
  /// 0 when unknown (a pipe): then no percentage or time left.
  ProgressDisplay(std::FILE* out, std::size_t input_bytes);

  /// Redraws when the last drawing is at least 250 ms old.
  void update(const Snapshot& s);
  /// Erases the line (before the summary is printed).
  void clear();

  /// The text of one line for `s`, `rate` events/s (reports per second) and `seconds_left`
  /// (negative: unknown). Public for tests.
  static std::string line(const Snapshot& s, std::size_t input_bytes, double rate,
                          double seconds_left);

 private:
  using Clock = std::chrono::steady_clock;
  std::FILE* out_;
  std::size_t input_bytes_;
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_draw_{};
  std::size_t last_done_ = 0;
  bool drawn_ = false;
};

}  // namespace eventdest::cli
