#include "core/json_util.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json_scan.hpp"

namespace eventdest::detail {

namespace {

void append_escaped(std::string& out, unsigned char c) {
  static const char* hex = "0123456789abcdef";
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      out += "\\u00";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  // Room for the usual case (nothing to escape) once, then runs of plain bytes copied whole.
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  const char* p = s.data();
  const char* const end = p + s.size();
  for (;;) {
    const char* special = find_json_special(p, end);
    out.append(p, static_cast<std::size_t>(special - p));
    if (special == end) break;
    append_escaped(out, static_cast<unsigned char>(*special));
    p = special + 1;
  }
  out.push_back('"');
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
