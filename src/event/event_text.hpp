// Which strings an event may carry: its id, topic and metadata become Kafka topic names, record
// headers, partition keys and JSON text that a server parses, so they must be valid Unicode
// (a lone surrogate such as "\udc00" makes the whole request invalid for REST Proxy, failing
// every event of the batch) and hold no NUL (C-string APIs downstream would cut them short).
// Such an event fails alone, as an invalid_event.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "util/adapter_export.hpp"

namespace eventdest::detail {

/// Why `s` cannot be an id, topic or metadata key or value; empty when it can.
std::string_view text_problem(std::string_view s) noexcept;
/// True when `s` is valid UTF-8 (no surrogates, no overlongs, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s) noexcept;
/// The first problem of `event`'s id, topic and metadata, if any (for events built in code,
/// which publish() checks before encoding them).
EVENTDEST_ADAPTER_API std::optional<FieldProblem> event_text_problem(const Event& event);
/// `s` for a message: as is when printable, else with invalid bytes and controls as \xNN.
std::string printable(std::string_view s);

}  // namespace eventdest::detail
