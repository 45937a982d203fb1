// Small JSON helpers used across the library: building JSON text directly into a std::string
// (the hot paths build request bodies without a DOM).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace eventdest::detail {

/// Appends `s` as a JSON string literal (quotes included) to `out`.
void append_json_string(std::string& out, std::string_view s);
/// `s` as a JSON string literal.
std::string json_string(std::string_view s);
/// Compact JSON text of `v`.
std::string compact_json(const rapidjson::Value& v);

}  // namespace eventdest::detail
