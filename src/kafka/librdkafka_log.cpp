#include "kafka/librdkafka_log.hpp"

namespace eventdest::detail {

LogLevel librdkafka_log_level(int syslog_level, std::string_view facility,
                              std::string_view message) noexcept {
  // A broker that has just started answers the idempotent producer's id request so until its
  // transaction state is loaded (a second or so); librdkafka asks again. Shown as a warning it
  // read like a fault at every first publish to a fresh broker (the demo's did).
  if (facility == "GETPID" &&
      message.find("Coordinator load in progress") != std::string_view::npos)
    return LogLevel::info;
  return syslog_level <= 3   ? LogLevel::error
         : syslog_level <= 5 ? LogLevel::warning
         : syslog_level == 6 ? LogLevel::info
                             : LogLevel::debug;
}

}  // namespace eventdest::detail
