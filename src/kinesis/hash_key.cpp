#include "kinesis/hash_key.hpp"

#include <algorithm>

#include "util/md5.hpp"

namespace eventdest::detail {

HashKey hash_key_of_partition_key(std::string_view partition_key) noexcept {
  const Md5Digest digest = md5(partition_key);
  HashKey key = 0;
  for (std::uint8_t byte : digest)
    key = key << 8 | byte;
  return key;
}

std::optional<HashKey> parse_hash_key(std::string_view decimal) noexcept {
  // 2^128 - 1 has 39 digits; more (even with leading zeros) is refused, as Kinesis does.
  if (decimal.empty() || decimal.size() > 39) return std::nullopt;
  constexpr HashKey kMax = ~HashKey(0);
  HashKey key = 0;
  for (char c : decimal) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<unsigned>(c - '0');
    if (key > (kMax - digit) / 10) return std::nullopt;
    key = key * 10 + digit;
  }
  return key;
}

std::string check_explicit_hash_key(std::string_view text) {
  if (parse_hash_key(text)) return {};
  return "explicit hash key \"" + std::string(text.substr(0, 64)) +
         (text.size() > 64 ? "..." : "") + "\" is not a decimal number from 0 to 2^128-1";
}

std::string to_decimal(HashKey key) {
  std::string out;
  do {
    out += static_cast<char>('0' + static_cast<int>(key % 10));
    key /= 10;
  } while (key != 0);
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace eventdest::detail
