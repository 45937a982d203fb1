#include "event/event_line.hpp"

#include <cstddef>

#include "event/event_text.hpp"
#include "util/json_scan.hpp"

namespace eventdest::detail {
namespace {

constexpr int kMaxPlainDepth = 64;
constexpr int kMaxPlainDigits = 15;  // exactly representable: no rounding question for RapidJSON

class PlainReader {
 public:
  explicit PlainReader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n'))
      ++p_;
  }
  bool eat(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool at_end() const { return p_ == end_; }
  const char* position() const { return p_; }

  // A string whose content is returned when it holds no escape (`escapes_allowed` false) or only
  // the short escapes (`\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t`); no control characters; valid
  // UTF-8.
  bool string(std::string_view& content, bool escapes_allowed) {
    if (!eat('"')) return false;
    const char* start = p_;
    for (;;) {
      p_ = find_json_special(p_, end_);  // '"', '\\' or a control character, many bytes a step
      if (p_ == end_ || static_cast<unsigned char>(*p_) < 0x20) return false;
      if (*p_ == '"') break;
      if (!escapes_allowed || ++p_ == end_) return false;
      switch (*p_) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          ++p_;
          break;
        default:
          return false;  // \u (may decode to a lone surrogate) and invalid escapes
      }
    }
    content = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return is_valid_utf8(content);
  }

  bool number() {
    int digits = 0;
    eat('-');
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
      ++digits;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
        ++p_;
        ++digits;
      }
    } else {
      return false;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      const int before = digits;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
        ++p_;
        ++digits;
      }
      if (digits == before) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) return false;  // left to the full reader
    return digits <= kMaxPlainDigits;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  bool value(int depth) {
    if (p_ == end_) return false;
    std::string_view ignored;
    switch (*p_) {
      case '"':
        return string(ignored, true);
      case '{': {
        if (depth >= kMaxPlainDepth) return false;
        ++p_;
        skip_space();
        if (eat('}')) return true;
        do {
          skip_space();
          if (!string(ignored, true)) return false;
          skip_space();
          if (!eat(':')) return false;
          skip_space();
          if (!value(depth + 1)) return false;
          skip_space();
        } while (eat(','));
        return eat('}');
      }
      case '[': {
        if (depth >= kMaxPlainDepth) return false;
        ++p_;
        skip_space();
        if (eat(']')) return true;
        do {
          skip_space();
          if (!value(depth + 1)) return false;
          skip_space();
        } while (eat(','));
        return eat(']');
      }
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

 private:
  const char* p_;
  const char* const end_;
};

}  // namespace

bool read_plain_event_line(std::string_view line, EventLine& out) {
  out = EventLine{};
  PlainReader r(line);
  r.skip_space();
  if (!r.eat('{')) return false;
  bool have_topic = false, have_data = false;
  r.skip_space();
  if (r.eat('}')) return false;  // no topic, no data: the full reader says so
  do {
    r.skip_space();
    std::string_view key;
    if (!r.string(key, false)) return false;
    r.skip_space();
    if (!r.eat(':')) return false;
    r.skip_space();
    std::string_view text;
    if (key == "data") {
      if (have_data) return false;
      const char* start = r.position();
      if (!r.value(1)) return false;
      out.data = std::string_view(start, static_cast<std::size_t>(r.position() - start));
      have_data = true;
    } else if (key == "topic" || key == "id" || key == "time") {
      if (!r.string(text, false)) return false;
      if (key == "topic") {
        if (have_topic || text.empty()) return false;
        out.topic = text;
        have_topic = true;
      } else if (key == "id") {
        if (out.id) return false;
        out.id = text;
      } else {
        if (out.time) return false;
        out.time = text;
      }
    } else {
      return false;  // metadata, Outpost's other fields, unknown fields
    }
    r.skip_space();
  } while (r.eat(','));
  if (!r.eat('}')) return false;
  r.skip_space();
  return r.at_end() && have_topic && have_data;
}

}  // namespace eventdest::detail
