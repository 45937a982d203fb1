// Which events a destination takes: its topics and its filter, checked in one place for every
// destination type (an event it does not take is reported `not_matched` with the reason).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eventdest/event.hpp"
#include "eventdest/filter.hpp"
#include "util/adapter_export.hpp"

namespace eventdest::detail {

/// True if a destination with `topics` takes `topic`: no topics or "*" take every topic.
bool topics_take(const std::vector<std::string>& topics, std::string_view topic) noexcept;

class EVENTDEST_ADAPTER_API EventSelector {
 public:
  /// `disabled_at` non-empty (Outpost's disabled destination): no event is taken.
  EventSelector(std::vector<std::string> topics, std::optional<Filter> filter,
                std::string disabled_at = {})
      : topics_(std::move(topics)),
        filter_(std::move(filter)),
        disabled_at_(std::move(disabled_at)) {}

  /// Why the destination does not take `event`, or nullopt if it does. The filter's document
  /// ({id, topic, time, metadata, data}) is only built when there is a filter.
  std::optional<std::string> rejection(const Event& event) const;

  const std::vector<std::string>& topics() const noexcept { return topics_; }

 private:
  const std::vector<std::string> topics_;
  const std::optional<Filter> filter_;
  const std::string disabled_at_;
};

}  // namespace eventdest::detail
