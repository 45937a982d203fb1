#include "pipeline/backoff.hpp"

#include <algorithm>
#include <random>

namespace eventdest::detail {

std::chrono::milliseconds Backoff::delay(int attempt) const {
  thread_local std::minstd_rand rng{std::random_device{}()};
  const int shift = std::clamp(attempt - 1, 0, 30);
  const long long exp = static_cast<long long>(base_.count()) << shift;
  const long long d = std::min<long long>(cap_.count(), std::max<long long>(exp, 1));
  std::uniform_int_distribution<long long> jitter(d / 2, d);
  return std::chrono::milliseconds(jitter(rng));
}

}  // namespace eventdest::detail
