// CRC-32C (Castagnoli), the checksum of the spool's records: it catches torn writes and flipped
// bits in segment files.
#pragma once

#include <cstdint>
#include <string_view>

namespace eventdest::detail {

/// The CRC-32C of `bytes`, continuing from `crc` (0 to start).
/// Uses the CPU's crc32 instruction where there is one.
std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0) noexcept;
/// The same with tables only (tests compare the two).
std::uint32_t crc32c_portable(std::string_view bytes, std::uint32_t crc = 0) noexcept;

}  // namespace eventdest::detail
