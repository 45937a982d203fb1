#include "line_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace eventdest::cli {

LineReader LineReader::open(const std::optional<std::string>& path) {
  if (!path || *path == "-") return LineReader(STDIN_FILENO, false, "standard input");
  const int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot read " + *path + ": " + std::strerror(errno));
  struct stat st = {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error("cannot read " + *path + ": it is a directory");
  }
  return LineReader(fd, true, *path);
}

LineReader::LineReader(int fd, bool owned, std::string name)
    : fd_(fd), owned_(owned), name_(std::move(name)) {
  struct stat st = {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) size_ = static_cast<std::size_t>(st.st_size);
}

LineReader::LineReader(LineReader&& o) noexcept
    : fd_(o.fd_),
      owned_(o.owned_),
      name_(std::move(o.name_)),
      buffer_(std::move(o.buffer_)),
      start_(o.start_),
      at_start_(o.at_start_),
      eof_(o.eof_),
      lines_(o.lines_),
      bytes_read_(o.bytes_read_.load()),
      size_(o.size_),
      error_(std::move(o.error_)) {
  o.owned_ = false;
}

LineReader::~LineReader() {
  if (owned_) ::close(fd_);
}

bool LineReader::fill(int wake_fd, Result& stop) {
  if (wake_fd >= 0) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    int n;
    while ((n = ::poll(fds, 2, -1)) < 0 && errno == EINTR) {
    }
    if (n > 0 && (fds[1].revents & POLLIN)) {
      stop = Result::woken;
      return false;
    }
  }
  if (start_ > 0) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  char chunk[65536];
  ssize_t n;
  while ((n = ::read(fd_, chunk, sizeof chunk)) < 0 && errno == EINTR) {
  }
  if (n < 0) {
    error_ = "cannot read " + name_ + ": " + std::strerror(errno);
    stop = Result::error;
    return false;
  }
  if (n == 0) {
    eof_ = true;
    return true;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

LineReader::Result LineReader::next(std::string_view& line, int wake_fd) {
  while (true) {
    if (at_start_) {
      static const char kBom[] = "\xEF\xBB\xBF";
      const std::size_t have = buffer_.size() - start_;
      const std::size_t cmp = have < 3 ? have : 3;
      if (buffer_.compare(start_, cmp, kBom, cmp) != 0) {
        at_start_ = false;  // no BOM
      } else if (have >= 3) {
        start_ += 3;
        at_start_ = false;
      } else if (eof_) {
        at_start_ = false;  // a prefix of a BOM and nothing more: an (invalid) line
      }
    }
    if (!at_start_) {
      const std::size_t nl = buffer_.find('\n', start_);
      if (nl != std::string::npos) {
        line = std::string_view(buffer_).substr(start_, nl - start_);
        start_ = nl + 1;
        ++lines_;
        bytes_read_.fetch_add(line.size() + 1, std::memory_order_relaxed);
        return Result::line;
      }
      if (eof_) {
        if (start_ == buffer_.size()) return Result::eof;
        line = std::string_view(buffer_).substr(start_);
        start_ = buffer_.size();
        ++lines_;
        bytes_read_.fetch_add(line.size(), std::memory_order_relaxed);
        return Result::line;
      }
    }
    Result stop = Result::eof;
    if (!fill(wake_fd, stop)) return stop;
  }
}

}  // namespace eventdest::cli
