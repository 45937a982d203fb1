#include "util/field_path_scan.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstring>
#include <optional>

#include "util/json_check.hpp"
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
constexpr int kMaxDepth = 32;

class FastScan : private JsonCheckCursor {
 public:
  FastScan(std::string_view json, const std::vector<std::string>& path, std::size_t first)
      : JsonCheckCursor(json, kMaxDepth), path_(path), matched_(first) {}

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
