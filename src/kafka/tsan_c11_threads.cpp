// ThreadSanitizer builds only: librdkafka (Debian's) creates its threads and locks with C11
// <threads.h> (thrd_create, mtx_lock, cnd_wait, ...), which glibc implements on pthreads
// internally and GCC 12's TSan does not intercept. Threads created that way crash in TSan's
// allocator and their locking is invisible (false races). These definitions, linked into each
// executable that uses the adapter, take precedence over glibc's and forward to the pthread
// functions TSan does intercept. glibc's mtx_t/cnd_t/thrd_t are its pthread types underneath.
#if defined(__SANITIZE_THREAD__)
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <ctime>

namespace {

int result(int rc) {
  if (rc == 0) return thrd_success;
  if (rc == ENOMEM) return thrd_nomem;
  if (rc == EBUSY) return thrd_busy;
  if (rc == ETIMEDOUT) return thrd_timedout;
  return thrd_error;
}

pthread_mutex_t* mutex(mtx_t* m) {
  return reinterpret_cast<pthread_mutex_t*>(m);
}
pthread_cond_t* cond(cnd_t* c) {
  return reinterpret_cast<pthread_cond_t*>(c);
}

struct Start {
  thrd_start_t func;
  void* arg;
};

void* run(void* p) {
  const Start start = *static_cast<Start*>(p);
  delete static_cast<Start*>(p);
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(start.func(start.arg)));
}

}  // namespace

extern "C" {

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  auto* start = new Start{func, arg};
  const int rc = pthread_create(thr, nullptr, run, start);
  if (rc != 0) delete start;
  return result(rc);
}

int thrd_join(thrd_t thr, int* res) {
  void* value = nullptr;
  const int rc = pthread_join(thr, &value);
  if (rc == 0 && res) *res = static_cast<int>(reinterpret_cast<std::intptr_t>(value));
  return result(rc);
}

int thrd_detach(thrd_t thr) {
  return result(pthread_detach(thr));
}

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if (type & mtx_recursive) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  const int rc = pthread_mutex_init(mutex(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return result(rc);
}
int mtx_lock(mtx_t* m) {
  return result(pthread_mutex_lock(mutex(m)));
}
int mtx_trylock(mtx_t* m) {
  return result(pthread_mutex_trylock(mutex(m)));
}
int mtx_timedlock(mtx_t* m, const struct timespec* until) {
  return result(pthread_mutex_timedlock(mutex(m), until));
}
int mtx_unlock(mtx_t* m) {
  return result(pthread_mutex_unlock(mutex(m)));
}
void mtx_destroy(mtx_t* m) {
  pthread_mutex_destroy(mutex(m));
}

int cnd_init(cnd_t* c) {
  return result(pthread_cond_init(cond(c), nullptr));
}
int cnd_signal(cnd_t* c) {
  return result(pthread_cond_signal(cond(c)));
}
int cnd_broadcast(cnd_t* c) {
  return result(pthread_cond_broadcast(cond(c)));
}
int cnd_wait(cnd_t* c, mtx_t* m) {
  return result(pthread_cond_wait(cond(c), mutex(m)));
}
int cnd_timedwait(cnd_t* c, mtx_t* m, const struct timespec* until) {
  return result(pthread_cond_timedwait(cond(c), mutex(m), until));
}
void cnd_destroy(cnd_t* c) {
  pthread_cond_destroy(cond(c));
}

}  // extern "C"
#endif
