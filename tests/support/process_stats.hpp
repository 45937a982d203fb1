// Resident memory of this process (tests and benchmarks that bound memory).
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace eventdest::test {

inline long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

}  // namespace eventdest::test
