// Standard padded base64 (RFC 4648 §4), as Kinesis' Data field and REST Proxy header values need.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace eventdest::detail {

/// The length of the base64 text for `n` bytes.
constexpr std::size_t base64_size(std::size_t n) {
  return (n + 2) / 3 * 4;
}
/// Writes the base64 text of `bytes` (exactly base64_size(bytes.size()) characters) at `out`;
/// returns the end. For callers that lay out a whole record in one buffer.
char* encode_base64(std::string_view bytes, char* out);
void append_base64(std::string& out, std::string_view bytes);
/// append_base64 with the AVX2 path allowed or not (tests compare the two).
void append_base64_portable(std::string& out, std::string_view bytes, bool allow_simd);
std::string base64(std::string_view bytes);
/// Decodes padded standard base64; false on any invalid input (wrong alphabet, bad padding).
bool decode_base64(std::string_view text, std::string& out);

}  // namespace eventdest::detail
