#include "kinesis/kinesis_records.hpp"

#include <rapidjson/document.h>

#include "core/base64.hpp"
#include "core/json_util.hpp"

namespace eventdest::detail {

std::string kinesis_payload(const Event& event, const MetadataList& metadata,
                            bool metadata_in_payload) {
  if (!metadata_in_payload) return std::string(event.data());
  std::string out;
  out.reserve(event.data().size() + 128);
  append_kinesis_payload_with_metadata(out, event, metadata);
  return out;
}

void append_kinesis_payload_with_metadata(std::string& out, const Event& event,
                                          const MetadataList& metadata) {
  out += "{\"metadata\":{";
  bool first = true;
  for (const auto& [k, v] : metadata) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, k);
    out += ':';
    append_json_string(out, v);
  }
  out += "},\"data\":";
  out += event.data();
  out += '}';
}

void append_put_records_entry(std::string& out, std::string_view blob, std::string_view key) {
  out += "{\"Data\":\"";
  append_base64(out, blob);
  out += "\",\"PartitionKey\":";
  append_json_string(out, key);
  out += '}';
}

namespace {

std::string_view strip_type(std::string_view type) {
  // "com.amazonaws.kinesis.v20131202#ResourceNotFoundException" or
  // "ResourceNotFoundException:http://internal.amazon.com/..." -> "ResourceNotFoundException".
  if (auto hash = type.rfind('#'); hash != std::string_view::npos) type = type.substr(hash + 1);
  if (auto colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  return type;
}

}  // namespace

Outcome kinesis_error_outcome(std::string_view raw_type, int http_status, std::string message) {
  const std::string type(strip_type(raw_type));
  if (message.empty()) message = type.empty() ? "HTTP " + std::to_string(http_status) : type;
  errc e;
  if (type == "ProvisionedThroughputExceededException" || type == "ThrottlingException" ||
      type == "LimitExceededException" || type == "KMSThrottlingException" || type == "SlowDown" ||
      type == "RequestLimitExceeded" || http_status == 429) {
    e = errc::throttled;
  } else if (type == "InternalFailure" || type == "InternalFailureException" ||
             type == "ServiceUnavailable" || type == "ServiceUnavailableException" ||
             type == "InternalServerError" || (type.empty() && http_status >= 500)) {
    e = errc::server_error;
  } else if (type == "AccessDeniedException" || type == "KMSAccessDeniedException") {
    e = errc::access_denied;
  } else if (type == "ResourceNotFoundException") {
    e = errc::not_found;
  } else if (type == "ExpiredTokenException" || type == "ExpiredToken") {
    e = errc::expired_credentials;
  } else if (type == "UnrecognizedClientException" || type == "InvalidSignatureException" ||
             type == "IncompleteSignature" || type == "MissingAuthenticationToken" ||
             type == "InvalidClientTokenId" || type == "SignatureDoesNotMatch") {
    e = errc::auth_failed;
  } else if (type.rfind("KMS", 0) == 0) {
    e = errc::kms_error;
  } else if (type == "RequestExpired" || type == "RequestTimeTooSkewed") {
    e = errc::server_error;  // clock skew at signing time: a fresh signature may pass
  } else if (http_status >= 500) {
    e = errc::server_error;
  } else {
    e = errc::invalid_request;  // InvalidArgumentException, ValidationException, ...
  }
  return Outcome::classify(e, std::move(message), type, http_status);
}

void parse_kinesis_error(std::string_view body, std::string_view error_type_header,
                         std::string& type, std::string& message) {
  type = std::string(strip_type(error_type_header));
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return;
  if (auto t = doc.FindMember("__type"); t != doc.MemberEnd() && t->value.IsString()) {
    type = std::string(strip_type(t->value.GetString()));
  }
  for (const char* name : {"message", "Message"}) {
    if (auto m = doc.FindMember(name); m != doc.MemberEnd() && m->value.IsString()) {
      message = m->value.GetString();
    }
  }
}

std::vector<Outcome> parse_put_records_response(std::string_view body, std::size_t count) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  auto malformed = [&](const std::string& why) {
    // We cannot tell which records were written: retry all, flagged as possible duplicates.
    return std::vector<Outcome>(
        count, Outcome::classify(errc::server_error, "malformed PutRecords response: " + why, {},
                                 200, true));
  };
  if (doc.HasParseError() || !doc.IsObject()) return malformed("not a JSON object");
  auto records = doc.FindMember("Records");
  if (records == doc.MemberEnd() || !records->value.IsArray()) return malformed("no Records");
  if (records->value.Size() != count) {
    return malformed(std::to_string(records->value.Size()) + " results for " +
                     std::to_string(count) + " records");
  }
  std::vector<Outcome> out;
  out.reserve(count);
  for (const auto& r : records->value.GetArray()) {
    if (!r.IsObject()) {
      out.push_back(
          Outcome::classify(errc::server_error, "record result is not an object", {}, 200, true));
      continue;
    }
    auto code = r.FindMember("ErrorCode");
    if (code != r.MemberEnd() && code->value.IsString()) {
      std::string message;
      if (auto m = r.FindMember("ErrorMessage"); m != r.MemberEnd() && m->value.IsString()) {
        message = m->value.GetString();
      }
      out.push_back(kinesis_error_outcome(code->value.GetString(), 200, std::move(message)));
      continue;
    }
    auto seq = r.FindMember("SequenceNumber");
    auto shard = r.FindMember("ShardId");
    if (seq == r.MemberEnd() || !seq->value.IsString() || shard == r.MemberEnd() ||
        !shard->value.IsString()) {
      out.push_back(Outcome::classify(
          errc::server_error, "record result without SequenceNumber/ShardId", {}, 200, true));
      continue;
    }
    Outcome o = Outcome::delivered_ok();
    o.sequence_number = seq->value.GetString();
    o.shard_id = shard->value.GetString();
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace eventdest::detail
