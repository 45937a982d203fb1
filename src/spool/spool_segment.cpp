#include "spool/spool_segment.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/crc32c.hpp"

namespace eventdest::detail {
namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out += static_cast<char>(v >> (8 * i));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>(v >> (8 * i));
}
std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}
std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}

// The record framed at `at`, if one is valid there.
bool record_at(std::string_view bytes, std::size_t at, SpoolRecordView& out) {
  if (bytes.size() - at < kSpoolHeaderBytes) return false;
  const char* p = bytes.data() + at;
  if (std::memcmp(p, kSpoolMagic.data(), 4) != 0) return false;
  const std::uint32_t length = get_u32(p + 4);
  if (length > kSpoolMaxPayload || bytes.size() - at - kSpoolHeaderBytes < length) return false;
  if (crc32c(std::string_view(p + 4, 12)) != get_u32(p + 16)) return false;
  const std::string_view payload(p + kSpoolHeaderBytes, length);
  if (crc32c(payload) != get_u32(p + 20)) return false;
  out.sequence = get_u64(p + 8);
  out.payload = payload;
  out.offset = at;
  return true;
}

}  // namespace

void write_spool_record(char* out, std::uint64_t sequence, std::string_view payload) {
  std::memcpy(out, kSpoolMagic.data(), 4);
  const auto length = static_cast<std::uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i)
    out[4 + i] = static_cast<char>(length >> (8 * i));
  for (int i = 0; i < 8; ++i)
    out[8 + i] = static_cast<char>(sequence >> (8 * i));
  const std::uint32_t header_crc = crc32c(std::string_view(out + 4, 12));
  const std::uint32_t payload_crc = crc32c(payload);
  for (int i = 0; i < 4; ++i)
    out[16 + i] = static_cast<char>(header_crc >> (8 * i));
  for (int i = 0; i < 4; ++i)
    out[20 + i] = static_cast<char>(payload_crc >> (8 * i));
  std::memcpy(out + kSpoolHeaderBytes, payload.data(), payload.size());
}

void append_spool_record(std::string& out, std::uint64_t sequence, std::string_view payload) {
  const std::size_t start = out.size();
  out.resize(start + spool_record_size(payload));
  write_spool_record(out.data() + start, sequence, payload);
}

void append_spool_ack(std::string& out, std::uint64_t sequence) {
  const std::size_t start = out.size();
  put_u64(out, sequence);
  put_u32(out, crc32c(std::string_view(out).substr(start, 8)));
}

SegmentContents read_spool_segment(std::string_view bytes) {
  SegmentContents out;
  std::size_t at = 0;
  while (at < bytes.size()) {
    SpoolRecordView record;
    if (record_at(bytes, at, record)) {
      at += record.size();
      out.valid_end = at;
      out.records.push_back(record);
      continue;
    }
    // Resume at the next valid record, if any: a damaged run in the middle; else a torn tail.
    std::size_t next = at + 1;
    bool found = false;
    while (next < bytes.size()) {
      const void* magic = std::memchr(bytes.data() + next, kSpoolMagic[0], bytes.size() - next);
      if (magic == nullptr) break;
      next = static_cast<std::size_t>(static_cast<const char*>(magic) - bytes.data());
      if (record_at(bytes, next, record)) {
        found = true;
        break;
      }
      ++next;
    }
    if (!found) {
      std::size_t last = bytes.size();
      while (last > at && bytes[last - 1] == '\0')
        --last;
      out.torn_tail_bytes = last - at;
      break;
    }
    ++out.damaged_regions;
    at = next;
  }
  return out;
}

std::vector<std::uint64_t> read_spool_acks(std::string_view bytes) {
  std::vector<std::uint64_t> out;
  for (std::size_t at = 0; bytes.size() - at >= kSpoolAckBytes; at += kSpoolAckBytes) {
    const char* p = bytes.data() + at;
    if (crc32c(std::string_view(p, 8)) == get_u32(p + 8)) out.push_back(get_u64(p));
  }
  return out;
}

bool read_spool_file(const std::string& path, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.clear();
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

}  // namespace eventdest::detail
