#include "eventdest/router.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "spec/event_selector.hpp"
#include "spec/report_hook.hpp"
#include "spec/report_labelling.hpp"
#include "util/json_util.hpp"
#include "util/prefetch.hpp"

namespace eventdest {
namespace {

using Steady = std::chrono::steady_clock;

// Finished per-event records kept for reuse. Why: a record is made on the publishing thread and
// finished on a destination's reporting thread; freeing it there contends with the publisher's
// mallocs for the allocator's lock (a dead destination finishes its events in bursts). Records
// come back on a lock-free stack (pushed by reporting threads) and are taken from a list only
// publishers touch, which takes the whole stack when it runs out: a lock shared by both sides
// moved its cache line between their cores twice per event. T has `T* next_kept`,
// `std::atomic<std::size_t> kept_depth` and `clear_for_reuse()`.
//
// Thread-safety: take() and give_back() may be called from any threads at once.
template <class T>
class KeptRecords {
 public:
  KeptRecords() = default;
  KeptRecords(const KeptRecords&) = delete;
  KeptRecords& operator=(const KeptRecords&) = delete;
  ~KeptRecords() {
    free_list(taken_);
    free_list(returned_.load());
  }

  /// A kept record, or nullptr when there is none.
  T* take() {
    std::lock_guard<std::mutex> lock(publishers_);
    // Pushing one at a time and taking the whole stack at once: no ABA problem.
    if (!taken_) taken_ = returned_.exchange(nullptr, std::memory_order_acquire);
    T* p = taken_;
    if (p) taken_ = p->next_kept;
    // The next take's record, last written by a reporting thread on another core: fetched
    // while this one is used, rather than when publish() next writes its first field.
    if (taken_) detail::prefetch_lines_for_write(taken_, sizeof(T));
    return p;
  }

  /// Clears `p` and keeps it if there is room, else frees it.
  void give_back(T* p) {
    p->clear_for_reuse();
    T* head = returned_.load(std::memory_order_relaxed);
    do {
      // The depth read may be stale (that head taken and given back again meanwhile): it only
      // bounds the memory kept, the list itself stays right.
      const std::size_t depth = head ? head->kept_depth.load(std::memory_order_relaxed) : 0;
      if (depth >= kMaxKept) {
        delete p;
        return;
      }
      p->next_kept = head;
      p->kept_depth.store(depth + 1, std::memory_order_relaxed);
    } while (!returned_.compare_exchange_weak(head, p, std::memory_order_release,
                                              std::memory_order_relaxed));
  }

 private:
  static void free_list(T* p) {
    while (p) {
      T* next = p->next_kept;
      delete p;
      p = next;
    }
  }

  static constexpr std::size_t kMaxKept = 8192;  // per list: at most twice this kept in all
  std::mutex publishers_;                        // taken_
  T* taken_ = nullptr;
  alignas(64) std::atomic<T*> returned_{nullptr};
};

// One destination as the router holds it: what decides whether an event goes to it (the spec's
// topics, filter and disabled_at), and the destination, built without them (the router decides).
// As a ReportHook, it takes the reports of the events it alone matched from a destination that
// carries the publisher's callback itself (HookedPublishing).
struct Route final : detail::ReportHook {
  std::string id;
  std::vector<std::string> topics;
  std::optional<Filter> filter;
  bool disabled = false;
  bool blocks = false;  // on_queue_full block: the router waits for room itself
  std::shared_ptr<Destination> destination;
  detail::HookedPublishing* hooked = nullptr;  // `destination`, when it is one
  bool labels_reports = false;                 // `destination` puts `id` into its reports itself
  // Events handed to the destination, and their reports (retire() waits until they are equal).
  // Counters rather than a shared_ptr copy per event: a reference count would be written by the
  // publisher and by the reporting thread, moving its cache line between cores on every event;
  // each of these is written by one side.
  alignas(64) std::atomic<std::uint64_t> handed{0};
  alignas(64) std::atomic<std::uint64_t> reported{0};
  // Events whose last report was this destination's (or that it alone took): all delivered or
  // some failed. The router's totals, counted by this destination's reporting thread.
  std::atomic<std::uint64_t> events_all_delivered{0}, events_some_failed{0};

  bool takes(const Event& event) const {
    if (disabled || !detail::topics_take(topics, event.topic())) return false;
    return !filter || filter->matches(event);
  }

  void report(const DeliveryReport& r, const DeliveryCallback& publisher_callback) override;
};

using Routes = std::vector<std::shared_ptr<Route>>;

// Set on the publishing thread while the router hands an event to a destination that would
// block: a queue_full report for that very call means "full, try again", not an outcome.
thread_local const void* g_handing = nullptr;
thread_local bool g_refused = false;

// True for `route`'s report of the event being handed to it on this thread, saying it is full
// (retryable queue_full; an event that can never fit is not retryable: it is reported). The
// router hands it again when there is room.
bool refused_as_full(const Route& route, const DeliveryReport& r) {
  return route.blocks && g_handing == &route && r.status == DeliveryStatus::failed && r.retryable &&
         r.error == make_error_code(errc::queue_full);
}

// Gives `r` to the publisher's callback with the route's id, which a destination that labels its
// own reports has set already (otherwise the report is copied). A throwing callback is counted
// as reported all the same: the completion still comes.
void report_to(const DeliveryCallback& on_report, const Route& route, const DeliveryReport& r) {
  if (!on_report) return;
  try {
    if (route.labels_reports || r.destination_id == route.id) {
      on_report(r);
    } else {
      DeliveryReport copy = r;
      copy.destination_id = route.id;
      on_report(copy);
    }
  } catch (...) {
  }
}

// Hands `event` to `route` with `callback`. False when a full `block` destination refused it
// (with `may_refuse`). `last`: no destination needs the event after this one, which gets the
// event itself rather than a copy (an id, a metadata map and their allocations per event); a
// destination that may refuse never does, it may be handed the event again.
template <class Callback>
bool hand_to(Route& route, Event& event, bool last, bool may_refuse, const Callback& callback) {
  route.handed.fetch_add(1, std::memory_order_relaxed);
  // A copy for each destination but the last: into a pooled record when the destination has
  // them (reusing an earlier event's id and metadata allocations), else a fresh Event.
  auto publish_copy = [&] {
    if (route.hooked) {
      route.hooked->publish_copy(event, callback);
    } else {
      route.destination->publish(event, callback);
    }
  };
  if (!may_refuse) {
    if (last) {
      route.destination->publish(std::move(event), callback);
    } else {
      publish_copy();
    }
    return true;
  }
  const void* saved = g_handing;
  g_handing = &route;
  g_refused = false;
  publish_copy();
  const bool refused = g_refused;
  g_handing = saved;
  g_refused = false;
  return !refused;
}

// Hands again, backing off, what full `block` destinations refused (every other destination
// already has the event) until each took it: `hand_again(item, closing)`, true once taken. Once
// the router is closed, it is handed as is and reports `closed`.
template <class Item, class HandAgain>
void wait_for_room(std::vector<Item>& full, const std::atomic<bool>& closed, HandAgain hand_again) {
  auto wait = std::chrono::microseconds(200);
  while (!full.empty()) {
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::microseconds(20000));
    const bool closing = closed.load();
    full.erase(std::remove_if(full.begin(), full.end(),
                              [&](const Item& item) { return hand_again(item, closing); }),
               full.end());
  }
}

// A destination handed an event with its hook waits for room instead of refusing it.
void Route::report(const DeliveryReport& r, const DeliveryCallback& publisher_callback) {
  ++(r.delivered() ? events_all_delivered : events_some_failed);
  report_to(publisher_callback, *this, r);
  // The last use of the route: retire() may close and free it once this is counted.
  reported.fetch_add(1, std::memory_order_release);
}

std::string route_prefix(const DestinationSpec& spec, std::size_t index) {
  return spec.id.empty() ? "[" + std::to_string(index) + "]" : spec.id;
}

}  // namespace

const char* to_string(EventCompletion::Outcome outcome) noexcept {
  switch (outcome) {
    case EventCompletion::Outcome::all_delivered:
      return "all_delivered";
    case EventCompletion::Outcome::some_failed:
      return "some_failed";
    case EventCompletion::Outcome::none_matched:
      return "none_matched";
  }
  return "unknown";
}

struct Router::State {
  mutable std::mutex mutex;  // routes (the pointer), next_index; add/remove one at a time
  std::shared_ptr<const Routes> routes = std::make_shared<const Routes>();
  std::size_t next_index = 0;
  std::mutex changes;  // serialises add/remove/close
  std::atomic<bool> closed{false};
  // Counted per event by publishers, and by reporting threads: on cache lines of their own, so
  // that neither side's increment takes the line from the other.
  alignas(64) std::atomic<std::uint64_t> events{0}, none_matched{0};
  alignas(64) std::atomic<std::uint64_t> all_delivered{0}, some_failed{0};

  struct Pending;
  class SlotCallback;
  std::unique_ptr<KeptRecords<Pending>> pending_pool;
  // Routes removed or replaced and not yet closed (guarded by `mutex`): metrics() still counts
  // their events' outcomes.
  std::vector<const Route*> retiring;

  State();
  ~State();

  std::shared_ptr<const Routes> snapshot() const {
    std::lock_guard<std::mutex> lock(mutex);
    return routes;
  }

  // Builds the route for `spec` (throws ConfigError with unprefixed fields).
  std::shared_ptr<Route> build(const DestinationSpec& spec, std::string id) {
    auto route = std::make_shared<Route>();
    route->id = std::move(id);
    route->topics = spec.topics;
    route->filter = spec.filter;
    route->disabled = !spec.disabled_at.empty();
    DestinationSpec inner = spec;
    inner.topics.clear();
    inner.filter.reset();
    inner.disabled_at.clear();
    route->blocks = delivery_options_of(spec).on_queue_full == QueueFullBehavior::block;
    if (route->blocks) inner.config["on_queue_full"] = "fail";
    route->destination = make_destination(inner);
    route->hooked = dynamic_cast<detail::HookedPublishing*>(route->destination.get());
    if (auto* labelling = dynamic_cast<detail::ReportLabelling*>(route->destination.get())) {
      labelling->label_reports(route->id);
      route->labels_reports = true;
    }
    return route;
  }

  // Waits until no publish() holds `route` and every event handed to it has its report, then
  // closes its destination (bounded by `drain` for both). A report still to come after that
  // arrives within close(), which returns only once everything is reported. `route` was put in
  // `retiring` when it left the routes.
  void retire(const std::shared_ptr<Route>& route, std::chrono::milliseconds drain) {
    const auto end = Steady::now() + drain;
    auto busy = [&] {
      if (route.use_count() > 1) return true;  // a publish() still holds an older snapshot
      // No publisher can hand it more once the snapshots are gone. A read-modify-write reads
      // the latest `handed` (a plain load after the relaxed use_count() might not).
      const std::uint64_t handed = route->handed.fetch_add(0, std::memory_order_acq_rel);
      return route->reported.load(std::memory_order_acquire) != handed;
    };
    while (busy() && Steady::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Steady::now());
    route->destination->close(std::max(left, std::chrono::milliseconds(0)));
    std::lock_guard<std::mutex> lock(mutex);
    all_delivered += route->events_all_delivered.load();
    some_failed += route->events_some_failed.load();
    retiring.erase(std::find(retiring.begin(), retiring.end(), route.get()));
  }
};

// The reports of one published event that several destinations take, until each has given its
// own. Finished (given back to the pool) by whichever comes last: the last report, or publish()
// itself (it holds one count while it hands the event out). The reports change one atomic word,
// so each moves the record's cache line between cores once; the route of each slot is in its
// callback, not here.
struct Router::State::Pending {
  // `counts`: the reports still to come (with publish()'s own), delivered and failed ones, in
  // fields of kCountBits each (a router hands an event to far fewer destinations than 2^21).
  static constexpr unsigned kCountBits = 21;
  static constexpr std::uint64_t kCountMask = (std::uint64_t{1} << kCountBits) - 1;
  static constexpr std::uint64_t kOneDelivered = std::uint64_t{1} << kCountBits;
  static constexpr std::uint64_t kOneFailed = std::uint64_t{1} << (2 * kCountBits);

  DeliveryCallback on_report;
  CompletionCallback on_complete;
  std::string event_id;
  /// The router's: it outlives every report (a router closes each destination, which makes all
  /// of its reports, before its state goes).
  State* state = nullptr;
  std::size_t matched = 0;
  std::atomic<std::uint64_t> counts{0};
  // In the KeptRecords' list: the next one and the list's length.
  Pending* next_kept = nullptr;
  std::atomic<std::size_t> kept_depth{0};

  /// Counts a report (`one`: kOneDelivered or kOneFailed) or publish()'s own share (0), and
  /// finishes the event if it was the last. `route`, the reporting one, counts the event's
  /// outcome (publish() finishing last: the state counts it).
  void count(std::uint64_t one, Route* route);
  /// Releases what it holds for its publisher (callbacks); the id's capacity stays.
  void clear_for_reuse() {
    on_report = nullptr;
    on_complete = nullptr;
  }
};

void Router::State::Pending::count(std::uint64_t one, Route* route) {
  // One step: remaining - 1, and + 1 delivered or failed (no borrow: remaining >= 1 here).
  const std::uint64_t after = counts.fetch_add(one - 1, std::memory_order_acq_rel) + one - 1;
  if ((after & kCountMask) != 0) return;
  EventCompletion c;
  c.matched = matched;
  c.delivered = static_cast<std::size_t>((after >> kCountBits) & kCountMask);
  c.failed = static_cast<std::size_t>((after >> (2 * kCountBits)) & kCountMask);
  c.outcome = c.failed == 0 ? EventCompletion::Outcome::all_delivered
                            : EventCompletion::Outcome::some_failed;
  // Counted on the reporting route's own line: one counter shared by every destination's
  // reporting thread moved between their cores on every event.
  if (route) {
    ++(c.failed == 0 ? route->events_all_delivered : route->events_some_failed);
  } else {
    ++(c.failed == 0 ? state->all_delivered : state->some_failed);
  }
  // A throwing callback must not leak this record nor stop the destination's other reports.
  if (on_complete) {
    c.event_id.swap(event_id);  // lent: the kept record keeps the string's capacity
    try {
      on_complete(c);
    } catch (...) {
    }
    c.event_id.swap(event_id);
  }
  state->pending_pool->give_back(this);
}

Router::State::State() : pending_pool(std::make_unique<KeptRecords<Pending>>()) {}
Router::State::~State() = default;

// A matched destination's report callback: the event's record and the route, which
// std::function keeps inline (a lambda holding shared_ptrs cost an allocation per event and
// destination).
class Router::State::SlotCallback {
 public:
  SlotCallback(Pending* pending, Route* route) : pending_(pending), route_(route) {}

  void operator()(const DeliveryReport& r) const {
    Route& route = *route_;
    if (refused_as_full(route, r)) {
      g_refused = true;
      route.reported.fetch_add(1, std::memory_order_release);
      return;
    }
    report_to(pending_->on_report, route, r);
    pending_->count(r.delivered() ? Pending::kOneDelivered : Pending::kOneFailed, &route);
    // The last use of the route: retire() may close and free it once this is counted.
    route.reported.fetch_add(1, std::memory_order_release);
  }

 private:
  Pending* pending_;
  Route* route_;
};

Router::Router() : state_(std::make_shared<State>()) {}

Router::Router(const std::vector<DestinationSpec>& specs) : Router() {
  std::vector<FieldProblem> problems;
  auto routes = std::make_shared<Routes>();
  std::set<std::string> ids;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const std::string prefix = route_prefix(specs[i], i);
    const std::string id = specs[i].id.empty() ? std::to_string(i) : specs[i].id;
    if (!ids.insert(id).second) {
      problems.push_back({prefix + ".id", "\"" + id + "\" is given to another destination too"});
      continue;
    }
    try {
      routes->push_back(state_->build(specs[i], id));
    } catch (const ConfigError& e) {
      for (const auto& p : e.problems())
        problems.push_back({prefix + "." + p.field, p.problem});
    }
  }
  if (!problems.empty()) {
    for (auto& r : *routes)
      r->destination->close(std::chrono::milliseconds(0));
    throw ConfigError(std::move(problems));
  }
  state_->routes = std::move(routes);
  state_->next_index = specs.size();
}

namespace {

// The specs of a JSON array of bodies (or one body), each body's problems prefixed with its id,
// else its index, into `problems`.
std::vector<DestinationSpec> read_specs(std::string_view json,
                                        std::vector<FieldProblem>& problems) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsArray()) {
    try {
      return parse_specs(json);
    } catch (const ConfigError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
      return {};
    }
  }
  std::vector<DestinationSpec> specs;
  std::set<std::string> ids;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const rapidjson::Value& body = doc[i];
    std::string prefix = "[" + std::to_string(i) + "]";
    if (body.IsObject()) {
      auto id = body.FindMember("id");
      if (id != body.MemberEnd() && id->value.IsString() && id->value.GetStringLength() > 0) {
        prefix = id->value.GetString();
        if (!ids.insert(prefix).second) {
          problems.push_back(
              {prefix + ".id", "\"" + prefix + "\" is given to another destination too"});
        }
      }
    }
    try {
      specs.push_back(parse_spec(detail::compact_json(body)));
    } catch (const ConfigError& e) {
      for (const auto& p : e.problems())
        problems.push_back({prefix + "." + p.field, p.problem});
    }
  }
  return specs;
}

}  // namespace

std::unique_ptr<Router> Router::from_json(std::string_view json) {
  std::vector<FieldProblem> problems;
  std::vector<DestinationSpec> specs = read_specs(json, problems);
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return std::make_unique<Router>(specs);
}

std::vector<FieldProblem> Router::validate_json(std::string_view json) {
  std::vector<FieldProblem> problems;
  read_specs(json, problems);
  return problems;
}

Router::~Router() {
  close(std::chrono::milliseconds(0));
}

void Router::publish(Event event, DeliveryCallback on_report, CompletionCallback on_complete) {
  State& state = *state_;
  ++state.events;
  const auto routes = state.snapshot();
  // The routes that take the event: on the stack for the usual handful (no allocation per
  // event), in `more_matched` past kInline.
  constexpr std::size_t kInline = 16;
  const std::shared_ptr<Route>* inline_matched[kInline];
  std::vector<const std::shared_ptr<Route>*> more_matched;
  std::size_t matched = 0;
  for (const auto& route : *routes) {
    if (!route->takes(event)) continue;
    if (matched < kInline) {
      inline_matched[matched] = &route;
    } else {
      more_matched.push_back(&route);
    }
    ++matched;
  }
  if (matched == 0) {
    ++state.none_matched;
    if (on_complete) {
      EventCompletion c;
      c.outcome = EventCompletion::Outcome::none_matched;
      c.event_id = event.id();
      on_complete(c);
    }
    return;
  }
  if (matched == 1 && !on_complete && (*inline_matched[0])->hooked) {
    // The destination's record carries the callback, and gives the route the report. A full
    // `block` destination makes this call wait: no other destination is held up.
    Route& route = **inline_matched[0];
    route.handed.fetch_add(1, std::memory_order_relaxed);
    route.hooked->publish(std::move(event), std::move(on_report), route, route.blocks);
    return;
  }
  State::Pending* pending = state.pending_pool->take();
  if (!pending) {
    pending = new State::Pending();
    pending->state = &state;
  }
  pending->on_report = std::move(on_report);
  pending->on_complete = std::move(on_complete);
  if (pending->on_complete) pending->event_id.assign(event.id());  // only the completion says it
  pending->matched = matched;
  // + publish() itself, released below. Relaxed: the reporting threads see it through the
  // destination's hand-off of the event (a lock), and this thread's own reports follow it.
  pending->counts.store(matched + 1, std::memory_order_relaxed);

  auto route_at = [&](std::size_t slot) {
    return slot < kInline ? inline_matched[slot]->get() : more_matched[slot - kInline]->get();
  };
  std::vector<std::size_t> full;
  for (std::size_t slot = 0; slot < matched; ++slot) {
    Route& route = *route_at(slot);
    const bool last = slot + 1 == matched && full.empty();
    if (!hand_to(route, event, last, route.blocks, State::SlotCallback(pending, &route)))
      full.push_back(slot);
  }
  wait_for_room(full, state.closed, [&](std::size_t slot, bool closing) {
    Route& route = *route_at(slot);
    return hand_to(route, event, false, !closing, State::SlotCallback(pending, &route));
  });
  pending->count(0, nullptr);
}

std::string Router::add(const DestinationSpec& spec, std::chrono::milliseconds drain) {
  State& state = *state_;
  std::lock_guard<std::mutex> changes(state.changes);
  std::string id;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    id = spec.id.empty() ? std::to_string(state.next_index) : spec.id;
  }
  std::shared_ptr<Route> route;
  try {
    route = state.build(spec, id);
  } catch (const ConfigError& e) {
    std::vector<FieldProblem> problems;
    for (const auto& p : e.problems())
      problems.push_back({id + "." + p.field, p.problem});
    throw ConfigError(std::move(problems));
  }
  std::shared_ptr<Route> replaced;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    auto routes = std::make_shared<Routes>(*state.routes);
    auto it = std::find_if(routes->begin(), routes->end(),
                           [&](const std::shared_ptr<Route>& r) { return r->id == id; });
    if (it != routes->end()) {
      replaced = std::move(*it);
      state.retiring.push_back(replaced.get());
      *it = route;
    } else {
      routes->push_back(route);
      if (spec.id.empty()) ++state.next_index;
    }
    state.routes = std::move(routes);
  }
  if (replaced) state.retire(replaced, drain);
  return id;
}

bool Router::remove(const std::string& id, std::chrono::milliseconds drain) {
  State& state = *state_;
  std::lock_guard<std::mutex> changes(state.changes);
  std::shared_ptr<Route> removed;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    auto routes = std::make_shared<Routes>(*state.routes);
    auto it = std::find_if(routes->begin(), routes->end(),
                           [&](const std::shared_ptr<Route>& r) { return r->id == id; });
    if (it == routes->end()) return false;
    removed = std::move(*it);
    state.retiring.push_back(removed.get());
    routes->erase(it);
    state.routes = std::move(routes);
  }
  state.retire(removed, drain);
  return true;
}

std::vector<std::string> Router::ids() const {
  std::vector<std::string> out;
  for (const auto& r : *state_->snapshot())
    out.push_back(r->id);
  return out;
}

bool Router::flush(std::chrono::milliseconds timeout) {
  const auto end = Steady::now() + timeout;
  bool all = true;
  for (const auto& r : *state_->snapshot()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Steady::now());
    all = r->destination->flush(std::max(left, std::chrono::milliseconds(0))) && all;
  }
  return all;
}

void Router::close() {
  State& state = *state_;
  std::lock_guard<std::mutex> changes(state.changes);
  state.closed = true;
  for (const auto& r : *state.snapshot())
    r->destination->close();
}

void Router::close(std::chrono::milliseconds timeout) {
  State& state = *state_;
  std::lock_guard<std::mutex> changes(state.changes);
  state.closed = true;
  const auto end = Steady::now() + timeout;
  for (const auto& r : *state.snapshot()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Steady::now());
    r->destination->close(std::max(left, std::chrono::milliseconds(0)));
  }
}

RouterMetrics Router::metrics() const {
  const State& state = *state_;
  RouterMetrics m;
  m.events = state.events.load();
  m.none_matched = state.none_matched.load();
  std::shared_ptr<const Routes> routes;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    routes = state.routes;
    // Read under the lock that retire() folds them in with: each event counted once.
    m.all_delivered = state.all_delivered.load();
    m.some_failed = state.some_failed.load();
    for (const Route* r : state.retiring) {
      m.all_delivered += r->events_all_delivered.load();
      m.some_failed += r->events_some_failed.load();
    }
  }
  for (const auto& r : *routes) {
    m.all_delivered += r->events_all_delivered.load();
    m.some_failed += r->events_some_failed.load();
    DestinationMetrics d = r->destination->metrics();
    DestinationMetrics& t = m.total;
    t.published += d.published;
    t.delivered += d.delivered;
    t.failed += d.failed;
    t.not_matched += d.not_matched;
    t.retried += d.retried;
    t.requests += d.requests;
    t.in_flight += d.in_flight;
    t.buffered_bytes += d.buffered_bytes;
    t.latency_p50 = std::max(t.latency_p50, d.latency_p50);
    t.latency_p90 = std::max(t.latency_p90, d.latency_p90);
    t.latency_p99 = std::max(t.latency_p99, d.latency_p99);
    t.latency_max = std::max(t.latency_max, d.latency_max);
    t.spooled_events += d.spooled_events;
    t.spooled_bytes += d.spooled_bytes;
    t.replayed += d.replayed;
    t.spool_fsyncs += d.spool_fsyncs;
    m.destinations.emplace_back(r->id, std::move(d));
  }
  return m;
}

std::string RouterMetrics::to_json() const {
  std::string out = "{\"events\":" + std::to_string(events) +
                    ",\"none_matched\":" + std::to_string(none_matched) +
                    ",\"all_delivered\":" + std::to_string(all_delivered) +
                    ",\"some_failed\":" + std::to_string(some_failed) +
                    ",\"total\":" + total.to_json() + ",\"destinations\":[";
  bool first = true;
  for (const auto& [id, d] : destinations) {
    if (!first) out += ',';
    first = false;
    out += "{\"id\":";
    detail::append_json_string(out, id);
    out += ",\"metrics\":" + d.to_json() + "}";
  }
  return out + "]}";
}

}  // namespace eventdest
