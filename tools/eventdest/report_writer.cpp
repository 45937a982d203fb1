#include "report_writer.hpp"

#include <unistd.h>

#include <cerrno>

namespace eventdest::cli {

bool ReportWriter::write(const std::string& data, std::size_t lines) {
  std::size_t done = 0;
  while (error_.load() == 0 && done < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      error_ = errno;
    } else if (n == 0) {
      error_ = EIO;
    }
  }
  if (error_.load() != 0) {
    // Lines already written in full before the failure are not lost.
    std::size_t written = 0;
    for (std::size_t i = 0; i < done; ++i)
      if (data[i] == '\n') ++written;
    lost_ += lines - (written < lines ? written : lines);
    return false;
  }
  return true;
}

}  // namespace eventdest::cli
