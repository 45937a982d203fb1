#include "util/field_path_scan.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstring>
#include <optional>

#include "util/json_depth.hpp"
#include "util/json_scan.hpp"

namespace eventdest::detail {
namespace {

// Returning false from a handler stops the parse: that is how the scan ends early.
class Scanner : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Scanner> {
 public:
  Scanner(const std::vector<std::string>& path, std::size_t first) : path_(path), matched_(first) {}

  bool found() const { return found_; }
  FieldPathValue& result() { return result_; }

  bool Null() { return scalar(FieldPathValue::Kind::null, {}); }
  bool Bool(bool b) {
    return scalar(FieldPathValue::Kind::boolean, b ? std::string_view("true") : "false");
  }
  bool RawNumber(const char*, rapidjson::SizeType, bool) {
    return scalar(FieldPathValue::Kind::other, {});
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return scalar(FieldPathValue::Kind::string, std::string_view(s, n));
  }
  bool StartObject() {
    if (want_value_) {
      want_value_ = false;
      if (matched_ == path_.size()) return finish(FieldPathValue::Kind::other, {});
      searched_depth_ = depth_ + 1;  // look for path_[matched_] among this object's keys
    }
    ++depth_;
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == searched_depth_) {
      const std::string& want = path_[matched_];
      if (want.size() == n && std::memcmp(want.data(), s, n) == 0) {
        ++matched_;
        want_value_ = true;
      }
    }
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    // The searched object ended without the name: null.
    if (depth_ == searched_depth_) return finish(FieldPathValue::Kind::null, {});
    --depth_;
    return true;
  }
  bool StartArray() {
    if (want_value_)
      return finish(
          matched_ == path_.size() ? FieldPathValue::Kind::other : FieldPathValue::Kind::null, {});
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }

 private:
  bool scalar(FieldPathValue::Kind kind, std::string_view text) {
    if (!want_value_) return true;
    // A scalar where an object was needed to go on: the path gives null.
    if (matched_ < path_.size()) return finish(FieldPathValue::Kind::null, {});
    return finish(kind, text);
  }
  bool finish(FieldPathValue::Kind kind, std::string_view text) {
    result_.kind = kind;
    result_.text.assign(text.data(), text.size());
    found_ = true;
    return false;
  }

  const std::vector<std::string>& path_;
  std::size_t matched_;
  std::size_t depth_ = 0;
  std::size_t searched_depth_ = static_cast<std::size_t>(-1);
  bool want_value_ = true;  // the next value is the one at path_[0..matched_)
  bool found_ = false;
  FieldPathValue result_;
};

// The usual document read without rapidjson: the prefix up to the answer is scanned by hand and
// checked as strictly as rapidjson checks it (string escapes, number grammar, literals, commas
// and colons), so that a document rapidjson rejects before the answer is never answered here.
// Anything less usual - an escape in a key compared or in the string answer, a \u surrogate, an
// exponent or a long integer, deep nesting - returns false, and the SAX scan decides.
class FastScan {
 public:
  FastScan(std::string_view json, const std::vector<std::string>& path, std::size_t first)
      : p_(json.data()), end_(json.data() + json.size()), path_(path), matched_(first) {}

  bool run(FieldPathValue& out) {
    for (;;) {  // p_ is at (whitespace before) the value at path_[0..matched_)
      skip_space();
      if (p_ == end_) return false;
      const char c = *p_;
      if (c == '[') return answer(out, matched_ == path_.size() ? Kind::other : Kind::null);
      if (c == '{') {
        if (matched_ == path_.size()) return answer(out, Kind::other);
        ++p_;
        const int found = find_member(path_[matched_]);
        if (found < 0) return false;
        if (found == 0) return answer(out, Kind::null);
        ++matched_;
        continue;
      }
      if (matched_ < path_.size()) {  // a scalar on the way: null, once it is read whole
        return scalar() && answer(out, Kind::null);
      }
      if (c == '"') {
        const char* const start = p_ + 1;
        const char* const close = find_plain_string_end(start, end_);
        if (close == nullptr) return false;
        p_ = close + 1;
        return answer(out, Kind::string, std::string_view(start, close - start));
      }
      if (c == 't') return literal("true") && answer(out, Kind::boolean, "true");
      if (c == 'f') return literal("false") && answer(out, Kind::boolean, "false");
      if (c == 'n') return literal("null") && answer(out, Kind::null);
      return number() && answer(out, Kind::other);
    }
  }

 private:
  using Kind = FieldPathValue::Kind;
  static constexpr int kMaxDepth = 32;

  bool answer(FieldPathValue& out, Kind kind, std::string_view text = {}) {
    out.kind = kind;
    out.text.assign(text.data(), text.size());
    return true;
  }

  // After '{': 1 with p_ after the colon of the first member named `want`, 0 if the object ends
  // without one, -1 to hand over.
  int find_member(const std::string& want) {
    skip_space();
    if (p_ != end_ && *p_ == '}') return 0;
    for (;;) {
      skip_space();
      if (p_ == end_ || *p_ != '"') return -1;
      const char* const start = p_ + 1;
      const char* const close = find_plain_string_end(start, end_);
      if (close == nullptr) return -1;  // an escaped key could still equal `want`
      p_ = close + 1;
      skip_space();
      if (p_ == end_ || *p_ != ':') return -1;
      ++p_;
      const std::string_view key(start, static_cast<std::size_t>(close - start));
      if (key == want) return 1;
      if (!value(0)) return -1;
      skip_space();
      if (p_ == end_) return -1;
      if (*p_ == '}') return 0;
      if (*p_ != ',') return -1;
      ++p_;
    }
  }

  void skip_space() { p_ = skip_json_space(p_, end_); }

  // Any value, checked and skipped.
  bool value(int depth) {
    skip_space();
    if (p_ == end_) return false;
    if (*p_ == '{' || *p_ == '[') return depth < kMaxDepth && container(depth);
    return scalar();
  }

  bool container(int depth) {
    const char close = *p_ == '{' ? '}' : ']';
    ++p_;
    skip_space();
    if (p_ != end_ && *p_ == close) {
      ++p_;
      return true;
    }
    for (;;) {
      if (close == '}') {
        skip_space();
        if (p_ == end_ || *p_ != '"' || !string()) return false;
        skip_space();
        if (p_ == end_ || *p_ != ':') return false;
        ++p_;
      }
      if (!value(depth + 1)) return false;
      skip_space();
      if (p_ == end_) return false;
      if (*p_ == close) {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
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

  // A string at p_ ('"'), escapes checked as rapidjson does (surrogates left to it).
  bool string() {
    ++p_;
    for (;;) {
      p_ = find_json_special(p_, end_);
      if (p_ == end_) return false;
      if (*p_ == '"') {
        ++p_;
        return true;
      }
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
      } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                 e == 'r' || e == 't') {
        p_ += 2;
      } else {
        return false;
      }
    }
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0)
      return false;
    p_ += word.size();
    return true;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)? ; an exponent or more than 15 integer digits is handed over
  // (rapidjson rejects some of those as too big).
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

  const char* p_;
  const char* const end_;
  const std::vector<std::string>& path_;
  std::size_t matched_;
};

}  // namespace

FieldPathValue scan_field_path(std::string_view json, const std::vector<std::string>& path,
                               std::size_t first) {
  FieldPathValue out;
  if (FastScan(json, path, first).run(out)) return out;
  return scan_field_path_sax(json, path, first);
}

FieldPathValue scan_field_path_sax(std::string_view json, const std::vector<std::string>& path,
                                   std::size_t first) {
  Scanner scanner(path, first);
  rapidjson::MemoryStream memory(json.data(), json.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(memory);
  // One reader per thread: a fresh one allocates its allocator and stack on every scan. Its
  // stack grows to the longest string read, so large documents get a reader of their own.
  constexpr std::size_t kLargeDocument = 64 * 1024;
  thread_local rapidjson::Reader kept_reader;
  std::optional<rapidjson::Reader> own_reader;
  rapidjson::Reader& reader = json.size() <= kLargeDocument ? kept_reader : own_reader.emplace();
  // Numbers stay text (never converted: a number result goes to the full evaluator anyway).
  // Event data never nests deeper than kMaxJsonDepth; the limit keeps the recursive reader
  // bounded for any other caller too (deeper is unreadable).
  DepthLimitedHandler<Scanner> limited(scanner);
  reader.Parse<rapidjson::kParseNumbersAsStringsFlag>(input, limited);
  if (!scanner.found()) {
    FieldPathValue unreadable;
    unreadable.kind = FieldPathValue::Kind::unreadable;
    return unreadable;
  }
  return std::move(scanner.result());
}

}  // namespace eventdest::detail
