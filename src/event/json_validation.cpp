#include "event/json_validation.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <vector>

#include "event/event_text.hpp"
#include "util/json_depth.hpp"
#include "util/json_scan.hpp"

namespace eventdest::detail {

// Raw bytes are validated by the reader (kParseValidateEncodingFlag refuses invalid UTF-8,
// encoded surrogates included); a lone surrogate escape such as "\udc00" decodes to bytes that
// are not UTF-8, and would make the request that carries it invalid for the server.
bool may_escape_invalid_unicode(std::string_view text) {
  return text.find("\\u") != std::string_view::npos;
}

namespace {

// Checks data JSON without building a DOM: the strings it decodes must be valid Unicode.
class DataValidator : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DataValidator> {
 public:
  explicit DataValidator(bool check_strings) : check_strings_(check_strings) {}
  bool bad_string = false;
  bool String(const char* s, rapidjson::SizeType n, bool) { return check(s, n); }
  bool Key(const char* s, rapidjson::SizeType n, bool) { return check(s, n); }

 private:
  bool check_strings_;
  bool check(const char* s, rapidjson::SizeType n) {
    if (!check_strings_ || is_valid_utf8(std::string_view(s, n))) return true;
    bad_string = true;
    return false;
  }
};

}  // namespace

// A NUL byte is never valid JSON, but rapidjson takes it for the end of the text and would
// ignore everything after it.
std::string nul_problem(std::string_view text) {
  const auto nul = text.find('\0');
  if (nul == std::string_view::npos) return {};
  return "contains a NUL byte (at offset " + std::to_string(nul) + ")";
}

std::string too_deep_problem() {
  return "nested more than " + std::to_string(kMaxJsonDepth) + " levels deep";
}

std::string parse_problem(const rapidjson::ParseResult& result) {
  return std::string(rapidjson::GetParseError_En(result.Code())) + " (at offset " +
         std::to_string(result.Offset()) + ")";
}

std::string validate_json(std::string_view text) {
  if (auto problem = nul_problem(text); !problem.empty()) return problem;
  rapidjson::Reader reader;
  DataValidator handler(may_escape_invalid_unicode(text));
  // StringStream (NUL-terminated; the text has no NUL) reads faster than a MemoryStream.
  const std::string copy(text);
  rapidjson::StringStream stream(copy.c_str());
  // The recursive reader (faster than the iterative one here), its recursion bounded by the
  // depth limit: the handler stops the parse before a level deeper than that.
  DepthLimitedHandler<DataValidator> limited(handler);
  const auto result = reader.Parse<rapidjson::kParseValidateEncodingFlag>(stream, limited);
  if (limited.too_deep()) return too_deep_problem();
  if (handler.bad_string) return "a string is not valid Unicode (a lone surrogate escape?)";
  if (result.IsError()) return parse_problem(result);
  return {};
}

// True when some string or key inside `root` is not valid UTF-8 (iterative: `root` is at most
// kMaxJsonDepth deep, but walks stay flat anyway).
bool has_invalid_string(const rapidjson::Value& root) {
  std::vector<const rapidjson::Value*> stack{&root};
  while (!stack.empty()) {
    const rapidjson::Value* v = stack.back();
    stack.pop_back();
    if (v->IsString()) {
      if (!is_valid_utf8(std::string_view(v->GetString(), v->GetStringLength()))) {
        return true;
      }
    } else if (v->IsArray()) {
      for (const auto& e : v->GetArray())
        stack.push_back(&e);
    } else if (v->IsObject()) {
      for (const auto& m : v->GetObject()) {
        stack.push_back(&m.name);
        stack.push_back(&m.value);
      }
    }
  }
  return false;
}

}  // namespace eventdest::detail
