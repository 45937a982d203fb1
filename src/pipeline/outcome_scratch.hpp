// One outcome vector kept across responses. Why: its strings keep their capacity, so reading the
// answer for a delivered batch allocates nothing. A response handled while the kept vector is in
// use (the closing thread cancelling transfers, or a report callback re-entering) gets a vector
// of its own instead of waiting.
//
// Thread-safety: any number of Lease objects may exist at once on different threads.
#pragma once

#include <mutex>
#include <vector>

#include "pipeline/record.hpp"

namespace eventdest::detail {

class OutcomeScratch {
 public:
  /// The kept vector while the lease lives, or a fresh one when it is taken.
  class Lease {
   public:
    explicit Lease(OutcomeScratch& scratch)
        : lock_(scratch.mutex_, std::try_to_lock),
          outcomes_(lock_.owns_lock() ? scratch.kept_ : own_) {}
    std::vector<Outcome>& outcomes() noexcept { return outcomes_; }

   private:
    std::unique_lock<std::mutex> lock_;
    std::vector<Outcome> own_;
    std::vector<Outcome>& outcomes_;
  };

 private:
  std::mutex mutex_;
  std::vector<Outcome> kept_;  // at most one batch of outcomes
};

}  // namespace eventdest::detail
