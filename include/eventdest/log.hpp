// The logging hook: silent by default. Install a handler to see what the library reports
// (warnings such as disabled TLS verification, retries at debug level). Messages never contain
// secrets.
//
// Thread-safety: set_log_handler() may be called at any time from any thread; the handler may be
// called from any library thread, concurrently, and must be thread-safe.
#pragma once

#include <functional>
#include <string_view>

namespace eventdest {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };
const char* to_string(LogLevel level) noexcept;

using LogHandler = std::function<void(LogLevel level, std::string_view message)>;

/// Installs `handler` for messages at `min_level` and above; an empty handler silences the
/// library again.
void set_log_handler(LogHandler handler, LogLevel min_level = LogLevel::info);

/// Logs through the installed handler (used by the library; available to adapters).
void log(LogLevel level, std::string_view message);
/// True when a handler would receive `level` (to skip building messages nobody reads).
bool log_enabled(LogLevel level) noexcept;

}  // namespace eventdest
