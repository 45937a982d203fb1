// Walking already validated JSON text without parsing it: the exact bytes of a member, so the
// publisher's JSON reaches the destination byte for byte (a DOM round trip would re-serialise it).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace eventdest::detail {

std::size_t skip_json_whitespace(std::string_view text, std::size_t i);
/// The index just past the string literal starting at text[i] == '"'.
std::size_t skip_json_string(std::string_view text, std::size_t i);
/// The index just past the JSON value starting at text[i].
std::size_t skip_json_value(std::string_view text, std::size_t i);
/// The exact bytes of the top-level member `name` of `text`, a valid JSON object. Keys written
/// with escapes (e.g. "d\u0061ta") are decoded before comparing.
std::optional<std::string_view> find_json_member(std::string_view text, std::string_view name);

}  // namespace eventdest::detail
