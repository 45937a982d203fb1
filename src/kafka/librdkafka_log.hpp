// The library's log level for a line of librdkafka's own log.
#pragma once

#include <string_view>

#include "eventdest/log.hpp"

namespace eventdest::detail {

/// `syslog_level` is librdkafka's (0 emergency .. 7 debug): 3 and below are errors, 4 and 5
/// warnings, 6 info, the rest debug. Lines librdkafka logs as warnings about a state it retries
/// out of at once and that a healthy cluster passes through are info.
LogLevel librdkafka_log_level(int syslog_level, std::string_view facility,
                              std::string_view message) noexcept;

}  // namespace eventdest::detail
