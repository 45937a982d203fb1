// The merged metadata of an event (merged_metadata() in event.hpp) visited pair by pair, without
// building the list. Why: a destination writing the pairs into a payload or headers would build
// a vector and a string per key and value for every event, then copy them out and free them.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "eventdest/event.hpp"

namespace eventdest::detail {

/// Calls `visit(key, value)` for each pair of merged_metadata(e, format, extra, timestamp_ms), in
/// its order, given the event's `timestamp` formatted and, with timestamp_ms, its `timestamp_ms`
/// text (empty otherwise). The views are valid during the call only.
template <class Visit>
void for_each_merged_metadata(const Event& e, std::string_view timestamp,
                              std::string_view timestamp_ms, const Metadata& extra, Visit&& visit) {
  const bool with_ms = !timestamp_ms.empty();
  auto is_system = [with_ms](std::string_view k) {
    return k == "event-id" || k == "topic" || k == "timestamp" || (with_ms && k == "timestamp-ms");
  };
  const Metadata& own = e.metadata();
  // A later source wins on an equal key: the event's own metadata, then `extra`, then `fallback`.
  auto value_of = [&](const std::string& k, std::string_view fallback) -> std::string_view {
    if (!own.empty()) {
      if (auto it = own.find(k); it != own.end()) return it->second;
    }
    if (!extra.empty()) {
      if (auto it = extra.find(k); it != extra.end()) return it->second;
    }
    return fallback;
  };
  static const std::string k_id = "event-id", k_topic = "topic", k_time = "timestamp",
                           k_time_ms = "timestamp-ms";
  visit(std::string_view(k_id), value_of(k_id, e.id()));
  visit(std::string_view(k_topic), value_of(k_topic, e.topic()));
  visit(std::string_view(k_time), value_of(k_time, timestamp));
  if (with_ms) visit(std::string_view(k_time_ms), value_of(k_time_ms, timestamp_ms));
  for (const auto& [k, v] : extra) {
    if (is_system(k)) continue;
    auto it = own.find(k);
    visit(std::string_view(k),
          it != own.end() ? std::string_view(it->second) : std::string_view(v));
  }
  for (const auto& [k, v] : own) {
    if (is_system(k) || extra.count(k) != 0) continue;
    visit(std::string_view(k), std::string_view(v));
  }
}

/// The same, formatting the event's `timestamp` (and `timestamp-ms`) itself.
template <class Visit>
void for_each_merged_metadata(const Event& e, TimestampFormat format, const Metadata& extra,
                              bool timestamp_ms, Visit&& visit) {
  const std::string timestamp = format_timestamp(e.time(), format);
  const std::string ms =
      timestamp_ms ? format_timestamp(e.time(), TimestampFormat::unix_ms) : std::string();
  for_each_merged_metadata(e, timestamp, ms, extra, std::forward<Visit>(visit));
}

}  // namespace eventdest::detail
