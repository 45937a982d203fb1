// A process that publishes through a spooled aws_kinesis destination, for the crash test (which
// kills it with SIGKILL at a random moment). Lines on stdout, written as they happen:
//   publish SINK DIR SYNC_MS PREFIX: "S P <id>" once publish() of <id> has returned, forever;
//   drain SINK DIR SYNC_MS: replays the spool, "S R <id> <status>" per replayed report, then
//   "S DONE <count>" once every one has a report.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

#include "eventdest/eventdest.hpp"

namespace {

void say(const std::string& line) {
  const std::string out = "S " + line + "\n";
  [[maybe_unused]] const ssize_t n = ::write(STDOUT_FILENO, out.data(), out.size());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace eventdest;
  if (argc < 5) return 2;
  const std::string mode = argv[1];
  const std::string spec =
      R"({"type":"aws_kinesis","config":{"stream_name":"s","region":"us-east-1","endpoint":")" +
      std::string(argv[2]) +
      R"(","linger_ms":2,"retry_backoff_ms":5,"retry_backoff_max_ms":50,)"
      R"("delivery_timeout_ms":600000,"spool":{"dir":")" +
      argv[3] + R"(","segment_bytes":65536,"sync_ms":)" + argv[4] +
      R"(}},"credentials":{"key":"AKIDEXAMPLE","secret":"secret"}})";
  auto d = make_destination(spec);
  if (mode == "drain") {
    std::atomic<std::size_t> reported{0};
    const std::size_t n = d->replay([&](const DeliveryReport& r) {
      say("R " + r.event_id + " " + to_string(r.status) + (r.replayed ? " replayed" : ""));
      ++reported;
    });
    while (reported.load() < n)
      d->flush(std::chrono::milliseconds(100));
    d->close();
    say("DONE " + std::to_string(n));
    return 0;
  }
  const std::string prefix = argc > 5 ? argv[5] : "e";
  d->replay(nullptr);
  for (long i = 0; i < 10000000; ++i) {
    Event e("orders", R"({"i":)" + std::to_string(i) + "}");
    e.set_id(prefix + "-" + std::to_string(i));
    const std::string id = e.id();
    d->publish(std::move(e), nullptr);
    say("P " + id);
  }
  return 0;
}
