// Embedding eventdest in a service: one destination built from a JSON spec file when the service
// starts, events published from several request threads with callbacks, failed events kept in a
// dead-letter file (nothing is lost silently), the library's log routed to the service's log,
// and the metrics snapshot printed at shutdown.
//
//   embed_in_service SPEC.json [EVENTS=1000] [DEAD_LETTER=dead-letter.ndjson]
#include <atomic>
#include <cstdio>
#include <eventdest/eventdest.hpp>
#include <eventdest/kafka.hpp>  // registers the native "kafka" type
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

class OrderEvents {
 public:
  OrderEvents(const std::string& spec_json, const std::string& dead_letter_path)
      : destination_(eventdest::make_destination(spec_json)), dead_letter_(dead_letter_path) {}

  // Called from request threads. Never blocks on the network: the report arrives later.
  void order_placed(const std::string& order_id, const std::string& customer_id) {
    eventdest::Event event(
        "orders", R"({"order_id":")" + order_id + R"(","customer_id":")" + customer_id + R"("})");
    event.metadata()["source"] = "checkout";
    destination_->publish(std::move(event), [this](const eventdest::DeliveryReport& report) {
      // Runs on a library thread: keep it short and never throw from here.
      if (report.delivered()) {
        delivered_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      std::lock_guard<std::mutex> lock(dead_letter_mutex_);
      dead_letter_ << report.to_json() << '\n';
      ++dead_lettered_;
    });
  }

  // Service shutdown: every accepted event gets its report before close() returns.
  void shutdown() {
    destination_->close();
    std::printf("delivered %llu, dead-lettered %llu\nmetrics %s\n",
                static_cast<unsigned long long>(delivered_.load()),
                static_cast<unsigned long long>(dead_lettered_),
                destination_->metrics().to_json().c_str());
  }

 private:
  std::unique_ptr<eventdest::Destination> destination_;
  std::atomic<std::uint64_t> delivered_{0};
  std::mutex dead_letter_mutex_;
  std::ofstream dead_letter_;
  std::uint64_t dead_lettered_ = 0;
};

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: embed_in_service SPEC.json [EVENTS] [DEAD_LETTER]\n");
    return 2;
  }
  std::ifstream spec_file(argv[1]);
  std::stringstream spec;
  spec << spec_file.rdbuf();
  const int events = argc > 2 ? std::stoi(argv[2]) : 1000;
  const std::string dead_letter = argc > 3 ? argv[3] : "dead-letter.ndjson";

  eventdest::set_log_handler(
      [](eventdest::LogLevel level, std::string_view message) {
        std::fprintf(stderr, "[eventdest %s] %.*s\n", eventdest::to_string(level),
                     static_cast<int>(message.size()), message.data());
      },
      eventdest::LogLevel::warning);

  try {
    OrderEvents service(spec.str(), dead_letter);
    std::vector<std::thread> request_threads;
    for (int t = 0; t < 4; ++t) {
      request_threads.emplace_back([&service, t, events] {
        for (int i = t; i < events; i += 4)
          service.order_placed("o-" + std::to_string(i), "c-" + std::to_string(i % 10));
      });
    }
    for (auto& thread : request_threads)
      thread.join();
    service.shutdown();
  } catch (const eventdest::ConfigError& e) {
    std::fprintf(stderr, "bad destination spec:\n%s\n", e.what());
    return 2;
  }
  return 0;
}
