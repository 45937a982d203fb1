#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "cli.hpp"
#include "eventdest/destination.hpp"
#include "eventdest/log.hpp"
#include "eventdest/router.hpp"
#include "failed_line_report.hpp"
#include "line_reader.hpp"
#include "ordered_reports.hpp"
#include "progress_display.hpp"
#include "report_writer.hpp"
#include "stop_signals.hpp"
#include "util/thread_name.hpp"

namespace eventdest::cli {
namespace {

// A line of --raw input (a webhook body): the data of an event on `topic`, with a generated id and
// the current time. A trailing CR (CRLF input) is not part of the data.
Event raw_event(const std::string& topic, std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return Event(topic, std::string(line));
}

constexpr const char* kInterruptedMessage =
    "stopped by a signal before the outcome was known; the event may have been written";

}  // namespace

int cmd_publish(const Args& args) {
  if (!args.positional.empty()) {
    std::cerr << "eventdest publish: unexpected argument " << args.positional[0] << "\n";
    return kExitUsage;
  }
  if (args.raw != args.topic.has_value() || (args.topic && args.topic->empty())) {
    std::cerr << "eventdest publish: --raw and --topic T go together (each input line is the data "
                 "of an event on topic T)\n";
    return kExitUsage;
  }
  // One destination, or several through a Router (--destination twice or more, --destinations).
  std::optional<DestinationSpec> spec;
  std::optional<std::string> routes_json;
  if (several_destinations(args)) {
    routes_json = destinations_json(args);
    if (!routes_json) return kExitUsage;
  } else {
    spec = load_spec(args.destination);
    if (!spec) return kExitUsage;
  }
  // Library warnings (e.g. TLS verification disabled) go to stderr; stdout stays reports only.
  set_log_handler(
      [](LogLevel level, std::string_view message) {
        std::fprintf(stderr, "eventdest: %s: %.*s\n", to_string(level),
                     static_cast<int>(message.size()), message.data());
      },
      LogLevel::warning);
  std::unique_ptr<Destination> destination;
  std::unique_ptr<Router> router;
  try {
    if (spec) {
      destination = make_destination(*spec);
    } else {
      router = Router::from_json(*routes_json);
    }
  } catch (const ConfigError& e) {
    std::cerr << "eventdest: cannot create the destination:\n";
    print_problems(e);
    return kExitUsage;
  }
  std::size_t skip_lines = 0;
  if (args.skip_lines) {
    const auto n = parse_count(*args.skip_lines);
    if (!n) {
      std::cerr << "eventdest publish: --skip-lines needs a whole number, not " << *args.skip_lines
                << "\n";
      return kExitUsage;
    }
    skip_lines = *n;
  }
  // Reports held back for input order: about 0.3 KB each, so the default bounds them to some
  // tens of MB whatever the input size.
  std::size_t max_pending = 100000;
  if (args.max_pending) {
    const auto n = parse_count(*args.max_pending);
    if (!n || *n == 0) {
      std::cerr << "eventdest publish: --max-pending needs a whole number above 0, not "
                << *args.max_pending << "\n";
      return kExitUsage;
    }
    max_pending = *n;
  }
  double drain_seconds = 30;
  if (args.drain_timeout) {
    const auto s = parse_seconds(*args.drain_timeout);
    if (!s) {
      std::cerr << "eventdest publish: --drain-timeout needs a number of seconds, not "
                << *args.drain_timeout << "\n";
      return kExitUsage;
    }
    drain_seconds = *s;
  }
  std::optional<LineReader> in;
  try {
    in.emplace(LineReader::open(args.input));
  } catch (const std::exception& e) {
    std::cerr << "eventdest publish: " << e.what() << "\n";
    return kExitUsage;
  }
  StopSignals signals;

  const bool progress = args.progress.value_or(isatty(STDERR_FILENO) != 0);
  ProgressDisplay display(progress ? stderr : nullptr, in->size());
  std::atomic<std::size_t> read_events{0};
  // The printer asks the destination for its metrics; the main thread may destroy it early.
  std::mutex destination_mutex;
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> route_ids;
  std::string description;
  if (router) {
    route_ids = router->ids();
    description = std::to_string(route_ids.size()) + " destinations";
  } else {
    description = destination->to_string();
  }
  // Per destination of a router: its index (for output order) and its outcome counts.
  std::map<std::string, std::size_t> route_index;
  for (std::size_t i = 0; i < route_ids.size(); ++i)
    route_index[route_ids[i]] = i;
  std::vector<std::atomic<std::size_t>> route_delivered(route_ids.size());
  std::vector<std::atomic<std::size_t>> route_failed(route_ids.size());
  OrderedReports reports(max_pending);
  ReportWriter out(STDOUT_FILENO);
  std::atomic<bool> reading{true};
  // Set before the destination is destroyed early: its `closed` reports become `interrupted`.
  std::atomic<bool> interrupting{false};
  std::size_t total = 0;

  // A printer thread writes each report as soon as it and those before it are in (memory stays
  // flat while input is still being read). When stdout fails it wakes the reader to stop.
  std::thread printer([&] {
    detail::set_thread_name("eventdest-print");
    bool told = false;
    while (true) {
      const bool done_reading = !reading.load();
      const auto round = reports.print_ready(out);
      const std::size_t missing = round.missing;
      if (out.error() != 0 && !told) {
        told = true;
        signals.wake();
      }
      if (progress) {
        ProgressDisplay::Snapshot s;
        s.read = read_events.load();
        s.delivered = reports.delivered();
        s.failed = reports.failed();
        s.not_matched = reports.not_matched();
        s.in_flight = missing;
        s.bytes_read = in->bytes_read();
        {
          std::lock_guard<std::mutex> lock(destination_mutex);
          if (destination) s.retried = destination->metrics().retried;
          if (router) s.retried = router->metrics().total.retried;
        }
        display.update(s);
      }
      if (done_reading && missing == 0) break;
      if (round.printed > 0 && missing > 0) {
        // Reports are flowing: print them a millisecond's worth at a time rather than waking
        // on each one (a wake-up per report cost more than writing it).
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      } else {
        reports.wait_for_change(std::chrono::milliseconds(100));
      }
    }
  });

  // What every report callback needs, reached through one pointer: with the slot the capture is
  // 16 bytes, which std::function keeps inline (no allocation per event).
  struct ReportContext {
    OrderedReports& reports;
    std::atomic<bool>& interrupting;
  } context{reports, interrupting};
  auto on_report = [context = &context](std::size_t slot) {
    return [context, slot](const DeliveryReport& r) {
      if (context->interrupting.load() && r.status == DeliveryStatus::failed &&
          r.error == make_error_code(errc::closed)) {
        DeliveryReport copy = r;
        copy.error = make_error_code(errc::interrupted);
        copy.retryable = false;
        copy.message = kInterruptedMessage;
        context->reports.set(slot, copy.to_json(), copy.status, true);
      } else {
        context->reports.set_with(slot, r.status, false,
                                  [&r](std::string& text) { r.append_json(text); });
      }
    };
  };

  // A router's reports of one event: one line per matched destination, in the destinations'
  // order, printed together at the event's place once all have reported.
  struct RoutedEvent {
    std::mutex mutex;
    std::vector<std::string> lines;
    bool interrupted = false;
  };
  auto publish_routed = [&](Event event, std::size_t slot) {
    auto routed = std::make_shared<RoutedEvent>();
    routed->lines.resize(route_ids.size());
    router->publish(
        std::move(event),
        [&, routed](const DeliveryReport& r) {
          const auto at = route_index.find(r.destination_id);
          const std::size_t index = at == route_index.end() ? 0 : at->second;
          const bool closed =
              r.status == DeliveryStatus::failed && r.error == make_error_code(errc::closed);
          std::string line;
          if (interrupting.load() && closed) {
            DeliveryReport copy = r;
            copy.error = make_error_code(errc::interrupted);
            copy.retryable = false;
            copy.message = kInterruptedMessage;
            line = copy.to_json();
          } else {
            line = r.to_json();
          }
          ++(r.delivered() ? route_delivered : route_failed)[index];
          std::lock_guard<std::mutex> lock(routed->mutex);
          routed->interrupted |= interrupting.load() && closed;
          routed->lines[index] = std::move(line);
        },
        [&, routed, slot](const EventCompletion& c) {
          std::string joined;
          bool interrupted = false;
          {
            std::lock_guard<std::mutex> lock(routed->mutex);
            for (auto& line : routed->lines) {
              if (line.empty()) continue;
              if (!joined.empty()) joined += '\n';
              joined += line;
            }
            interrupted = routed->interrupted;
          }
          const DeliveryStatus status =
              c.outcome == EventCompletion::Outcome::none_matched    ? DeliveryStatus::not_matched
              : c.outcome == EventCompletion::Outcome::all_delivered ? DeliveryStatus::delivered
                                                                     : DeliveryStatus::failed;
          reports.set(slot, std::move(joined), status, interrupted);
        });
  };

  int stop_signal = 0;  // the first SIGINT/SIGTERM
  bool stop_now = false;
  std::string input_error;
  std::string_view line;  // the reader's buffer: parsed before the next line is read

  // Events a previous run left in the destination's spool go first, before any input: their
  // reports (`replayed`: true) take the first output lines, in the order they complete.
  std::atomic<std::size_t> replay_reports{0};
  // (A router's destinations replay their spools at their first event, reporting to the log.)
  // Replay reports may come from more than one library thread; slots are reserved by one at a
  // time, each waiting for room like the reader (the printer drains them: they are complete).
  std::mutex replay_mutex;
  const std::size_t replayed = !destination ? 0 : destination->replay([&](const DeliveryReport& r) {
    std::lock_guard<std::mutex> lock(replay_mutex);
    while (!reports.wait_for_room(std::chrono::milliseconds(100))) {
    }
    const std::size_t slot = reports.reserve(0);
    reports.set_with(slot, r.status, false, [&r](std::string& text) { r.append_json(text); });
    ++replay_reports;
  });
  if (replayed > 0) {
    std::fprintf(stderr,
                 "eventdest: %zu events from the spool of a previous run are published first\n",
                 replayed);
    total += replayed;
    read_events.store(total, std::memory_order_relaxed);
    // Until they all have reports: input events' lines follow theirs.
    while (replay_reports.load() < replayed) {
      if (destination) destination->flush(std::chrono::milliseconds(100));
      int first = 0;
      if (signals.take(first) > 0) {
        stop_signal = first;
        break;
      }
    }
  }
  while (stop_signal == 0) {
    // A full backlog (an early event still without its report): read on once it has room,
    // still answering signals and a failed stdout meanwhile.
    while (!reports.wait_for_room(std::chrono::milliseconds(100))) {
      int first = 0;
      const int count = signals.take(first);
      if (count > 0) {
        stop_signal = first;
        stop_now = count > 1;
      }
      if (stop_signal != 0 || out.error() != 0) break;
    }
    if (stop_signal != 0 || out.error() != 0) break;
    const auto got = in->next(line, signals.wake_fd());
    if (got == LineReader::Result::woken) {
      int first = 0;
      const int count = signals.take(first);
      if (count > 0) {
        stop_signal = first;
        stop_now = count > 1;  // two signals before the reader woke up
      }
      if (stop_signal != 0 || out.error() != 0) break;
      continue;
    }
    if (got == LineReader::Result::eof) break;
    if (got == LineReader::Result::error) {
      input_error = in->error();
      break;
    }
    const std::size_t number = in->lines();
    if (number <= skip_lines) continue;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    ++total;
    read_events.store(total, std::memory_order_relaxed);
    const std::size_t slot = reports.reserve(number);
    try {
      Event event = args.raw ? raw_event(*args.topic, line) : Event::from_json(line);
      if (router) {
        publish_routed(std::move(event), slot);
      } else {
        destination->publish(std::move(event), on_report(slot));
      }
    } catch (const EventError& e) {
      reports.set(slot, failed_line_report(number, "invalid_event", e.what()),
                  DeliveryStatus::failed);
    }
    if (out.error() != 0) break;
  }
  const std::size_t consumed = in->lines();

  // Drain: wait for every report. After a signal, for at most --drain-timeout; a second signal
  // ends the wait at once.
  using clock = std::chrono::steady_clock;
  std::optional<clock::time_point> deadline;
  const auto drain =
      std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(drain_seconds));
  if (stop_signal != 0) deadline = clock::now() + drain;
  bool drained = false;
  while (!stop_now) {
    const auto slice = std::chrono::milliseconds(100);
    if (deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - clock::now());
      if (left.count() <= 0) break;
      drained =
          router ? router->flush(std::min(slice, left)) : destination->flush(std::min(slice, left));
    } else {
      drained = router ? router->flush(slice) : destination->flush(slice);
    }
    if (drained) break;
    int first = 0;
    const int count = signals.take(first);
    if (count == 0) continue;
    if (stop_signal != 0 || count > 1) {
      if (stop_signal == 0) stop_signal = first;
      break;  // a second signal: stop now
    }
    stop_signal = first;
    deadline = clock::now() + drain;
  }
  const auto m = router ? router->metrics().total : destination->metrics();
  if (drained) {
    // Nothing left in flight: returns at once.
    if (router) {
      router->close();
    } else {
      destination->close();
    }
  } else {
    // Whatever has no report yet is reported `closed` by the destructor, rewritten above.
    interrupting = true;
    std::lock_guard<std::mutex> lock(destination_mutex);
    destination.reset();
    router.reset();
    reports.fill_missing([](std::size_t number) {
      // Normally the destination's own report, rewritten; this one only if it gave none.
      return failed_line_report(number, "interrupted", kInterruptedMessage);
    });
  }
  reading = false;
  reports.wake();
  printer.join();

  const double seconds = std::chrono::duration<double>(clock::now() - started).count();
  display.clear();
  std::fprintf(stderr,
               "eventdest: %zu events to %s: %zu delivered, %zu failed, %zu not matched "
               "(%.2f s, %.0f events/s)\n",
               total, description.c_str(), reports.delivered(), reports.failed(),
               reports.not_matched(), seconds,
               seconds > 0 ? static_cast<double>(total) / seconds : 0.0);
  for (std::size_t i = 0; i < route_ids.size(); ++i) {
    std::fprintf(stderr, "eventdest:   %s: %zu delivered, %zu failed\n", route_ids[i].c_str(),
                 route_delivered[i].load(), route_failed[i].load());
  }
  std::string requests;  // librdkafka batches on its own: no request count for kafka
  if (m.requests > 0) {
    requests = std::to_string(m.requests) + " requests, " + std::to_string(m.retried) +
               " retried attempts; ";
  }
  std::fprintf(stderr, "eventdest: %slatency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
               requests.c_str(), m.latency_p50.count() / 1000.0, m.latency_p99.count() / 1000.0,
               m.latency_max.count() / 1000.0);
  if (stop_signal != 0 || !input_error.empty() || out.error() != 0) {
    std::string why = stop_signal == SIGINT    ? "stopped by SIGINT"
                      : stop_signal == SIGTERM ? "stopped by SIGTERM"
                      : !input_error.empty()   ? "stopped by an input error"
                                               : "stopped: stdout failed";
    std::fprintf(stderr,
                 "eventdest: %s after %zu input lines consumed (resume with --skip-lines %zu)",
                 why.c_str(), consumed, consumed);
    if (reports.interrupted() > 0) {
      std::fprintf(stderr, "; %zu events interrupted, the first from input line %zu",
                   reports.interrupted(), reports.first_interrupted_line());
    }
    std::fprintf(stderr, "\n");
  }
  if (!input_error.empty()) std::fprintf(stderr, "eventdest publish: %s\n", input_error.c_str());
  if (out.error() != 0) {
    std::fprintf(stderr,
                 "eventdest publish: cannot write reports to stdout: %s; %zu reports lost\n",
                 std::strerror(out.error()), out.lost());
  }
  if (stop_signal != 0) return kExitSignalBase + stop_signal;
  if (!input_error.empty()) return kExitUsage;
  if (out.error() != 0) return kExitFailed;
  return reports.failed() == 0 ? kExitOk : kExitFailed;
}

}  // namespace eventdest::cli
