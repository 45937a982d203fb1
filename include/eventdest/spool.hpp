// What a destination's spool holds, read without opening it (`eventdest spool`). The spool
// itself is configured with DeliveryOptions::spool (`config.spool`, see spec.hpp).
//
// Thread-safety: inspect_spool() is reentrant; it only reads the files, while a destination may
// be writing them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "eventdest/event.hpp"
#include "eventdest/export.hpp"

namespace eventdest {

struct EVENTDEST_API SpoolContents {
  std::uint64_t events = 0;    ///< written and not released: what the next run publishes first
  std::uint64_t bytes = 0;     ///< their size on disk
  std::uint64_t segments = 0;  ///< segment files
  /// The oldest event's id and time (its `time`), when there is one.
  std::optional<std::string> oldest_id;
  std::optional<Clock::time_point> oldest_time;
  std::uint64_t torn_tail_bytes = 0;  ///< unreadable bytes at segment ends (cut when opened)
  std::uint64_t damaged_regions = 0;  ///< unreadable runs between records (skipped)

  /// One line of compact JSON (`eventdest spool`'s output).
  std::string to_json() const;
};

/// Reads the spool in `dir`. Throws std::runtime_error when `dir` cannot be read.
EVENTDEST_API SpoolContents inspect_spool(const std::string& dir);

}  // namespace eventdest
