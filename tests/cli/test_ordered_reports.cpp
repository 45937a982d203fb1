// The CLI's ordered report ring: reports set from several threads in any order come out in slot
// order, each slot's first report wins (also after the ring has wrapped), the backlog is bounded,
// a failed stdout counts what it lost, and a stopped run fills the gaps.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ordered_reports.hpp"
#include "report_writer.hpp"
#include "support/catch.hpp"

using eventdest::DeliveryStatus;
using eventdest::cli::OrderedReports;
using eventdest::cli::ReportWriter;

namespace {

// A temporary file to print into, read back whole.
class Output {
 public:
  Output() {
    char name[] = "/tmp/eventdest-ordered-reports-XXXXXX";
    fd_ = ::mkstemp(name);
    REQUIRE(fd_ >= 0);
    ::unlink(name);
  }
  ~Output() { ::close(fd_); }
  int fd() const { return fd_; }
  std::string text() const {
    std::string all;
    char buffer[65536];
    ssize_t n;
    off_t at = 0;
    while ((n = ::pread(fd_, buffer, sizeof buffer, at)) > 0) {
      all.append(buffer, static_cast<std::size_t>(n));
      at += n;
    }
    return all;
  }

 private:
  int fd_ = -1;
};

std::string numbered_lines(std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i)
    out += "r" + std::to_string(i) + "\n";
  return out;
}

}  // namespace

TEST_CASE("reports set out of order are printed in slot order, the first one per slot",
          "[cli][ordered]") {
  Output file;
  ReportWriter out(file.fd());
  OrderedReports reports(8);
  for (std::size_t line = 1; line <= 4; ++line)
    REQUIRE(reports.reserve(line) == line - 1);
  reports.set(2, "r2", DeliveryStatus::delivered);
  reports.set(1, "r1", DeliveryStatus::failed);
  auto round = reports.print_ready(out);
  CHECK(round.printed == 0);  // slot 0 holds the rest back
  CHECK(round.missing == 4);
  reports.set(0, "r0", DeliveryStatus::delivered);
  reports.set(1, "second report for slot 1", DeliveryStatus::delivered);
  round = reports.print_ready(out);
  CHECK(round.printed == 3);
  CHECK(round.missing == 1);
  // An empty report takes its place in the order and prints nothing.
  reports.set(3, "", DeliveryStatus::not_matched);
  round = reports.print_ready(out);
  CHECK(round.printed == 1);
  CHECK(round.missing == 0);
  CHECK(file.text() == "r0\nr1\nr2\n");
  CHECK(reports.delivered() == 2);
  CHECK(reports.failed() == 1);
  CHECK(reports.not_matched() == 1);
}

TEST_CASE("a late report for a slot printed before the ring wrapped changes nothing",
          "[cli][ordered]") {
  Output file;
  ReportWriter out(file.fd());
  OrderedReports reports(1);  // one chunk of cells: slot 0 and slot 1024 share a cell
  std::size_t slot = 0;
  for (; slot < 1024; ++slot) {
    REQUIRE(reports.wait_for_room(std::chrono::milliseconds(0)));
    reports.reserve(slot + 1);
    REQUIRE_FALSE(reports.wait_for_room(std::chrono::milliseconds(0)));  // max_pending 1
    reports.set(slot, "r" + std::to_string(slot), DeliveryStatus::delivered);
    reports.print_ready(out);
  }
  REQUIRE(reports.reserve(slot + 1) == 1024);
  reports.set(0, "late report for slot 0", DeliveryStatus::failed);
  reports.set(1024, "r1024", DeliveryStatus::delivered);
  reports.print_ready(out);
  CHECK(file.text() == numbered_lines(0, 1025));
  CHECK(reports.delivered() == 1025);
  CHECK(reports.failed() == 0);
}

TEST_CASE("a full backlog holds the reader until the printer makes room", "[cli][ordered]") {
  Output file;
  ReportWriter out(file.fd());
  OrderedReports reports(3);
  for (std::size_t i = 0; i < 3; ++i)
    reports.reserve(i + 1);
  CHECK_FALSE(reports.wait_for_room(std::chrono::milliseconds(20)));
  std::thread printer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    reports.set(0, "r0", DeliveryStatus::delivered);
    reports.print_ready(out);
  });
  // Woken by the printer, long before the timeout.
  const auto start = std::chrono::steady_clock::now();
  CHECK(reports.wait_for_room(std::chrono::seconds(30)));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  printer.join();
}

TEST_CASE("a printer asleep wakes for the report it waits for", "[cli][ordered]") {
  Output file;
  ReportWriter out(file.fd());
  OrderedReports reports(4);
  reports.reserve(1);
  reports.reserve(2);
  std::thread reporter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    reports.set(1, "r1", DeliveryStatus::delivered);  // not the one the printer waits for
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    reports.set(0, "r0", DeliveryStatus::delivered);
  });
  const auto start = std::chrono::steady_clock::now();
  while (reports.print_ready(out).missing > 0)
    reports.wait_for_change(std::chrono::seconds(30));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  reporter.join();
  CHECK(file.text() == "r0\nr1\n");
}

TEST_CASE("reports from several threads in random order come out in input order",
          "[cli][ordered]") {
  constexpr std::size_t kEvents = 200000;
  constexpr std::size_t kThreads = 4;
  Output file;
  ReportWriter out(file.fd());
  OrderedReports reports(1000);
  std::atomic<bool> reading{true};
  std::thread printer([&] {
    while (true) {
      const bool done = !reading.load();
      if (reports.print_ready(out).missing == 0 && done) break;
      reports.wait_for_change(std::chrono::milliseconds(100));
    }
  });
  // The reader hands each slot to a reporter thread; each reports its slots in shuffled groups.
  std::vector<std::vector<std::size_t>> queues(kThreads);
  std::vector<std::thread> reporters;
  std::mutex queue_mutex;
  std::atomic<bool> done_reserving{false};
  for (std::size_t t = 0; t < kThreads; ++t) {
    reporters.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      while (true) {
        std::vector<std::size_t> mine;
        const bool last = done_reserving.load();
        {
          std::lock_guard<std::mutex> lock(queue_mutex);
          mine.swap(queues[t]);
        }
        std::shuffle(mine.begin(), mine.end(), random);
        for (std::size_t slot : mine) {
          reports.set_with(slot, DeliveryStatus::delivered, false,
                           [slot](std::string& text) { text += "r" + std::to_string(slot); });
          reports.set(slot, "duplicate", DeliveryStatus::failed);
        }
        if (last && mine.empty()) break;
        if (mine.empty()) std::this_thread::yield();
      }
    });
  }
  for (std::size_t i = 0; i < kEvents; ++i) {
    while (!reports.wait_for_room(std::chrono::milliseconds(100))) {
    }
    const std::size_t slot = reports.reserve(i + 1);
    std::lock_guard<std::mutex> lock(queue_mutex);
    queues[slot % kThreads].push_back(slot);
  }
  done_reserving = true;
  for (auto& r : reporters)
    r.join();
  reading = false;
  reports.wake();
  printer.join();
  CHECK(file.text() == numbered_lines(0, kEvents));
  CHECK(reports.delivered() == kEvents);
  CHECK(reports.failed() == 0);
}

TEST_CASE("a stopped run reports its missing slots interrupted", "[cli][ordered]") {
  Output file;
  ReportWriter out(file.fd());
  OrderedReports reports(8);
  for (std::size_t line = 10; line < 14; ++line)
    reports.reserve(line);
  reports.set(1, "r1", DeliveryStatus::delivered);
  CHECK(reports.fill_missing([](std::size_t line) { return "i" + std::to_string(line); }) == 3);
  reports.print_ready(out);
  CHECK(file.text() == "i10\nr1\ni12\ni13\n");
  CHECK(reports.interrupted() == 3);
  CHECK(reports.failed() == 3);
  CHECK(reports.first_interrupted_line() == 10);
}

TEST_CASE("reports that cannot be written are counted as lost", "[cli][ordered]") {
  const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  REQUIRE(full >= 0);
  ReportWriter out(full);
  OrderedReports reports(8);
  for (std::size_t line = 1; line <= 3; ++line)
    reports.reserve(line);
  reports.set(0, "r0", DeliveryStatus::delivered);
  reports.set(1, "two\nlines", DeliveryStatus::delivered);
  reports.set(2, "r2", DeliveryStatus::delivered);
  CHECK(reports.print_ready(out).printed == 3);
  CHECK(out.error() == ENOSPC);
  CHECK(out.lost() == 4);
  // The backlog is freed all the same: a failed stdout never holds the reader.
  CHECK(reports.wait_for_room(std::chrono::milliseconds(0)));
  ::close(full);
}

TEST_CASE("a report that cannot be formatted still takes its line", "[cli][ordered]") {
  Output file;
  ReportWriter out(file.fd());
  OrderedReports reports(8);
  reports.reserve(7);
  reports.reserve(8);
  CHECK_THROWS_AS(reports.set_with(0, DeliveryStatus::delivered, false,
                                   [](std::string&) { throw std::bad_alloc(); }),
                  std::bad_alloc);
  reports.set(1, "r1", DeliveryStatus::delivered);
  CHECK(reports.print_ready(out).missing == 0);  // the printer is not held by slot 0
  CHECK(file.text() ==
        "{\"status\":\"failed\",\"error\":\"internal\",\"retryable\":false,\"line\":7,"
        "\"message\":\"the report could not be formatted\"}\nr1\n");
  CHECK(reports.failed() == 1);
  CHECK(reports.delivered() == 1);
}
