#include "kafka_rest/rest_response_parser.hpp"

#include <rapidjson/document.h>
#include <rapidjson/reader.h>

#include <charconv>
#include <cstdint>
#include <cstring>

#include "util/json_depth.hpp"
#include "util/json_scan.hpp"
#include "kafka_rest/rest_errors.hpp"

namespace eventdest::detail {
namespace {

// What a report's outcome depends on: the first top-level member of each of these names (as
// FindMember would find it; a number member is kept as a value to ask IsInt/IsInt64 of).
struct ReportFields {
  bool is_object = false;
  rapidjson::Value error_code;
  rapidjson::Value offset;
  rapidjson::Value partition_id;
  bool has_message = false;  // the first "message" member is a string
  std::string message;
};

Outcome report_outcome(const ReportFields& report, int http_status) {
  if (!report.is_object) {
    return Outcome::failure(Outcome::Kind::fail, errc::internal,
                            "delivery report is not an object");
  }
  int code = 200;
  if (report.error_code.IsInt()) code = report.error_code.GetInt();
  const bool has_offset = report.offset.IsInt64();
  if (code == 200 || (code == 0 && has_offset)) {
    if (!has_offset) {
      // A success without an offset would be unverifiable; treat it as a protocol error.
      return Outcome::classify(errc::server_error, "delivery report without an offset", "200",
                               http_status, true);
    }
    Outcome o = Outcome::delivered_ok();
    o.offset = report.offset.GetInt64();
    if (report.partition_id.IsInt()) o.partition = report.partition_id.GetInt();
    return o;
  }
  return rest_error_outcome(code, http_status, report.has_message ? report.message : std::string());
}

Outcome report_outcome(const rapidjson::Value& report, int http_status) {
  ReportFields fields;
  fields.is_object = report.IsObject();
  if (fields.is_object) {
    // Numbers only (no allocator needed): copy what IsInt/IsInt64 look at.
    auto number = [&report](const char* name, rapidjson::Value& out) {
      if (auto it = report.FindMember(name); it != report.MemberEnd()) {
        if (it->value.IsInt64()) {
          out.SetInt64(it->value.GetInt64());
        } else if (it->value.IsInt()) {
          out.SetInt(it->value.GetInt());
        }
      }
    };
    number("error_code", fields.error_code);
    number("offset", fields.offset);
    number("partition_id", fields.partition_id);
    if (auto m = report.FindMember("message"); m != report.MemberEnd() && m->value.IsString()) {
      fields.has_message = true;
      fields.message.assign(m->value.GetString(), m->value.GetStringLength());
    }
  }
  return report_outcome(fields, http_status);
}

// The report member a top-level key names. Only the first member of each name counts, as
// FindMember would find it: both readers below classify keys through one ReportKeys each.
enum class Target { none, error_code, offset, partition_id, message };

struct ReportKeys {
  bool code = false, offset = false, partition = false, message = false;

  Target classify(std::string_view key) {
    auto first = [](bool& seen, Target t) {
      const bool fresh = !seen;
      seen = true;
      return fresh ? t : Target::none;
    };
    if (key == "error_code") return first(code, Target::error_code);
    if (key == "offset") return first(offset, Target::offset);
    if (key == "partition_id") return first(partition, Target::partition_id);
    if (key == "message") return first(message, Target::message);
    return Target::none;
  }
};

// SAX handler filling ReportFields from one streamed report: no DOM and no allocation per
// report (a DOM Document allocates a memory pool for every report).
class ReportHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ReportHandler> {
 public:
  explicit ReportHandler(ReportFields& fields) : fields_(fields) {}

  bool StartObject() {
    if (depth_ == 0) fields_.is_object = true;
    ++depth_;
    target_ = Target::none;
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    target_ = Target::none;
    return true;
  }
  bool StartArray() {
    ++depth_;
    target_ = Target::none;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    target_ = Target::none;
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    target_ = Target::none;
    if (depth_ != 1) return true;
    target_ = seen_.classify(std::string_view(s, n));
    return true;
  }
  bool Int(int i) { return number(rapidjson::Value(i)); }
  bool Uint(unsigned u) { return number(rapidjson::Value(u)); }
  bool Int64(std::int64_t i) { return number(rapidjson::Value(i)); }
  bool Uint64(std::uint64_t u) { return number(rapidjson::Value(u)); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (target_ == Target::message && depth_ == 1) {
      fields_.has_message = true;
      fields_.message.assign(s, n);
    }
    target_ = Target::none;
    return true;
  }
  bool Default() {  // null, booleans, doubles: none of the fields takes them
    target_ = Target::none;
    return true;
  }

 private:
  bool number(rapidjson::Value v) {
    if (depth_ == 1) {
      if (target_ == Target::error_code) fields_.error_code = std::move(v);
      if (target_ == Target::offset) fields_.offset = std::move(v);
      if (target_ == Target::partition_id) fields_.partition_id = std::move(v);
    }
    target_ = Target::none;
    return true;
  }

  ReportFields& fields_;
  int depth_ = 0;
  Target target_ = Target::none;
  ReportKeys seen_;
};

// The usual report, read without rapidjson: compact JSON (no whitespace outside strings), strings
// without escapes or control characters, non-negative integers of up to 18 digits, nested
// objects. Anything else - or a report cut short - makes read() return false, and the report is
// parsed by rapidjson from the same place. What it accepts is valid JSON, and it fills
// ReportFields as ReportHandler does (first top-level member of each name; numbers as
// rapidjson::Value, so IsInt/IsInt64 answer the same). Much cheaper than the SAX parse.
class FastReport {
 public:
  explicit FastReport(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  /// Fills `fields` and returns true when the report at the start of the text is one it reads;
  /// `used` is then its length.
  bool read(ReportFields& fields, std::size_t& used) {
    const char* const start = p_;
    if (p_ == end_ || *p_ != '{' || !object(fields, 1)) return false;
    fields.is_object = true;
    used = static_cast<std::size_t>(p_ - start);
    return true;
  }

 private:
  static constexpr int kMaxDepth = 8;

  bool object(ReportFields& fields, int depth) {
    ++p_;  // '{'
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      std::string_view key;
      if (!string(key) || p_ == end_ || *p_ != ':') return false;
      ++p_;
      const Target target = depth == 1 ? seen_.classify(key) : Target::none;
      if (p_ == end_) return false;
      if (*p_ == '"') {
        std::string_view value;
        if (!string(value)) return false;
        if (target == Target::message) {
          fields.has_message = true;
          fields.message.assign(value.data(), value.size());
        }
      } else if (*p_ >= '0' && *p_ <= '9') {
        std::int64_t value;
        if (!number(value)) return false;
        if (target == Target::error_code) fields.error_code = rapidjson::Value(value);
        if (target == Target::offset) fields.offset = rapidjson::Value(value);
        if (target == Target::partition_id) fields.partition_id = rapidjson::Value(value);
      } else if (*p_ == '{' && depth < kMaxDepth) {
        if (!object(fields, depth + 1)) return false;
      } else {
        return false;
      }
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  bool string(std::string_view& out) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* const start = p_ + 1;
    const char* const close = find_plain_string_end(start, end_);
    if (close == nullptr) return false;
    out = std::string_view(start, static_cast<std::size_t>(close - start));
    p_ = close + 1;
    return true;
  }

  bool number(std::int64_t& out) {
    const char* const start = p_;
    const char* p = start;
    while (p != end_ && *p >= '0' && *p <= '9')
      ++p;
    const auto digits = p - start;
    // 18 digits cannot overflow; a leading zero, a fraction or an exponent go to rapidjson.
    if (digits > 18 || (digits > 1 && *start == '0')) return false;
    if (p != end_ && (*p == '.' || *p == 'e' || *p == 'E')) return false;
    std::int64_t value = 0;
    for (const char* d = start; d != p; ++d)
      value = value * 10 + (*d - '0');
    out = value;
    p_ = p;
    return true;
  }

  const char* p_;
  const char* const end_;
  ReportKeys seen_;
};

}  // namespace

std::vector<Outcome> parse_stream_reports(std::string_view body, int http_status, bool& complete,
                                          std::size_t expected) {
  std::vector<Outcome> out;
  out.reserve(expected);
  complete = true;
  // For rapidjson, made on first need: one NUL-terminated copy, parsed in place (no
  // per-character buffer pushes). The parser stops at the NUL, so a partial body is never
  // over-read, and Tell() gives where a report ended.
  std::string buffer;
  std::size_t pos = 0;
  rapidjson::Reader reader;
  while (true) {
    while (pos < body.size() && is_json_space(body[pos]))
      ++pos;
    if (pos >= body.size()) break;
    // The bytes of a UTF-8 byte order mark are skipped, as EncodedInputStream<UTF8<>> does.
    for (unsigned char bom : {0xEFu, 0xBBu, 0xBFu}) {
      if (pos < body.size() && static_cast<unsigned char>(body[pos]) == bom) ++pos;
    }
    {
      ReportFields fields;
      std::size_t used = 0;
      if (FastReport(body.substr(pos)).read(fields, used)) {
        out.push_back(report_outcome(fields, http_status));
        pos += used;
        continue;
      }
    }
    if (buffer.empty()) buffer.assign(body.data(), body.size());
    rapidjson::InsituStringStream stream(buffer.data() + pos);
    ReportFields fields;
    ReportHandler handler(fields);
    constexpr unsigned flags = rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseInsituFlag;
    if (!parse_json_limited<flags>(reader, stream, handler).ok()) {
      complete = false;
      break;
    }
    out.push_back(report_outcome(fields, http_status));
    pos += stream.Tell();
  }
  return out;
}

std::vector<Outcome> parse_batch_response(std::string_view body, std::size_t count,
                                          int http_status) {
  std::vector<Outcome> out(count, Outcome::failure(Outcome::Kind::fail, errc::internal,
                                                   "no result for this entry in the batch response",
                                                   {}, http_status, true));
  rapidjson::Document doc;
  if (!parse_document_limited(doc, body.data(), body.size()).ok() || !doc.IsObject()) {
    for (auto& o : out) {
      o = Outcome::classify(errc::server_error, "batch response is not valid JSON", {}, http_status,
                            true);
    }
    return out;
  }
  auto entry_index = [count](const rapidjson::Value& entry, std::size_t& index) {
    auto id = entry.FindMember("id");
    if (id == entry.MemberEnd() || !id->value.IsString()) return false;
    const char* s = id->value.GetString();
    const char* e = s + id->value.GetStringLength();
    auto [ptr, ec] = std::from_chars(s, e, index);
    return ec == std::errc() && ptr == e && index < count;
  };
  if (auto it = doc.FindMember("successes"); it != doc.MemberEnd() && it->value.IsArray()) {
    for (const auto& entry : it->value.GetArray()) {
      std::size_t index;
      if (!entry.IsObject() || !entry_index(entry, index)) continue;
      Outcome o = Outcome::delivered_ok();
      if (auto p = entry.FindMember("partition_id"); p != entry.MemberEnd() && p->value.IsInt()) {
        o.partition = p->value.GetInt();
      }
      if (auto p = entry.FindMember("offset"); p != entry.MemberEnd() && p->value.IsInt64()) {
        o.offset = p->value.GetInt64();
      }
      out[index] = o;
    }
  }
  if (auto it = doc.FindMember("failures"); it != doc.MemberEnd() && it->value.IsArray()) {
    for (const auto& entry : it->value.GetArray()) {
      std::size_t index;
      if (!entry.IsObject() || !entry_index(entry, index)) continue;
      out[index] = report_outcome(entry, http_status);
      if (out[index].kind == Outcome::Kind::delivered) {
        out[index] = Outcome::failure(Outcome::Kind::fail, errc::internal,
                                      "failure entry without an error code", {}, http_status);
      }
    }
  }
  return out;
}

}  // namespace eventdest::detail
