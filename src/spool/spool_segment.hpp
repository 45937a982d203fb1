// The spool's on-disk format. A segment file (`<first sequence, 16 hex digits>.seg`) is a run of
// records, each framed as
//   magic "EDSP" | u32 payload length | u64 sequence | u32 CRC-32C of (length, sequence) |
//   u32 CRC-32C of the payload | payload (the event as Event::to_json() writes it)
// little-endian. The header's own checksum lets a reader looking for the next record after a
// damaged run reject a false magic without hashing a payload. Its release journal (`.ack`) is a run
// of `u64 sequence | u32 CRC-32C` entries for the records that have their final report. Readers
// never trust either file: a bad checksum or length ends a record, the magic of the next valid
// record resumes the reading.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eventdest::detail {

inline constexpr std::string_view kSpoolMagic{"EDSP", 4};
inline constexpr std::size_t kSpoolHeaderBytes = 4 + 4 + 8 + 4 + 4;
/// No event is larger (the library refuses larger data long before).
inline constexpr std::uint32_t kSpoolMaxPayload = 256u << 20;
inline constexpr std::size_t kSpoolAckBytes = 8 + 4;

/// The size of the framed record for `payload`.
inline std::size_t spool_record_size(std::string_view payload) {
  return kSpoolHeaderBytes + payload.size();
}
/// Writes one framed record at `out` (spool_record_size(payload) bytes).
void write_spool_record(char* out, std::uint64_t sequence, std::string_view payload);
/// Appends one framed record to `out`.
void append_spool_record(std::string& out, std::uint64_t sequence, std::string_view payload);
/// Appends one release journal entry to `out`.
void append_spool_ack(std::string& out, std::uint64_t sequence);

struct SpoolRecordView {
  std::uint64_t sequence = 0;
  std::string_view payload;
  std::size_t offset = 0;  ///< where its frame starts in the segment
  std::size_t size() const { return kSpoolHeaderBytes + payload.size(); }
};

struct SegmentContents {
  std::vector<SpoolRecordView> records;  ///< the valid ones, in file order
  std::size_t valid_end = 0;  ///< end of the last valid record (where a torn tail starts)
  /// Unreadable bytes after the last valid record, up to the last non-zero byte: segments are
  /// allocated ahead, so zeros after the records are unused space, not damage.
  std::size_t torn_tail_bytes = 0;
  std::size_t damaged_regions = 0;  ///< unreadable runs between valid records
};

/// Reads every valid record of a segment's bytes. Never reads outside `bytes`.
SegmentContents read_spool_segment(std::string_view bytes);

/// The sequences a release journal's bytes hold (entries whose checksum fails are skipped).
std::vector<std::uint64_t> read_spool_acks(std::string_view bytes);

/// Reads a whole spool file into `out`; false (errno set) if it cannot be opened.
bool read_spool_file(const std::string& path, std::string& out);

}  // namespace eventdest::detail
