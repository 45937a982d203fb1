// Which malloc the CLI runs on, for `eventdest --version`: the CLI links jemalloc when the build
// found it (EVENTDEST_CLI_JEMALLOC), as librdkafka allocates several blocks per Kafka message.
//
// Thread-safety: allocator_description() may be called from any thread.
#pragma once

#include <string>

namespace eventdest::cli {

/// "jemalloc 5.3.0-…" when jemalloc serves this process's malloc; "jemalloc … (linked but not
/// serving malloc)" when it is linked but malloc resolved elsewhere; else "the C library's malloc".
std::string allocator_description();

}  // namespace eventdest::cli
