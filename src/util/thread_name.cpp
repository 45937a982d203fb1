#include "util/thread_name.hpp"

#if defined(__linux__)
#include <pthread.h>
#endif

namespace eventdest::detail {

void set_thread_name(const char* name) noexcept {
#if defined(__linux__)
  pthread_setname_np(pthread_self(), name);  // best effort: a failure changes nothing else
#else
  (void)name;
#endif
}

}  // namespace eventdest::detail
