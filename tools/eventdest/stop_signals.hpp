// SIGINT/SIGTERM for `publish`: the handlers only record the signal and write a byte to a
// self-pipe, so a reader blocked in poll() wakes up at once. Other threads use the same pipe to
// wake the reader (e.g. when stdout broke). SIGPIPE is ignored: a closed stdout shows up as EPIPE.
#pragma once

namespace eventdest::cli {

class StopSignals {
 public:
  /// Installs the handlers (once per process); throws std::system_error if the pipe fails.
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// Readable when a signal arrived or wake() was called; for poll().
  int wake_fd() const noexcept;
  /// Wakes a poll() on wake_fd() without a signal.
  void wake() noexcept;
  /// Drains the pipe; returns how many SIGINT/SIGTERM arrived since the last call and, through
  /// `first`, the first of them (0 if none).
  int take(int& first) noexcept;
};

}  // namespace eventdest::cli
