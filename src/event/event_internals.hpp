// What the library's own code may reach inside an Event (Event befriends this struct).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "eventdest/event.hpp"

namespace eventdest::detail {

struct EventInternals {
  /// The id's storage: a report borrows it by swapping (no copy of bytes the callback may never
  /// read) and gives it back after the callback.
  static std::string& id(Event& e) noexcept { return e.id_; }
  /// Event::from_json without its fast path for plain lines (event/event_line.hpp): the reader
  /// that decides every line and words every error. Tests and fuzzers compare the two.
  static Event from_json_full(std::string_view json);
  /// The shared data buffer (and its lazily parsed DOM).
  static const std::shared_ptr<const Event::Data>& data(const Event& e) noexcept { return e.data_; }
};

}  // namespace eventdest::detail
