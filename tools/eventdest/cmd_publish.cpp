#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "cli.hpp"
#include "core/json_util.hpp"
#include "eventdest/destination.hpp"
#include "eventdest/log.hpp"

namespace eventdest::cli {
namespace {

// Reports arrive on library threads in any order; they are printed in input order so line N of
// the output is the report for event N.
class OrderedReports {
 public:
  std::size_t reserve() {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.emplace_back();
    return base_ + pending_.size() - 1;
  }
  void set(std::size_t index, std::string line, DeliveryStatus status) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_[index - base_] = std::move(line);
    switch (status) {
      case DeliveryStatus::delivered:
        ++delivered_;
        break;
      case DeliveryStatus::failed:
        ++failed_;
        break;
      case DeliveryStatus::not_matched:
        ++not_matched_;
        break;
    }
    cv_.notify_all();
  }
  /// Prints the ready prefix; returns how many reports are still missing.
  std::size_t print_ready() {
    std::lock_guard<std::mutex> lock(mutex_);
    while (!pending_.empty() && pending_.front()) {
      std::fwrite(pending_.front()->data(), 1, pending_.front()->size(), stdout);
      std::fputc('\n', stdout);
      pending_.pop_front();
      ++base_;
    }
    return pending_.size();
  }
  void wait_for_change(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, d);
  }
  std::size_t delivered() const {
    std::lock_guard<std::mutex> l(mutex_);
    return delivered_;
  }
  std::size_t failed() const {
    std::lock_guard<std::mutex> l(mutex_);
    return failed_;
  }
  std::size_t not_matched() const {
    std::lock_guard<std::mutex> l(mutex_);
    return not_matched_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::optional<std::string>> pending_;
  std::size_t base_ = 0;
  std::size_t delivered_ = 0, failed_ = 0, not_matched_ = 0;
};

std::string invalid_line_report(std::size_t line, const std::string& message) {
  std::string out =
      "{\"status\":\"failed\",\"error\":\"invalid_event\",\"retryable\":false,\"line\":";
  out += std::to_string(line);
  out += ",\"message\":";
  detail::append_json_string(out, message);
  out += "}";
  return out;
}

// A line of --raw input (a webhook body): the data of an event on `topic`, with a generated id and
// the current time. A trailing CR (CRLF input) is not part of the data.
Event raw_event(const std::string& topic, std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return Event(topic, std::move(line));
}

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
  auto spec = load_spec(args.destination);
  if (!spec) return kExitUsage;
  // Library warnings (e.g. TLS verification disabled) go to stderr; stdout stays reports only.
  set_log_handler(
      [](LogLevel level, std::string_view message) {
        std::fprintf(stderr, "eventdest: %s: %.*s\n", to_string(level),
                     static_cast<int>(message.size()), message.data());
      },
      LogLevel::warning);
  std::unique_ptr<Destination> destination;
  try {
    destination = make_destination(*spec);
  } catch (const ConfigError& e) {
    std::cerr << "eventdest: cannot create the destination:\n";
    print_problems(e);
    return kExitUsage;
  }
  std::unique_ptr<std::istream> in;
  try {
    in = open_input(args.input);
  } catch (const std::exception& e) {
    std::cerr << "eventdest publish: " << e.what() << "\n";
    return kExitUsage;
  }

  const bool progress = isatty(STDERR_FILENO) != 0;
  const auto started = std::chrono::steady_clock::now();
  OrderedReports reports;
  std::atomic<bool> reading{true};
  std::size_t total = 0;

  // A printer thread keeps stdout flowing (and memory flat) while input is still being read.
  std::thread printer([&] {
    auto last_progress = std::chrono::steady_clock::now();
    while (true) {
      const bool done_reading = !reading.load();
      const std::size_t missing = reports.print_ready();
      if (progress &&
          std::chrono::steady_clock::now() - last_progress > std::chrono::milliseconds(200)) {
        last_progress = std::chrono::steady_clock::now();
        std::fprintf(stderr, "\r%zu delivered, %zu failed, %zu waiting   ", reports.delivered(),
                     reports.failed(), missing);
      }
      if (done_reading && missing == 0) break;
      reports.wait_for_change(std::chrono::milliseconds(100));
    }
    std::fflush(stdout);
  });

  std::string line;
  std::size_t number = 0;
  while (std::getline(*in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++total;
    const std::size_t slot = reports.reserve();
    try {
      Event event = args.raw ? raw_event(*args.topic, std::move(line)) : Event::from_json(line);
      destination->publish(std::move(event), [&reports, slot](const DeliveryReport& r) {
        reports.set(slot, r.to_json(), r.status);
      });
    } catch (const EventError& e) {
      reports.set(slot, invalid_line_report(number, e.what()), DeliveryStatus::failed);
    }
  }
  destination->close();  // flushes; every event has its report when it returns
  reading = false;
  printer.join();

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (progress) std::fprintf(stderr, "\r%60s\r", "");
  const auto m = destination->metrics();
  std::fprintf(stderr,
               "eventdest: %zu events to %s: %zu delivered, %zu failed, %zu not matched "
               "(%.2f s, %.0f events/s)\n",
               total, destination->to_string().c_str(), reports.delivered(), reports.failed(),
               reports.not_matched(), seconds,
               seconds > 0 ? static_cast<double>(total) / seconds : 0.0);
  std::string requests;  // librdkafka batches on its own: no request count for kafka
  if (m.requests > 0) {
    requests = std::to_string(m.requests) + " requests, " + std::to_string(m.retried) +
               " retried attempts; ";
  }
  std::fprintf(stderr, "eventdest: %slatency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
               requests.c_str(), m.latency_p50.count() / 1000.0, m.latency_p99.count() / 1000.0,
               m.latency_max.count() / 1000.0);
  return reports.failed() == 0 ? kExitOk : kExitFailed;
}

}  // namespace eventdest::cli
