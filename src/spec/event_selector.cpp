#include "spec/event_selector.hpp"

namespace eventdest::detail {

bool topics_take(const std::vector<std::string>& topics, std::string_view topic) noexcept {
  if (topics.empty()) return true;
  for (const auto& t : topics) {
    if (t == "*" || t == topic) return true;
  }
  return false;
}

std::optional<std::string> EventSelector::rejection(const Event& event) const {
  if (!disabled_at_.empty())
    return "the destination is disabled (disabled_at " + disabled_at_ + ")";
  if (!topics_take(topics_, event.topic()))
    return "topic \"" + event.topic() + "\" is not one of the destination's topics";
  if (filter_ && !filter_->matches(event))
    return std::string("the event does not match the destination's filter");
  return std::nullopt;
}

}  // namespace eventdest::detail
