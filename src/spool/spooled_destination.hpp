// A destination with a durable spool in front (`config.spool`): every accepted event is written
// to disk before publish() returns and released once it has its final report; what a previous
// run left is replayed first. Works for every destination type: it wraps the type's destination.
#pragma once

#include <memory>

#include "eventdest/destination.hpp"
#include "eventdest/spec.hpp"
#include "util/adapter_export.hpp"

namespace eventdest::detail {

/// `destination` itself when `options.spool` is not set, else the spooled destination around it.
/// Throws ConfigError (`config.spool.dir`) when the spool cannot be opened (in use, not
/// writable).
EVENTDEST_ADAPTER_API std::unique_ptr<Destination> with_spool(
    std::unique_ptr<Destination> destination, const DeliveryOptions& options);

}  // namespace eventdest::detail
