// Collects delivery reports by event id, for tests that check "exactly one report per event".
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "eventdest/destination.hpp"

namespace eventdest::test {

struct ReportCollector {
  std::mutex mutex;
  std::map<std::string, std::vector<DeliveryReport>> by_id;

  DeliveryCallback callback() {
    return [this](const DeliveryReport& r) {
      std::lock_guard<std::mutex> lock(mutex);
      by_id[r.event_id].push_back(r);
    };
  }
  std::size_t total() {
    std::lock_guard<std::mutex> lock(mutex);
    std::size_t n = 0;
    for (auto& [id, v] : by_id)
      n += v.size();
    return n;
  }
};

}  // namespace eventdest::test
