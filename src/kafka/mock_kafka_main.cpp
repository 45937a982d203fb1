// eventdest-mock-kafka: serves librdkafka's mock cluster (no broker needed) for the CLI, kcat and
// the demo. Prints "BOOTSTRAP <host:port,...>" first, then serves until SIGTERM/SIGINT or until
// its standard input reaches end of file (so a parent that dies takes it along).
//   eventdest-mock-kafka [--brokers N] [--topic NAME:PARTITIONS]...
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "kafka/mock_cluster.hpp"

namespace {
std::atomic<bool> stop{false};
void on_signal(int) {
  stop = true;
}
}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--brokers" && i + 1 < argc) {
      brokers = std::atoi(argv[++i]);
    } else if (a == "--topic" && i + 1 < argc) {
      const std::string t = argv[++i];
      const auto colon = t.find(':');
      topics.emplace_back(t.substr(0, colon),
                          colon == std::string::npos ? 1 : std::atoi(t.c_str() + colon + 1));
    } else {
      std::fprintf(stderr,
                   "usage: eventdest-mock-kafka [--brokers N] [--topic NAME:PARTITIONS]...\n");
      return 2;
    }
  }
  if (brokers < 1) brokers = 1;
  try {
    eventdest::kafka::MockCluster cluster(brokers);
    for (const auto& [name, partitions] : topics)
      cluster.create_topic(name, partitions > 0 ? partitions : 1);
    std::printf("BOOTSTRAP %s\n", cluster.bootstraps().c_str());
    std::fflush(stdout);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    bool watch_stdin = true;
    while (!stop) {
      pollfd p{STDIN_FILENO, POLLIN, 0};
      if (watch_stdin && poll(&p, 1, 200) > 0) {
        char buffer[256];
        if (read(STDIN_FILENO, buffer, sizeof buffer) <= 0) break;  // EOF: the parent is gone
      } else if (!watch_stdin) {
        usleep(200000);
      }
      if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) watch_stdin = false;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eventdest-mock-kafka: %s\n", e.what());
    return 1;
  }
  return 0;
}
