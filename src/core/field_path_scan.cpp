#include "core/field_path_scan.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstring>
#include <optional>

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

}  // namespace

FieldPathValue scan_field_path(std::string_view json, const std::vector<std::string>& path,
                               std::size_t first) {
  Scanner scanner(path, first);
  rapidjson::MemoryStream memory(json.data(), json.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(memory);
  // One reader per thread: a fresh one allocates its allocator and stack on every scan. Its
  // stack grows to the longest string read, so large documents get a reader of their own.
  constexpr std::size_t kLargeDocument = 64 * 1024;
  thread_local rapidjson::Reader kept_reader;
  std::optional<rapidjson::Reader> own_reader;
  rapidjson::Reader& reader =
      json.size() <= kLargeDocument ? kept_reader : own_reader.emplace();
  // Numbers stay text (never converted: a number result goes to the full evaluator anyway).
  reader.Parse<rapidjson::kParseNumbersAsStringsFlag>(input, scanner);
  if (!scanner.found()) {
    FieldPathValue unreadable;
    unreadable.kind = FieldPathValue::Kind::unreadable;
    return unreadable;
  }
  return std::move(scanner.result());
}

}  // namespace eventdest::detail
