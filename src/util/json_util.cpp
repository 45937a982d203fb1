#include "util/json_util.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>

#include "util/json_scan.hpp"

namespace eventdest::detail {

namespace {

// What a byte that a JSON string cannot hold as it is becomes: \" \\ \n \r \t \b \f, or
// \u00XX for the other control characters.
char short_escape(unsigned char c) {
  switch (c) {
    case '"':
      return '"';
    case '\\':
      return '\\';
    case '\n':
      return 'n';
    case '\r':
      return 'r';
    case '\t':
      return 't';
    case '\b':
      return 'b';
    case '\f':
      return 'f';
    default:
      return 0;
  }
}

}  // namespace

std::size_t json_string_size_escaped(const char* p, const char* end) {
  std::size_t size = 0;
  while ((p = find_json_special(p, end)) != end) {
    size += short_escape(static_cast<unsigned char>(*p)) != 0 ? 1 : 5;
    ++p;
  }
  return size;
}

char* write_json_escaped(char* out, const char* p, const char* end) {
  static const char* hex = "0123456789abcdef";
  for (;;) {
    // Runs of plain bytes copied whole.
    const char* special = find_json_special(p, end);
    std::memcpy(out, p, static_cast<std::size_t>(special - p));
    out += special - p;
    if (special == end) return out;
    const auto c = static_cast<unsigned char>(*special);
    *out++ = '\\';
    if (const char e = short_escape(c)) {
      *out++ = e;
    } else {
      std::memcpy(out, "u00", 3);
      out[3] = hex[c >> 4];
      out[4] = hex[c & 0xf];
      out += 5;
    }
    p = special + 1;
  }
}

void append_json_string(std::string& out, std::string_view s) {
  const char* const end = s.data() + s.size();
  const char* const special = find_json_special(s.data(), end);
  if (special == end) {
    // The usual string, appended as it is: resizing first (below) zero-fills what is then
    // overwritten, a memset per string of every CLI report line.
    out += '"';
    out.append(s.data(), s.size());
    out += '"';
    return;
  }
  const std::size_t at = out.size();
  const std::size_t size = s.size() + 2 + json_string_size_escaped(special, end);
  out.resize(at + size);
  write_json_string(out.data() + at, s, size);
}

std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_string(out, s);
  return out;
}

std::string compact_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace eventdest::detail
