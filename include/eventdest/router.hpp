// Publish once, deliver to every matching destination (Outpost's model): a Router holds several
// destinations built from specs and hands each published event to every one whose topics and
// filter match it (and which is not disabled).
//
// Thread-safety: every Router method may be called from any thread concurrently; destinations
// may be added, replaced and removed while events are published. Callbacks run on library
// threads (or on the publishing thread for outcomes decided at once) and must not call the
// router's flush(), close(), add() or remove().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventdest/destination.hpp"
#include "eventdest/event.hpp"
#include "eventdest/export.hpp"
#include "eventdest/spec.hpp"

namespace eventdest {

/// How one published event ended, once every destination it matched has reported.
struct EVENTDEST_API EventCompletion {
  enum class Outcome {
    all_delivered,  ///< every matched destination delivered it
    some_failed,    ///< at least one matched destination reported it failed
    none_matched    ///< no destination took it (reported at once, on the publishing thread)
  };
  Outcome outcome = Outcome::none_matched;
  std::string event_id;
  std::size_t matched = 0;
  std::size_t delivered = 0;
  std::size_t failed = 0;
};
EVENTDEST_API const char* to_string(EventCompletion::Outcome outcome) noexcept;

using CompletionCallback = std::function<void(const EventCompletion&)>;

/// Counters of the router as a whole, and of each destination (by id, in the router's order).
struct EVENTDEST_API RouterMetrics {
  std::uint64_t events = 0;         ///< publish() calls
  std::uint64_t none_matched = 0;   ///< events no destination took
  std::uint64_t all_delivered = 0;  ///< events every matched destination delivered
  std::uint64_t some_failed = 0;    ///< events some matched destination failed
  DestinationMetrics total;         ///< the destinations' counters summed (latencies: the max)
  std::vector<std::pair<std::string, DestinationMetrics>> destinations;

  /// One line of compact JSON.
  std::string to_json() const;
};

class EVENTDEST_API Router {
 public:
  /// An empty router: add destinations with add().
  Router();
  /// A router over `specs`, in that order. A spec without an `id` is named by its index ("0",
  /// "1", ...). Throws ConfigError listing every problem of every spec, each prefixed with its id
  /// or index (`orders-stream.config.region: is required`, `[2].type: ...`), and duplicate ids.
  explicit Router(const std::vector<DestinationSpec>& specs);
  /// The same from JSON: an array of destination bodies, Outpost's list response, or one body.
  static std::unique_ptr<Router> from_json(std::string_view json);
  /// The problems from_json() would throw for `json`, without creating any destination.
  static std::vector<FieldProblem> validate_json(std::string_view json);
  /// close(0): whatever has no report yet is reported `closed` at once.
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  /// Hands `event` to every destination that matches it; `on_report` gets one report per
  /// (event, matched destination), with `destination_id` set; `on_complete` (optional) once they
  /// all have reported. With `on_queue_full: block`, publish() returns once every matched
  /// destination has taken the event: the others get it at once, and it waits only for those
  /// that are full (trying them again as they make room). `fail` destinations that are full
  /// report `queue_full` as usual.
  void publish(Event event, DeliveryCallback on_report, CompletionCallback on_complete = nullptr);

  /// Adds a destination built from `spec`, or replaces the one with the same id (Outpost's
  /// update). Returns its id (the spec's, else the next index). A replaced destination gets no
  /// new events and is closed (bounded by `drain`): it reports every event it holds. Throws
  /// ConfigError for an invalid spec (the router is then unchanged).
  std::string add(const DestinationSpec& spec,
                  std::chrono::milliseconds drain = std::chrono::milliseconds(30000));
  /// Removes a destination (Outpost's delete): no new events, then closed as add() closes a
  /// replaced one. False if there is no such id.
  bool remove(const std::string& id,
              std::chrono::milliseconds drain = std::chrono::milliseconds(30000));
  /// The destinations' ids, in order.
  std::vector<std::string> ids() const;

  /// Waits until every event published before the call has all its reports, or `timeout`.
  bool flush(std::chrono::milliseconds timeout);
  /// Closes every destination (each bounded by its delivery timeout). Later publishes report
  /// `closed` for each matched destination. Idempotent.
  void close();
  /// As close(), bounded by `timeout` for all of them together.
  void close(std::chrono::milliseconds timeout);

  RouterMetrics metrics() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace eventdest
