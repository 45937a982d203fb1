#include "eventdest/log.hpp"

#include <atomic>
#include <memory>
#include <mutex>

namespace eventdest {
namespace {

struct Sink {
  LogHandler handler;
  LogLevel min_level;
};

// Readers take a shared_ptr copy, so a handler being replaced is never destroyed mid-call.
std::mutex sink_mutex;
std::shared_ptr<const Sink> sink;
std::atomic<int> enabled_from{100};  // > every level: silent

std::shared_ptr<const Sink> current_sink() {
  std::lock_guard<std::mutex> lock(sink_mutex);
  return sink;
}

}  // namespace

const char* to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "unknown";
}

void set_log_handler(LogHandler handler, LogLevel min_level) {
  std::lock_guard<std::mutex> lock(sink_mutex);
  if (handler) {
    sink = std::make_shared<const Sink>(Sink{std::move(handler), min_level});
    enabled_from = static_cast<int>(min_level);
  } else {
    sink.reset();
    enabled_from = 100;
  }
}

bool log_enabled(LogLevel level) noexcept {
  return static_cast<int>(level) >= enabled_from.load(std::memory_order_relaxed);
}

void log(LogLevel level, std::string_view message) {
  if (!log_enabled(level)) return;
  auto s = current_sink();
  if (!s || level < s->min_level) return;
  try {
    s->handler(level, message);
  } catch (...) {
    // A failing log handler must not break delivery.
  }
}

}  // namespace eventdest
