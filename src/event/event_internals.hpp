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
  /// The shared data buffer (and its lazily parsed DOM); none for data `null`.
  static const std::shared_ptr<const Event::Data>& data(const Event& e) noexcept { return e.data_; }
  /// An event with nothing set (no id, time or data): a reader fills it, then fill_unset().
  static Event unset() noexcept { return Event(Event::Unset{}); }
  /// Gives `e` a generated id unless `id_set`, and the time now unless `time_set`, from one
  /// clock reading (a default Event reads the clock twice, and a given id wastes a generated one).
  static void fill_unset(Event& e, bool id_set, bool time_set);
};

/// A UUIDv7 for the unix milliseconds of `now` (generate_event_id() at Clock::now()).
std::string event_id_at(Clock::time_point now);

/// Writes the 16 `bytes` as a UUID's 36 characters (8-4-4-4-12 lowercase hex digits) to `out`.
void write_uuid_text(const unsigned char* bytes, char* out) noexcept;

}  // namespace eventdest::detail
