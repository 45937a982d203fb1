#include "util/json_check.hpp"

namespace eventdest::detail {

bool JsonCheckCursor::string_from_special(const char* const start) {
  for (;;) {
    if (p_ == end_) return false;
    if (*p_ == '"') break;
    if (*p_ != '\\') return false;  // a control character
    if (end_ - p_ < 2) return false;
    const char e = p_[1];
    if (e == 'u') {
      if (end_ - p_ < 6) return false;
      unsigned code = 0;
      for (int i = 2; i < 6; ++i) {
        const char h = p_[i];
        const int d = h >= '0' && h <= '9'   ? h - '0'
                      : h >= 'a' && h <= 'f' ? h - 'a' + 10
                      : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                             : -1;
        if (d < 0) return false;
        code = code * 16 + static_cast<unsigned>(d);
      }
      if (code >= 0xD800 && code <= 0xDFFF) return false;
      p_ += 6;
    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
               e == 't') {
      p_ += 2;
    } else {
      return false;
    }
    p_ = find_json_special(p_, end_);
  }
  const std::string_view content(start, static_cast<std::size_t>(p_ - start));
  ++p_;
  return text_ok(content);
}

}  // namespace eventdest::detail
