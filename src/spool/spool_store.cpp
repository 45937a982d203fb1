#include "spool/spool_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "eventdest/error.hpp"
#include "eventdest/log.hpp"
#include "spool/spool_segment.hpp"

namespace eventdest::detail {
namespace {

std::string errno_text(int e) {
  return std::strerror(e);
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string segment_name(std::uint64_t first_sequence) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.seg", static_cast<unsigned long long>(first_sequence));
  return name;
}

// "<16 hex digits>.seg" -> its first sequence.
bool parse_segment_name(const std::string& name, std::uint64_t& first) {
  if (name.size() != 20 || name.compare(16, 4, ".seg") != 0) return false;
  first = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    const char c = name[i];
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    first = first << 4 | static_cast<unsigned>(digit);
  }
  return true;
}

std::string ack_path(const std::string& segment_path) {
  return segment_path.substr(0, segment_path.size() - 4) + ".ack";
}

}  // namespace

SpoolStore::SpoolStore(SpoolOptions options, std::string label, std::vector<Recovered>& recovered)
    : options_(std::move(options)), label_(std::move(label)) {
  if (::mkdir(options_.dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw ConfigError("config.spool.dir",
                      "cannot create " + options_.dir + ": " + errno_text(errno));
  }
  const std::string lock_path = options_.dir + "/LOCK";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) {
    throw ConfigError("config.spool.dir", "cannot open " + lock_path + ": " + errno_text(errno));
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(lock_fd_);
    throw ConfigError("config.spool.dir",
                      e == EWOULDBLOCK
                          ? options_.dir + " is in use by another destination or process (" +
                                lock_path + " is locked)"
                          : "cannot lock " + lock_path + ": " + errno_text(e));
  }
  recover(recovered);
  background_ = std::thread([this] { background(); });
}

SpoolStore::~SpoolStore() {
  close();
}

void SpoolStore::close() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (closed_) return;
    closed_ = true;
    stopping_ = true;
    stopping_waits_ = true;
    room_cv_.notify_all();
    sync_cv_.notify_all();
    stop_cv_.notify_all();
  }
  background_.join();
  std::unique_lock<std::mutex> lock(mutex_);
  sync_locked(lock);
  close_active_locked();
  apply_releases_locked();
  for (auto it = segments_.begin(); it != segments_.end();) {
    auto next = std::next(it);
    it->second.active = false;
    if (it->second.unreleased == 0) {
      remove_segment_locked(it);
    } else {
      write_acks_locked(it->second);
      if (it->second.ack_fd >= 0) ::close(it->second.ack_fd);
      it->second.ack_fd = -1;
    }
    it = next;
  }
  ::close(lock_fd_);  // releases the lock
  lock_fd_ = -1;
}

void SpoolStore::recover(std::vector<Recovered>& recovered) {
  DIR* dir = ::opendir(options_.dir.c_str());
  if (dir == nullptr) {
    throw ConfigError("config.spool.dir", "cannot read " + options_.dir + ": " + errno_text(errno));
  }
  std::set<std::uint64_t> firsts;
  std::vector<std::string> stray_acks;
  while (dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    std::uint64_t first = 0;
    if (parse_segment_name(name, first)) {
      firsts.insert(first);
    } else if (name.size() > 4 && name.compare(name.size() - 4, 4, ".ack") == 0) {
      stray_acks.push_back(name);
    }
  }
  ::closedir(dir);
  // A release journal whose segment is gone (deleted just before a crash) holds nothing useful.
  for (const auto& name : stray_acks) {
    std::uint64_t first = 0;
    if (!parse_segment_name(name.substr(0, name.size() - 4) + ".seg", first) ||
        !firsts.count(first)) {
      ::unlink((options_.dir + "/" + name).c_str());
    }
  }
  std::string bytes;
  std::string ack_bytes;
  for (std::uint64_t first : firsts) {
    Segment segment;
    segment.path = options_.dir + "/" + segment_name(first);
    if (!read_spool_file(segment.path, bytes)) {
      throw ConfigError("config.spool.dir",
                        "cannot read " + segment.path + ": " + errno_text(errno));
    }
    const SegmentContents contents = read_spool_segment(bytes);
    if (contents.torn_tail_bytes > 0) {
      ++stats_.torn_tails;
      log(LogLevel::warning, label_ + ": spool segment " + segment.path + " ends with " +
                                 std::to_string(contents.torn_tail_bytes) +
                                 " unreadable bytes (a write cut short, e.g. by a crash): cut off");
    }
    // The torn tail, and the space allocated ahead that a crash left unused.
    if (bytes.size() > contents.valid_end &&
        ::truncate(segment.path.c_str(), static_cast<off_t>(contents.valid_end)) != 0) {
      log(LogLevel::warning, label_ + ": cannot cut " + segment.path + ": " + errno_text(errno));
    }
    if (contents.damaged_regions > 0) {
      stats_.damaged_records += contents.damaged_regions;
      log(LogLevel::warning, label_ + ": spool segment " + segment.path + " has " +
                                 std::to_string(contents.damaged_regions) +
                                 " damaged run(s) of bytes (checksums do not match): the records "
                                 "in them are skipped, the others kept");
    }
    std::set<std::uint64_t> released;
    if (read_spool_file(ack_path(segment.path), ack_bytes)) {
      for (std::uint64_t s : read_spool_acks(ack_bytes))
        released.insert(s);
    }
    for (const auto& record : contents.records) {
      next_sequence_ = std::max(next_sequence_, record.sequence + 1);
      if (released.count(record.sequence)) continue;
      recovered.push_back({record.sequence, std::string(record.payload)});
      ++segment.unreleased;
      ++stats_.events;
      stats_.bytes += record.size();
    }
    auto it = segments_.emplace(first, std::move(segment)).first;
    if (it->second.unreleased == 0) remove_segment_locked(it);
  }
  // Sequences only grow: a new segment never takes an old one's name.
  if (!segments_.empty()) next_sequence_ = std::max(next_sequence_, segments_.rbegin()->first + 1);
  written_ = synced_ = next_sequence_ - 1;
}

bool SpoolStore::open_active_locked(std::uint64_t first_sequence, std::uint64_t min_size,
                                    std::string& error) {
  Segment segment;
  segment.path = options_.dir + "/" + segment_name(first_sequence);
  segment.active = true;
  const std::uint64_t size = std::max<std::uint64_t>(options_.segment_bytes, min_size);
  const int fd = ::open(segment.path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot create " + segment.path + ": " + errno_text(errno);
    return false;
  }
  // The whole segment is allocated now: a full disk is found here, as an error, never later as
  // a SIGBUS on a write into the mapping.
  const int rc = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
  void* map =
      rc == 0 ? ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
  if (map == MAP_FAILED) {
    error = rc != 0 ? "cannot allocate " + std::to_string(size) + " bytes for " + segment.path +
                          ": " + errno_text(rc)
                    : "cannot map " + segment.path + ": " + errno_text(errno);
    ::close(fd);
    ::unlink(segment.path.c_str());
    return false;
  }
  // The new file's directory entry must survive a crash too.
  const int dir_fd = ::open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  active_fd_ = fd;
  active_map_ = static_cast<char*>(map);
  active_capacity_ = size;
  active_first_ = first_sequence;
  active_size_ = 0;
  segments_.emplace(first_sequence, std::move(segment));
  return true;
}

// Unmaps the active segment and trims it to the records written. The caller syncs first.
void SpoolStore::close_active_locked() {
  if (active_fd_ < 0) return;
  ::munmap(active_map_, active_capacity_);
  if (::ftruncate(active_fd_, static_cast<off_t>(active_size_)) != 0) {
    log(LogLevel::warning, label_ + ": cannot trim a spool segment: " + errno_text(errno));
  }
  ::close(active_fd_);
  active_fd_ = -1;
  active_map_ = nullptr;
  active_capacity_ = 0;
}

void SpoolStore::roll_locked(std::unique_lock<std::mutex>& lock) {
  // Appends go to a new file from now on; the old one is made durable and closed. A sync in
  // progress may be using the old file: it finishes first.
  const int old_fd = active_fd_;
  char* const old_map = active_map_;
  const std::uint64_t old_capacity = active_capacity_;
  const std::uint64_t old_size = active_size_;
  const std::uint64_t old_first = active_first_;
  const std::uint64_t old_last = written_;
  active_fd_ = -1;
  active_map_ = nullptr;
  active_capacity_ = 0;
  while (syncing_)
    sync_cv_.wait(lock);
  syncing_ = true;
  lock.unlock();
  const int rc = ::fdatasync(old_fd);
  const int e = errno;
  ::munmap(old_map, old_capacity);
  const int trimmed = ::ftruncate(old_fd, static_cast<off_t>(old_size));
  ::close(old_fd);
  lock.lock();
  syncing_ = false;
  ++stats_.fsyncs;
  if (rc != 0) log(LogLevel::warning, label_ + ": fsync of the spool failed: " + errno_text(e));
  if (trimmed != 0) log(LogLevel::warning, label_ + ": cannot trim a spool segment");
  synced_ = std::max(synced_, old_last);
  sync_cv_.notify_all();
  auto it = segments_.find(old_first);
  if (it != segments_.end()) {
    it->second.active = false;
    if (it->second.unreleased == 0) remove_segment_locked(it);
  }
}

SpoolStore::AppendResult SpoolStore::append(std::string_view payload, bool wait) {
  AppendResult result;
  const std::uint64_t size = kSpoolHeaderBytes + payload.size();
  std::unique_lock<std::mutex> lock(mutex_);
  if (closed_) {
    result.status = Appended::full;
    return result;
  }
  // An event larger than max_bytes alone is let in when the spool is empty, or it never would be.
  while (stats_.bytes > 0 && stats_.bytes + size > options_.max_bytes) {
    apply_releases_locked();
    if (stats_.bytes + size <= options_.max_bytes) break;
    if (!wait || stopping_waits_) {
      result.status = Appended::full;
      return result;
    }
    room_cv_.wait_for(lock, std::chrono::milliseconds(5));
  }
  // roll_locked lets go of the lock: another append may have opened the next file meanwhile.
  while (active_fd_ >= 0 && active_size_ + size > active_capacity_)
    roll_locked(lock);
  if (active_fd_ < 0 && !open_active_locked(next_sequence_, size, result.error)) return result;
  const std::uint64_t sequence = next_sequence_;
  // Into the shared mapping: the page cache has it at once (a killed process loses nothing),
  // without a system call per record.
  write_spool_record(active_map_ + active_size_, sequence, payload);
  ++next_sequence_;
  active_size_ += size;
  written_ = sequence;
  ++segments_[active_first_].unreleased;
  ++stats_.events;
  stats_.bytes += size;
  if (options_.sync.count() == 0) {
    // Group commit: one caller fsyncs for everyone written so far; the others wait for it.
    while (synced_ < sequence && !stopping_) {
      if (!syncing_) {
        sync_locked(lock);
      } else {
        sync_cv_.wait(lock);
      }
    }
  }
  result.status = Appended::ok;
  result.sequence = sequence;
  return result;
}

void SpoolStore::sync_locked(std::unique_lock<std::mutex>& lock) {
  while (syncing_)
    sync_cv_.wait(lock);
  if (synced_ >= written_ || active_fd_ < 0) {
    synced_ = std::max(synced_, written_);
    return;
  }
  syncing_ = true;
  const std::uint64_t target = written_;
  const int fd = active_fd_;
  lock.unlock();
  const int rc = ::fdatasync(fd);
  lock.lock();
  syncing_ = false;
  ++stats_.fsyncs;
  if (rc != 0) {
    log(LogLevel::warning, label_ + ": fsync of the spool failed: " + errno_text(errno));
  }
  // A failed fsync is not retried: the records stay written, only their durability is unknown.
  synced_ = std::max(synced_, target);
  sync_cv_.notify_all();
}

void SpoolStore::sync() {
  std::unique_lock<std::mutex> lock(mutex_);
  sync_locked(lock);
}

void SpoolStore::release(std::uint64_t sequence, std::size_t payload_bytes) {
  // Queued under a lock of its own: reports arrive on the delivery threads while publishers hold
  // the main lock, and the two would otherwise take turns at every event.
  std::lock_guard<std::mutex> lock(release_mutex_);
  releases_.push_back({sequence, payload_bytes});
}

void SpoolStore::apply_releases_locked() {
  {
    std::lock_guard<std::mutex> lock(release_mutex_);
    applying_.swap(releases_);
  }
  if (applying_.empty()) return;
  for (const auto& [sequence, payload_bytes] : applying_) {
    auto it = segments_.upper_bound(sequence);
    if (it == segments_.begin()) continue;
    --it;
    Segment& segment = it->second;
    if (segment.unreleased == 0) continue;
    --segment.unreleased;
    --stats_.events;
    stats_.bytes -= std::min<std::uint64_t>(stats_.bytes, kSpoolHeaderBytes + payload_bytes);
    if (segment.unreleased == 0 && !segment.active) {
      remove_segment_locked(it);
      continue;
    }
    append_spool_ack(segment.acks, sequence);
    if (segment.acks.size() >= (64u << 10)) write_acks_locked(segment);
  }
  applying_.clear();
  room_cv_.notify_all();
}

void SpoolStore::write_acks_locked(Segment& segment) {
  if (segment.acks.empty()) return;
  if (segment.ack_fd < 0) {
    segment.ack_fd =
        ::open(ack_path(segment.path).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  }
  // A lost release entry only means the record is replayed (as a possible duplicate).
  if (segment.ack_fd >= 0) (void)write_all(segment.ack_fd, segment.acks);
  segment.acks.clear();
}

void SpoolStore::remove_segment_locked(std::map<std::uint64_t, Segment>::iterator it) {
  if (it->second.ack_fd >= 0) ::close(it->second.ack_fd);
  ::unlink(it->second.path.c_str());
  ::unlink(ack_path(it->second.path).c_str());
  segments_.erase(it);
}

void SpoolStore::stop_waiting() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_waits_ = true;
  room_cv_.notify_all();
}

SpoolStore::Stats SpoolStore::stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!closed_) apply_releases_locked();
  return stats_;
}

// Every sync_ms: fsync what was written (sync_ms > 0), and write the release journals.
void SpoolStore::background() {
  const auto interval = options_.sync.count() > 0 ? options_.sync : std::chrono::milliseconds(50);
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, interval);
    if (stopping_) break;
    if (options_.sync.count() > 0) sync_locked(lock);
    apply_releases_locked();
    for (auto& [first, segment] : segments_)
      write_acks_locked(segment);
  }
}

}  // namespace eventdest::detail
