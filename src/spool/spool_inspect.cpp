#include <dirent.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include "eventdest/spool.hpp"
#include "spool/spool_segment.hpp"
#include "util/json_util.hpp"

namespace eventdest {

std::string SpoolContents::to_json() const {
  std::string out = "{\"events\":" + std::to_string(events) +
                    ",\"bytes\":" + std::to_string(bytes) +
                    ",\"segments\":" + std::to_string(segments);
  if (oldest_id) {
    out += ",\"oldest_id\":";
    detail::append_json_string(out, *oldest_id);
  }
  if (oldest_time) {
    out += ",\"oldest_time\":";
    detail::append_json_string(out, format_rfc3339(*oldest_time));
  }
  out += ",\"torn_tail_bytes\":" + std::to_string(torn_tail_bytes) +
         ",\"damaged_regions\":" + std::to_string(damaged_regions) + "}";
  return out;
}

SpoolContents inspect_spool(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    throw std::runtime_error("cannot read the spool " + dir + ": " + std::strerror(errno));
  }
  std::set<std::string> segment_names;
  while (dirent* entry = ::readdir(d)) {
    const std::string name = entry->d_name;
    if (name.size() == 20 && name.compare(16, 4, ".seg") == 0) segment_names.insert(name);
  }
  ::closedir(d);
  SpoolContents out;
  std::string bytes;
  std::string acks;
  bool oldest_found = false;
  for (const auto& name : segment_names) {  // hex names of growing sequences: oldest first
    const std::string path = dir + "/" + name;
    if (!detail::read_spool_file(path, bytes)) continue;
    ++out.segments;
    const detail::SegmentContents contents = detail::read_spool_segment(bytes);
    out.torn_tail_bytes += contents.torn_tail_bytes;
    out.damaged_regions += contents.damaged_regions;
    std::set<std::uint64_t> released;
    if (detail::read_spool_file(path.substr(0, path.size() - 4) + ".ack", acks)) {
      for (auto s : detail::read_spool_acks(acks))
        released.insert(s);
    }
    for (const auto& record : contents.records) {
      if (released.count(record.sequence)) continue;
      ++out.events;
      out.bytes += record.size();
      if (oldest_found) continue;
      try {
        const Event e = Event::from_json(record.payload);
        out.oldest_id = e.id();
        out.oldest_time = e.time();
        oldest_found = true;
      } catch (const std::exception&) {
        // An unreadable event is counted; the next one names the oldest.
      }
    }
  }
  return out;
}

}  // namespace eventdest
