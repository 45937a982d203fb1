// Writes report lines straight to a file descriptor (stdout), so each report leaves the process
// as soon as it is printed, and remembers the first write error (EPIPE, ENOSPC, ...) instead of
// losing reports silently. Used from one thread at a time.
#pragma once

#include <sys/uio.h>

#include <atomic>
#include <cstddef>

namespace eventdest::cli {

class ReportWriter {
 public:
  explicit ReportWriter(int fd) : fd_(fd) {}
  /// Writes the concatenation of `count` parts whole (one writev where the pipe takes it all;
  /// `parts` is advanced in place). After a failure nothing more is written and each line whose
  /// newline was not written is counted as lost. Returns false once writing has failed.
  bool write(iovec* parts, std::size_t count);
  /// The errno of the first failed write, 0 if none. Safe from any thread.
  int error() const noexcept { return error_.load(); }
  /// Report lines that could not be written.
  std::size_t lost() const noexcept { return lost_.load(); }

 private:
  int fd_;
  std::atomic<int> error_{0};
  std::atomic<std::size_t> lost_{0};
};

}  // namespace eventdest::cli
