// Names the calling thread (shown by top -H, gdb, perf): eventdest's own threads are then easy
// to tell apart from the application's. Linux limits names to 15 characters.
#pragma once

#include "util/adapter_export.hpp"

namespace eventdest::detail {

EVENTDEST_ADAPTER_API void set_thread_name(const char* name) noexcept;

}  // namespace eventdest::detail
