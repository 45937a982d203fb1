// The files of one destination's spool: segments of framed records, their release journals, the
// lock that keeps a second process out, group commit, and byte accounting against max_bytes.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "eventdest/spec.hpp"

namespace eventdest::detail {

class SpoolStore {
 public:
  struct Recovered {
    std::uint64_t sequence = 0;
    std::string payload;
  };
  struct Stats {
    std::uint64_t events = 0;  ///< written and not released
    std::uint64_t bytes = 0;
    std::uint64_t fsyncs = 0;
    std::uint64_t torn_tails = 0;
    std::uint64_t damaged_records = 0;
  };
  enum class Appended { ok, full, failed };
  struct AppendResult {
    Appended status = Appended::failed;
    std::uint64_t sequence = 0;
    std::string error;  ///< failed: why (disk full, I/O error)
  };

  /// Opens the spool in `options.dir` (created if needed): takes its lock and reads every segment.
  /// `recovered` gets the records without a release, oldest first. Throws ConfigError
  /// (`config.spool.dir`) when the directory cannot be used or another process holds the lock.
  SpoolStore(SpoolOptions options, std::string label, std::vector<Recovered>& recovered);
  /// close().
  ~SpoolStore();
  /// Syncs, writes the release journals, deletes segments whose records are all released and
  /// lets go of the lock. Later appends return `full`. Idempotent.
  void close();
  SpoolStore(const SpoolStore&) = delete;
  SpoolStore& operator=(const SpoolStore&) = delete;

  /// Writes `payload` as a record. With sync 0, returns once it is fsynced (group commit: the
  /// writes of concurrent callers share one fsync). When max_bytes is reached: waits for room if
  /// `wait`, else returns `full`. `failed` leaves nothing of the record in the files.
  AppendResult append(std::string_view payload, bool wait);
  /// The record of `sequence` (`payload_bytes` long) has its final report.
  void release(std::uint64_t sequence, std::size_t payload_bytes);
  /// fsyncs what was written so far (flush()).
  void sync();
  /// Stops waiting appends (they return `full`); the destination is closing.
  void stop_waiting();
  /// Counts as of now (releases applied).
  Stats stats();
  const std::string& dir() const { return options_.dir; }

 private:
  struct Segment {
    std::string path;  // .seg
    int ack_fd = -1;   // .ack, opened at the first release
    std::string acks;  // release entries not yet written
    std::uint64_t unreleased = 0;
    bool active = false;  // being appended to
  };

  void recover(std::vector<Recovered>& recovered);
  bool open_active_locked(std::uint64_t first_sequence, std::uint64_t min_size, std::string& error);
  void close_active_locked();
  void roll_locked(std::unique_lock<std::mutex>& lock);
  void sync_locked(std::unique_lock<std::mutex>& lock);
  void write_acks_locked(Segment& segment);
  void apply_releases_locked();
  void remove_segment_locked(std::map<std::uint64_t, Segment>::iterator it);
  void background();

  const SpoolOptions options_;
  const std::string label_;
  int lock_fd_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable room_cv_;
  std::condition_variable sync_cv_;
  std::condition_variable stop_cv_;            // the background thread's tick
  std::map<std::uint64_t, Segment> segments_;  // by first sequence
  int active_fd_ = -1;
  char* active_map_ = nullptr;  // the active segment, mapped whole
  std::uint64_t active_capacity_ = 0;
  std::uint64_t active_first_ = 0;
  std::uint64_t active_size_ = 0;
  std::uint64_t next_sequence_ = 1;
  std::uint64_t written_ = 0;  // last sequence written
  std::uint64_t synced_ = 0;   // last sequence fsynced
  bool syncing_ = false;
  bool stopping_waits_ = false;
  bool stopping_ = false;
  bool closed_ = false;
  Stats stats_;
  std::mutex release_mutex_;                                     // guards releases_ only
  std::vector<std::pair<std::uint64_t, std::size_t>> releases_;  // (sequence, payload bytes)
  std::vector<std::pair<std::uint64_t, std::size_t>> applying_;  // under mutex_
  std::thread background_;
};

}  // namespace eventdest::detail
