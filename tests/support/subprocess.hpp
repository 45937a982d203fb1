// Runs a peer process (kinesis-local, the REST Proxy emulator, the mock Kafka tool) for a test:
// starts it with a pipe on stdout, waits for a readiness line, and kills it in the destructor so
// every test stops what it starts.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace eventdest::test {

class Subprocess {
 public:
  /// Starts argv[0] (searched in PATH) with extra environment variables; stderr is appended to
  /// `log_file` when given (else inherited).
  Subprocess(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
             std::string log_file = {});
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  /// Reads stdout lines until one starts with `prefix`; returns the rest of that line.
  /// Throws std::runtime_error (with what was read) on EOF or timeout.
  std::string wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout);
  /// Sends SIGTERM, waits up to 5 s, then SIGKILL. Idempotent.
  void stop();
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int stdout_fd_ = -1;
  int stdin_fd_ = -1;
  std::string buffer_;
};

/// A free TCP port on 127.0.0.1 (bound and released; good enough for test peers).
int free_port();
/// A port on 127.0.0.1 that refuses connections: bound without listening, so that no other
/// test running at the same time can be given it (free_port() cannot promise that). release()
/// frees it, for a server to start there.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort() { release(); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  int port() const { return port_; }
  void release();

 private:
  int fd_ = -1;
  int port_ = 0;
};

/// Debian's python3 (which has python3-boto3), falling back to python3 in PATH.
std::string system_python();

}  // namespace eventdest::test
