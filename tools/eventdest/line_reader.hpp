// Reads input lines from a file descriptor without blocking a reaction to signals: it waits in
// poll() on the input and on a wake-up fd (StopSignals' self-pipe). A UTF-8 byte order mark at
// the start of the input is dropped. A last line without a newline is still a line.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace eventdest::cli {

class LineReader {
 public:
  enum class Result {
    line,   ///< `line` views the next line, without its '\n', until the next call
    eof,    ///< the input ended
    woken,  ///< the wake-up fd became readable (nothing was consumed)
    error   ///< reading failed; see error()
  };

  /// Opens --input (stdin when absent or "-"). Throws std::runtime_error naming the file when it
  /// cannot be opened or is a directory.
  static LineReader open(const std::optional<std::string>& path);
  /// Reads `fd`, closing it at the end when `owned`; `name` appears in error messages.
  LineReader(int fd, bool owned, std::string name);
  ~LineReader();
  LineReader(LineReader&& other) noexcept;
  LineReader& operator=(LineReader&&) = delete;
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  /// Waits for the next line, or until `wake_fd` (when >= 0) is readable. `line` views the
  /// reader's buffer (no copy per line): valid until the next call.
  Result next(std::string_view& line, int wake_fd = -1);
  /// Complete lines returned so far.
  std::size_t lines() const noexcept { return lines_; }
  /// Bytes of the lines returned so far, newlines included (any thread may ask).
  std::size_t bytes_read() const noexcept { return bytes_read_.load(std::memory_order_relaxed); }
  /// The input's size when it is a regular file, else 0.
  std::size_t size() const noexcept { return size_; }
  /// After Result::error: "cannot read NAME: reason".
  const std::string& error() const noexcept { return error_; }

 private:
  bool fill(int wake_fd, Result& stop);

  int fd_;
  bool owned_;
  std::string name_;
  std::string buffer_;
  std::size_t start_ = 0;  ///< first unconsumed byte of buffer_
  bool at_start_ = true;   ///< nothing read yet: a BOM may follow
  bool eof_ = false;
  std::size_t lines_ = 0;
  std::atomic<std::size_t> bytes_read_{0};
  std::size_t size_ = 0;
  std::string error_;
};

}  // namespace eventdest::cli
