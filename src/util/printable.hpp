// Text from input (spec names, config keys, file paths) made safe to show to a person: control
// characters would otherwise reach a terminal or log as themselves (ESC sequences recolouring
// or rewriting the screen, line breaks forging extra lines).
#pragma once

#include <string>
#include <string_view>

namespace eventdest::detail {

/// `text` with C0 controls, DEL, C1 controls (U+0080..U+009F) and bytes that are not UTF-8
/// escaped: \n \r \t as such, the rest as \xNN per byte; backslash is doubled only when escaping
/// happened, so ordinary text comes back unchanged. `keep_line_breaks`: for messages the library
/// itself writes on several lines (a JMESPath error's caret line); values quoted in them must
/// have been escaped already.
std::string printable(std::string_view text, bool keep_line_breaks = false);

}  // namespace eventdest::detail
