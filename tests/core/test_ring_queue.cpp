// RingQueue, the delivery pipeline's queue: the same order as std::deque under any mix of
// operations, across growth, wrap-around and shrinking; what a popped slot held is released then.
#include <deque>
#include <memory>
#include <random>

#include "support/catch.hpp"
#include "util/ring_queue.hpp"

using eventdest::detail::RingQueue;

TEST_CASE("ring queue: same contents as a deque through growth, wrap-around and shrinking",
          "[ring_queue]") {
  std::mt19937 rng(7);
  RingQueue<int> ring;
  std::deque<int> model;
  int next = 0;
  std::size_t peak_capacity = 0;
  // Phases that fill (mostly pushes) and drain (mostly pops), so the ring grows past thousands
  // of slots, wraps with its head anywhere, and halves on the way down.
  for (int phase = 0; phase < 12; ++phase) {
    const bool filling = phase % 2 == 0;
    for (int op = 0; op < 20000; ++op) {
      const unsigned roll = rng() % 100;
      if (roll < (filling ? 60u : 25u)) {
        ring.push_back(next);
        model.push_back(next++);
      } else if (roll < (filling ? 75u : 35u)) {
        ring.push_front(next);
        model.push_front(next++);
      } else if (!model.empty()) {
        REQUIRE(ring.front() == model.front());
        ring.pop_front();
        model.pop_front();
      }
      REQUIRE(ring.size() == model.size());
      REQUIRE(ring.empty() == model.empty());
      peak_capacity = std::max(peak_capacity, ring.capacity());
    }
    for (std::size_t i = 0; i < model.size(); ++i)
      REQUIRE(ring[i] == model[i]);
  }
  CHECK(peak_capacity >= 4096);
  while (!model.empty()) {
    REQUIRE(ring.front() == model.front());
    ring.pop_front();
    model.pop_front();
  }
  CHECK(ring.empty());
  CHECK(ring.capacity() <= 128);  // given back once empty
  ring.clear();
  CHECK(ring.capacity() == 0);
  ring.push_back(1);
  CHECK(ring.front() == 1);
}

TEST_CASE("ring queue: a popped element is released at once, and clear() releases the rest",
          "[ring_queue]") {
  auto shared = std::make_shared<int>(0);
  RingQueue<std::shared_ptr<int>> ring;
  for (int i = 0; i < 100; ++i)
    ring.push_back(shared);
  CHECK(shared.use_count() == 101);
  ring.pop_front();
  CHECK(shared.use_count() == 100);
  ring.clear();
  CHECK(shared.use_count() == 1);
}
