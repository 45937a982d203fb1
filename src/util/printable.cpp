#include "util/printable.hpp"

namespace eventdest::detail {
namespace {

// Length of the valid UTF-8 sequence starting at s[i] that is not a control character, or 0.
std::size_t safe_sequence(std::string_view s, std::size_t i, bool keep_line_breaks) {
  const auto c = static_cast<unsigned char>(s[i]);
  if ((c >= 0x20 && c < 0x7F) || (keep_line_breaks && c == '\n')) return 1;
  std::size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                    : (c & 0xF0) == 0xE0     ? 3
                    : c >= 0xF0 && c <= 0xF4 ? 4
                                             : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if (len == 2 && c == 0xC2 && c1 < 0xA0) return 0;   // C1 controls
  if (len == 3 && c == 0xE0 && c1 < 0xA0) return 0;   // overlong
  if (len == 3 && c == 0xED && c1 >= 0xA0) return 0;  // surrogates
  if (len == 4 && ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))) return 0;
  return len;
}

bool needs_escaping(std::string_view s, bool keep_line_breaks) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = safe_sequence(s, i, keep_line_breaks);
    if (n == 0) return true;
    i += n;
  }
  return false;
}

}  // namespace

std::string printable(std::string_view text, bool keep_line_breaks) {
  if (!needs_escaping(text, keep_line_breaks)) return std::string(text);
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = safe_sequence(text, i, keep_line_breaks);
    if (n > 0) {
      if (text[i] == '\\') out += '\\';  // keeps escaped output unambiguous
      out.append(text, i, n);
      i += n;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i++]);
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
  }
  return out;
}

}  // namespace eventdest::detail
