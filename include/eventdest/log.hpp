// The logging hook: silent by default. Install a handler to see what the library reports
// (warnings such as disabled TLS verification, retries at debug level). Messages never contain
// secrets.
//
// Thread-safety: set_log_handler() may be called at any time from any thread; the handler may be
// called from any library thread, concurrently, and must be thread-safe.
#pragma once

#include <functional>
#include <string_view>

#include "eventdest/export.hpp"

namespace eventdest {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };
EVENTDEST_API const char* to_string(LogLevel level) noexcept;

using LogHandler = std::function<void(LogLevel level, std::string_view message)>;

/// Installs `handler` for messages at `min_level` and above; an empty handler silences the
/// library again.
EVENTDEST_API void set_log_handler(LogHandler handler, LogLevel min_level = LogLevel::info);

/// Logs through the installed handler (used by the library; available to adapters).
EVENTDEST_API void log(LogLevel level, std::string_view message);
/// True when a handler would receive `level` (to skip building messages nobody reads).
EVENTDEST_API bool log_enabled(LogLevel level) noexcept;

}  // namespace eventdest
