#include "allocator_info.hpp"

#include <cstdint>
#include <cstdlib>

#if defined(EVENTDEST_CLI_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif

namespace eventdest::cli {

std::string allocator_description() {
#if defined(EVENTDEST_CLI_JEMALLOC)
  const char* version = nullptr;
  std::size_t size = sizeof version;
  std::string text = "jemalloc";
  if (mallctl("version", &version, &size, nullptr, 0) == 0 && version != nullptr)
    text += std::string(" ") + version;
  // jemalloc counts what its malloc hands this thread: a count that grows proves malloc is its.
  std::uint64_t before = 0, after = 0;
  size = sizeof before;
  mallctl("thread.allocated", &before, &size, nullptr, 0);
  void* volatile block = std::malloc(4096);
  size = sizeof after;
  mallctl("thread.allocated", &after, &size, nullptr, 0);
  std::free(block);
  if (after <= before) text += " (linked but not serving malloc)";
  return text;
#else
  return "the C library's malloc";
#endif
}

}  // namespace eventdest::cli
