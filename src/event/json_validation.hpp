// Checks of event JSON beyond RapidJSON's parse: decoded strings that are not valid Unicode, NUL
// bytes, nesting depth; one message wording for all of them.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace eventdest::detail {

/// Only a \u escape can decode to a string that is not valid Unicode (raw bytes are validated by
/// the reader): text without one needs no string check.
bool may_escape_invalid_unicode(std::string_view text);
/// Empty if `text` is valid data JSON, else the problem (without building a DOM).
std::string validate_json(std::string_view text);
/// True when some string or key inside `root` is not valid UTF-8.
bool has_invalid_string(const rapidjson::Value& root);
std::string nul_problem(std::string_view text);
std::string too_deep_problem();
std::string parse_problem(const rapidjson::ParseResult& result);

}  // namespace eventdest::detail
