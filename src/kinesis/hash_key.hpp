// Kinesis hash keys: the 128-bit numbers that map records to shards. A record's hash key is the
// MD5 of its partition key read as a big-endian integer, or its ExplicitHashKey (decimal text).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eventdest::detail {

// GCC and Clang have a 128-bit integer; __extension__ keeps -Wpedantic quiet about it.
__extension__ typedef unsigned __int128 HashKey;

/// The hash key Kinesis gives `partition_key`.
HashKey hash_key_of_partition_key(std::string_view partition_key) noexcept;
/// Parses a decimal hash key (Kinesis' ExplicitHashKey syntax: digits only, 0..2^128-1).
std::optional<HashKey> parse_hash_key(std::string_view decimal) noexcept;
/// Empty if `text` is a valid ExplicitHashKey, else why not.
std::string check_explicit_hash_key(std::string_view text);
/// The decimal text of `key`.
std::string to_decimal(HashKey key);

}  // namespace eventdest::detail
