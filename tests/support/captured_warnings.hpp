// Captures the library's warnings (set_log_handler) for the length of a test.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "eventdest/log.hpp"

namespace eventdest::test {

struct CapturedWarnings {
  CapturedWarnings() {
    set_log_handler(
        [this](LogLevel level, std::string_view message) {
          if (level != LogLevel::warning) return;
          std::lock_guard<std::mutex> lock(mutex);
          lines.emplace_back(message);
        },
        LogLevel::warning);
  }
  ~CapturedWarnings() { set_log_handler(nullptr); }
  std::vector<std::string> get() {
    std::lock_guard<std::mutex> lock(mutex);
    return lines;
  }
  std::mutex mutex;
  std::vector<std::string> lines;
};

}  // namespace eventdest::test
