#include "report_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace eventdest::cli {
namespace {

std::size_t count_newlines(const char* p, std::size_t size) {
  std::size_t n = 0;
  const char* const end = p + size;
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) {
    ++n;
    ++p;
  }
  return n;
}

}  // namespace

bool ReportWriter::write(iovec* parts, std::size_t count) {
  std::size_t at = 0;  // the first part not written in full (advanced in place)
  while (error_.load() == 0 && at < count) {
    const ssize_t n = ::writev(fd_, parts + at, static_cast<int>(count - at));
    if (n < 0) {
      if (errno != EINTR) error_ = errno;
      continue;
    }
    if (n == 0) {
      error_ = EIO;
      continue;
    }
    auto left = static_cast<std::size_t>(n);
    while (at < count && left >= parts[at].iov_len)
      left -= parts[at++].iov_len;
    if (left > 0) {
      parts[at].iov_base = static_cast<char*>(parts[at].iov_base) + left;
      parts[at].iov_len -= left;
    }
  }
  if (at == count) return true;
  // A line is lost unless its newline was written.
  std::size_t lost = 0;
  for (; at < count; ++at)
    lost += count_newlines(static_cast<const char*>(parts[at].iov_base), parts[at].iov_len);
  lost_ += lost;
  return false;
}

}  // namespace eventdest::cli
