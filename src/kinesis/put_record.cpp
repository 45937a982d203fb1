#include "kinesis/put_record.hpp"

#include <rapidjson/document.h>

#include <cctype>

#include "util/json_depth.hpp"

namespace eventdest::detail {

std::string put_record_body(std::string_view stream_field, std::string_view entry) {
  std::string body;
  body.reserve(stream_field.size() + entry.size() + 2);
  body += '{';
  body += stream_field;
  body += ',';
  body.append(entry.substr(1));  // the entry's fields and closing brace
  return body;
}

Outcome parse_put_record_response(std::string_view body) {
  rapidjson::Document doc;
  const auto parsed = parse_document_limited(doc, body.data(), body.size());
  if (parsed.ok() && doc.IsObject()) {
    const auto shard = doc.FindMember("ShardId");
    const auto sequence = doc.FindMember("SequenceNumber");
    if (shard != doc.MemberEnd() && shard->value.IsString() && shard->value.GetStringLength() &&
        sequence != doc.MemberEnd() && sequence->value.IsString() &&
        sequence->value.GetStringLength()) {
      Outcome o;
      o.set_delivered(
          std::string_view(shard->value.GetString(), shard->value.GetStringLength()),
          std::string_view(sequence->value.GetString(), sequence->value.GetStringLength()));
      return o;
    }
  }
  // The record may have been stored: a retry may duplicate it.
  return Outcome::failure(Outcome::Kind::retry, errc::server_error,
                          "malformed PutRecord response (no ShardId and SequenceNumber)", {}, 200,
                          true);
}

bool denies_put_records(std::string_view error_type, std::string_view message) {
  if (auto hash = error_type.rfind('#'); hash != std::string_view::npos) {
    error_type = error_type.substr(hash + 1);
  }
  if (auto colon = error_type.find(':'); colon != std::string_view::npos) {
    error_type = error_type.substr(0, colon);
  }
  if (error_type != "AccessDeniedException") return false;
  // "... is not authorized to perform: kinesis:PutRecords on resource: ..." (the action's name
  // may be followed by a space, a comma or the end of the message, not by more letters).
  for (std::size_t at = message.find("kinesis:PutRecords"); at != std::string_view::npos;
       at = message.find("kinesis:PutRecords", at + 1)) {
    const std::size_t end = at + std::string_view("kinesis:PutRecords").size();
    if (end == message.size() || !std::isalnum(static_cast<unsigned char>(message[end]))) {
      return true;
    }
  }
  return false;
}

}  // namespace eventdest::detail
