// MD5 (RFC 1321). Not for security: Kinesis maps partition keys to shards by their MD5, and the
// KPL aggregation format closes each aggregated record with the MD5 of its protobuf.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace eventdest::detail {

using Md5Digest = std::array<std::uint8_t, 16>;

/// The digest of `bytes` (one call; the inputs here are small keys or one aggregated record).
Md5Digest md5(std::string_view bytes) noexcept;

}  // namespace eventdest::detail
