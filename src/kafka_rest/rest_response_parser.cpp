#include "kafka_rest/rest_response_parser.hpp"

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>

#include <charconv>

#include "kafka_rest/rest_errors.hpp"

namespace eventdest::detail {
namespace {

Outcome report_outcome(const rapidjson::Value& report, int http_status) {
  if (!report.IsObject()) {
    return Outcome::failure(Outcome::Kind::fail, errc::internal,
                            "delivery report is not an object");
  }
  int code = 200;
  if (auto it = report.FindMember("error_code"); it != report.MemberEnd() && it->value.IsInt()) {
    code = it->value.GetInt();
  }
  auto offset = report.FindMember("offset");
  const bool has_offset = offset != report.MemberEnd() && offset->value.IsInt64();
  if (code == 200 || (code == 0 && has_offset)) {
    if (!has_offset) {
      // A success without an offset would be unverifiable; treat it as a protocol error.
      return Outcome::classify(errc::server_error, "delivery report without an offset", "200",
                               http_status, true);
    }
    Outcome o = Outcome::delivered_ok();
    o.offset = offset->value.GetInt64();
    if (auto p = report.FindMember("partition_id"); p != report.MemberEnd() && p->value.IsInt()) {
      o.partition = p->value.GetInt();
    }
    return o;
  }
  std::string message;
  if (auto m = report.FindMember("message"); m != report.MemberEnd() && m->value.IsString()) {
    message = m->value.GetString();
  }
  return rest_error_outcome(code, http_status, std::move(message));
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

std::vector<Outcome> parse_stream_reports(std::string_view body, int http_status, bool& complete) {
  std::vector<Outcome> out;
  complete = true;
  std::size_t pos = 0;
  while (true) {
    while (pos < body.size() && is_space(body[pos]))
      ++pos;
    if (pos >= body.size()) break;
    // A memory stream (not a NUL-terminated string) so a partial body is never over-read, and so
    // Tell() gives where this report ended.
    rapidjson::MemoryStream memory(body.data() + pos, body.size() - pos);
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> stream(memory);
    rapidjson::Document doc;
    doc.ParseStream<rapidjson::kParseStopWhenDoneFlag>(stream);
    if (doc.HasParseError()) {
      complete = false;
      break;
    }
    out.push_back(report_outcome(doc, http_status));
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
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
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
