// Checking and skipping JSON text by hand, as strictly as rapidjson parses it (string escapes,
// number grammar, literals, commas and colons), for the fast paths that read usual documents
// without rapidjson. Anything less usual — a \u surrogate, an exponent or more than 15 integer
// digits, nesting past `max_depth` — is refused, and the caller hands the text to rapidjson.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "util/json_scan.hpp"

namespace eventdest::detail {

class JsonCheckCursor {
 public:
  /// `text_check`, when given, must accept each string's raw content (e.g. a UTF-8 check).
  using TextCheck = bool (*)(std::string_view);

  JsonCheckCursor(std::string_view text, int max_depth, TextCheck text_check = nullptr)
      : p_(text.data()),
        end_(text.data() + text.size()),
        max_depth_(max_depth),
        text_check_(text_check) {}

  const char* position() const noexcept { return p_; }
  std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - p_); }
  /// Moves to `p`, a position at or after position() that the caller has read itself.
  void advance_to(const char* p) noexcept { p_ = p; }
  bool at_end() const noexcept { return p_ == end_; }
  void skip_space() { p_ = skip_json_space(p_, end_); }
  bool eat(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  /// Any value (after whitespace), checked and skipped; `depth` counts the containers around it.
  bool value(int depth) {
    skip_space();
    if (p_ == end_) return false;
    if (*p_ == '{' || *p_ == '[') return container(depth);
    return scalar();
  }

  bool scalar() {
    switch (*p_) {
      case '"':
        return string();
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

  /// A string at p_ ('"'), escapes checked as rapidjson does (surrogates left to it).
  bool string() {
    const char* const start = ++p_;
    p_ = find_json_special(p_, end_);
    if (p_ != end_ && *p_ == '"') {  // the usual string: no escape
      ++p_;
      return text_ok(std::string_view(start, static_cast<std::size_t>(p_ - 1 - start)));
    }
    return string_from_special(start);
  }

  /// Whether the `text_check` given (if any) accepts a string's raw content: for readers that
  /// find a string's end themselves.
  bool text_ok(std::string_view content) const {
    return text_check_ == nullptr || text_check_(content);
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0)
      return false;
    p_ += word.size();
    return true;
  }

  /// -?(0|[1-9][0-9]*)(.[0-9]+)? ; an exponent or more than 15 integer digits is refused
  /// (rapidjson rejects some of those as too big).
  bool number() {
    if (p_ != end_ && *p_ == '-') ++p_;
    const char* const digits = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9')
      ++p_;
    const auto n = p_ - digits;
    if (n == 0 || n > 15 || (n > 1 && *digits == '0')) return false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      const char* const fraction = p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9')
        ++p_;
      if (p_ == fraction) return false;
    }
    return p_ == end_ || (*p_ != 'e' && *p_ != 'E');
  }

 protected:
  /// The container at p_ ('{' or '[') and everything in it: a loop over an explicit stack
  /// rather than a call per value, as most values are short scalars read inline here. Nesting
  /// is refused past max_depth or 64 levels, whichever comes first.
  bool container(int depth) {
    std::uint64_t objects = 0;  // bit i: the container i levels up from the innermost is an object
    int open = 0;
    const int limit = max_depth_ - depth < 64 ? max_depth_ - depth : 64;
    for (;;) {
      // p_ at '{' or '[': open it (an empty one closes at once).
      if (open >= limit) return false;
      const bool object = *p_ == '{';
      objects = objects << 1 | (object ? 1u : 0u);
      ++open;
      ++p_;
      skip_space();
      if (p_ == end_) return false;
      bool element = *p_ != (object ? '}' : ']');
      if (!element) ++p_;
      // Elements, and containers closing, until an element opens a container of its own.
      for (;;) {
        if (element) {
          if ((objects & 1u) != 0) {
            if (*p_ != '"' || !string()) return false;
            skip_space();
            if (p_ == end_ || *p_ != ':') return false;
            ++p_;
            skip_space();
            if (p_ == end_) return false;
          }
          if (*p_ == '{' || *p_ == '[') break;
          if (!(*p_ == '"' ? string() : scalar())) return false;  // strings inline: the usual value
        } else {  // the innermost container has just closed
          objects >>= 1;
          if (--open == 0) return true;
        }
        skip_space();
        if (p_ == end_) return false;
        if (*p_ == ',') {
          ++p_;
          skip_space();
          if (p_ == end_) return false;
          element = true;
        } else if (*p_ == ((objects & 1u) != 0 ? '}' : ']')) {
          ++p_;
          element = false;
        } else {
          return false;
        }
      }
    }
  }

  const char* p_;
  const char* const end_;

 private:
  // The rest of string() from its first escape or control character (out of line: rare).
  bool string_from_special(const char* start);

  const int max_depth_;
  const TextCheck text_check_;
};

}  // namespace eventdest::detail
