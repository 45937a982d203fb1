// The payload of a spool record: the event as Event::to_json() writes it (so Event::from_json()
// reads it back), written without a DOM writer or printf, into a buffer the caller reuses: this
// runs once per published event on the publishing thread.
#pragma once

#include <string>

#include "eventdest/event.hpp"

namespace eventdest::detail {

/// Replaces `out` with `event.to_json()`'s text.
void write_spool_payload(const Event& event, std::string& out);

}  // namespace eventdest::detail
