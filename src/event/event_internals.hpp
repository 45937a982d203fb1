// What the library's own code may reach inside an Event (Event befriends this struct).
#pragma once

#include <memory>
#include <string>

#include "eventdest/event.hpp"

namespace eventdest::detail {

struct EventInternals {
  /// The id's storage: a report borrows it by swapping (no copy of bytes the callback may never
  /// read) and gives it back after the callback.
  static std::string& id(Event& e) noexcept { return e.id_; }
  /// The shared data buffer (and its lazily parsed DOM).
  static const std::shared_ptr<const Event::Data>& data(const Event& e) noexcept { return e.data_; }
};

}  // namespace eventdest::detail
