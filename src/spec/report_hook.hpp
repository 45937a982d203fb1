// A destination the Router hands an event to together with the publisher's own callback and a
// hook that sees each report in the callback's place. Why: otherwise the router wraps every
// publisher's callback in a record of its own, whose cache line moved between the publishing and
// the reporting core on every event; the destination's record carries both for free.
#pragma once

#include "eventdest/destination.hpp"

namespace eventdest::detail {

class ReportHook {
 public:
  /// The report of an event published with this hook, with that publish's callback (which the
  /// hook calls, or not). On the destination's reporting thread, once per event; must not throw.
  virtual void report(const DeliveryReport& r, const DeliveryCallback& publisher_callback) = 0;

 protected:
  ~ReportHook() = default;
};

class HookedPublishing {
 public:
  /// As Destination::publish, with `hook` given each report of the event instead of `callback`.
  /// `hook` must outlive the destination's report of this event. `wait_for_room`: when the
  /// buffer is full, wait for room as on_queue_full block does, whatever the destination's own
  /// setting (the Router builds its destinations with `fail`, and waits itself when it hands an
  /// event to several).
  virtual void publish(Event event, DeliveryCallback callback, ReportHook& hook,
                       bool wait_for_room) = 0;
  /// As Destination::publish with a copy of `event`, copied into a pooled record: the id and
  /// metadata take the place of an earlier event's and reuse its allocations. Why: the Router
  /// hands one event to several destinations, and a fresh copy per destination cost two
  /// allocations here and two frees on the thread that reported the record it replaced.
  virtual void publish_copy(const Event& event, DeliveryCallback callback) = 0;

 protected:
  ~HookedPublishing() = default;
};

}  // namespace eventdest::detail
