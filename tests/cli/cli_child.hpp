// Runs the eventdest CLI as a child process the test can feed line by line, signal, and watch:
// stdin is a pipe the test holds, stdout and stderr go to files (or stdout to a given fd).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace eventdest::test {

class CliChild {
 public:
  /// `stdout_fd` >= 0: the child's stdout (e.g. a pipe end or /dev/full); else a file.
  CliChild(const std::vector<std::string>& args, int stdout_fd = -1) {
    char dir[] = "/tmp/eventdest-child-XXXXXX";
    dir_ = mkdtemp(dir);
    int in[2];
    if (pipe(in) != 0) std::abort();
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      close(in[0]);
      close(in[1]);
      const int out =
          stdout_fd >= 0 ? stdout_fd : ::open((dir_ + "/out").c_str(), O_WRONLY | O_CREAT, 0600);
      const int err = ::open((dir_ + "/err").c_str(), O_WRONLY | O_CREAT, 0600);
      dup2(out, 1);
      dup2(err, 2);
      std::vector<char*> argv;
      std::string exe = EVENTDEST_CLI;
      argv.push_back(exe.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(exe.c_str(), argv.data());
      _exit(127);
    }
    close(in[0]);
    stdin_ = in[1];
  }
  ~CliChild() {
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0 && exit_code_ == -2) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::system(("rm -rf " + dir_).c_str());
  }
  void write(const std::string& s) {
    for (std::size_t done = 0; done < s.size();) {
      const ssize_t n = ::write(stdin_, s.data() + done, s.size() - done);
      if (n <= 0) return;  // the child stopped reading
      done += static_cast<std::size_t>(n);
    }
  }
  void close_stdin() {
    close(stdin_);
    stdin_ = -1;
  }
  void signal(int sig) { kill(pid_, sig); }
  pid_t pid() const { return pid_; }
  /// Waits for the exit (up to `limit`); returns the exit code, -1 if killed by a signal, -2 if
  /// still running.
  int wait(std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (exit_code_ == -2 && std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_code_;
  }
  std::string out() const { return slurp(dir_ + "/out"); }
  std::string err() const { return slurp(dir_ + "/err"); }
  /// Waits until `done()` holds, up to `limit`; returns whether it did.
  static bool until(const std::function<bool()>& done,
                    std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

 private:
  static std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string dir_;
  pid_t pid_ = -1;
  int stdin_ = -1;
  int exit_code_ = -2;
};

/// The lines of a process's output.
inline std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string l; std::getline(in, l);)
    out.push_back(l);
  return out;
}

}  // namespace eventdest::test
