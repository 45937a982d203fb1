// librdkafka error codes to the eventdest error model.
#pragma once

#include <librdkafka/rdkafka.h>

#include "eventdest/error.hpp"

namespace eventdest::detail {

/// The errc for a failed delivery report or produce call.
errc kafka_errc(rd_kafka_resp_err_t err) noexcept;

}  // namespace eventdest::detail
