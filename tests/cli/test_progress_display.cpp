// The progress line's text: counts, the share of a file input read, the rate and the time left.
#include "progress_display.hpp"
#include "support/catch.hpp"

using eventdest::cli::ProgressDisplay;

TEST_CASE("the progress line shows counts, percentage, rate and ETA", "[cli][progress]") {
  ProgressDisplay::Snapshot s;
  s.read = 1500;
  s.delivered = 1200;
  s.failed = 3;
  s.not_matched = 7;
  s.retried = 42;
  s.in_flight = 290;
  s.bytes_read = 250;
  CHECK(ProgressDisplay::line(s, 1000, 812.4, 95.2) ==
        "read 1500 (25%) | delivered 1200, failed 3, not matched 7 | retried 42 | in flight 290 | "
        "812 events/s | ETA 1:35");
  // A pipe: no size, so neither a percentage nor a time left.
  CHECK(ProgressDisplay::line(s, 0, 0, -1) ==
        "read 1500 | delivered 1200, failed 3, not matched 7 | retried 42 | in flight 290 | 0 "
        "events/s");
}
