#include "kinesis/kinesis_records.hpp"

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstring>

#include "event/merged_metadata.hpp"
#include "pipeline/http_outcome.hpp"
#include "util/base64.hpp"
#include "util/json_depth.hpp"
#include "util/json_scan.hpp"
#include "util/json_util.hpp"

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
  out += "{\"metadata\":";
  append_json_string_object(out, metadata);
  out += ",\"data\":";
  out += event.data();
  out += '}';
}

namespace {

// Copies `s` to `p`; returns the end. The writers below size the output first and then fill it
// in one pass: a dozen appends per record, each checking capacity, cost more.
char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

}  // namespace

void append_kinesis_payload_with_system_metadata(std::string& out, const Event& event,
                                                 TimestampFormat format) {
  // Same keys and order as system_metadata().
  const std::string timestamp = format_timestamp(event.time(), format);
  const std::string_view id = event.id(), topic = event.topic(), data = event.data();
  constexpr std::string_view k_id = "{\"metadata\":{\"event-id\":", k_topic = ",\"topic\":",
                             k_time = ",\"timestamp\":", k_data = "},\"data\":";
  const std::size_t id_size = json_string_size(id), topic_size = json_string_size(topic),
                    time_size = json_string_size(timestamp);
  const std::size_t at = out.size();
  out.resize(at + k_id.size() + id_size + k_topic.size() + topic_size + k_time.size() + time_size +
             k_data.size() + data.size() + 1);
  char* p = out.data() + at;
  p = put(p, k_id);
  p = write_json_string(p, id, id_size);
  p = put(p, k_topic);
  p = write_json_string(p, topic, topic_size);
  p = put(p, k_time);
  p = write_json_string(p, timestamp, time_size);
  p = put(p, k_data);
  p = put(p, data);
  *p = '}';
}

void append_kinesis_payload_with_merged_metadata(std::string& out, const Event& event,
                                                 TimestampFormat format, const Metadata& extra,
                                                 bool timestamp_ms) {
  // Appended piece by piece: `out` is a scratch buffer that keeps its capacity, and sizing the
  // record first (a second pass over the pairs) measured no fewer instructions.
  out += "{\"metadata\":";
  append_json_string_object_with(out, [&](const auto& add) {
    for_each_merged_metadata(event, format, extra, timestamp_ms, add);
  });
  out += ",\"data\":";
  out += event.data();
  out += '}';
}

void append_put_records_entry(std::string& out, std::string_view blob, std::string_view key) {
  constexpr std::string_view k_data = "{\"Data\":\"", k_key = "\",\"PartitionKey\":";
  const std::size_t key_size = json_string_size(key);
  const std::size_t at = out.size();
  out.resize(at + k_data.size() + base64_size(blob.size()) + k_key.size() + key_size + 1);
  char* p = out.data() + at;
  p = put(p, k_data);
  p = encode_base64(blob, p);
  p = put(p, k_key);
  p = write_json_string(p, key, key_size);
  *p = '}';
}

void append_put_records_entry(std::string& out, std::string_view blob, std::string_view key,
                              std::string_view explicit_hash_key) {
  append_put_records_entry(out, blob, key);
  if (explicit_hash_key.empty()) return;
  out.pop_back();  // the closing brace
  out += ",\"ExplicitHashKey\":";
  append_json_string(out, explicit_hash_key);  // digits only, checked when it was made
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
  } else {
    // InvalidArgumentException, ValidationException, ... (400, or 200 for a record's result);
    // without a type (a proxy or load balancer answering 401/403/404/413 with no body) the
    // status says what happened, as it does for the REST destination.
    e = error_for_http_status(http_status);
  }
  return Outcome::classify(e, std::move(message), type, http_status);
}

void parse_kinesis_error(std::string_view body, std::string_view error_type_header,
                         std::string& type, std::string& message) {
  type = std::string(strip_type(error_type_header));
  rapidjson::Document doc;
  if (!parse_document_limited(doc, body.data(), body.size()).ok() || !doc.IsObject()) return;
  if (auto t = doc.FindMember("__type"); t != doc.MemberEnd() && t->value.IsString()) {
    type =
        std::string(strip_type(std::string_view(t->value.GetString(), t->value.GetStringLength())));
  }
  for (const char* name : {"message", "Message"}) {
    if (auto m = doc.FindMember(name); m != doc.MemberEnd() && m->value.IsString()) {
      message.assign(m->value.GetString(), m->value.GetStringLength());
    }
  }
}

namespace {

// One member of a result entry: as with a DOM lookup, the first member of a name counts, and
// only if its value is a string.
struct EntryField {
  bool seen = false;
  bool is_string = false;
  std::string text;
};

// What a PutRecords result entry said, read by a SAX pass (no DOM for the ~500 results of a
// batch).
struct ResultEntry {
  bool is_object = false;
  EntryField error_code, error_message, sequence_number, shard_id;
};

class PutRecordsHandler
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, PutRecordsHandler> {
 public:
  explicit PutRecordsHandler(std::size_t expected) { entries.reserve(expected); }

  std::vector<ResultEntry> entries;
  bool root_is_object = false;
  bool records_is_array = false;  // the first top-level "Records" member is an array

  // Null, booleans and numbers.
  bool Default() {
    value();
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (field_) {
      field_->is_string = true;
      field_->text.assign(s, n);
      field_ = nullptr;
      return true;
    }
    value();
    return true;
  }
  bool StartObject() {
    if (depth_ == 0) root_is_object = true;
    if (depth_ == 2 && in_records_) {
      entries.emplace_back().is_object = true;
    } else {
      value();
    }
    ++depth_;
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    const std::string_view key(s, n);
    if (depth_ == 1) {
      next_is_records_ = key == "Records" && !records_seen_;
      records_seen_ = records_seen_ || next_is_records_;
    } else if (depth_ == 3 && in_records_) {
      ResultEntry& e = entries.back();
      EntryField* f = key == "ErrorCode"        ? &e.error_code
                      : key == "ErrorMessage"   ? &e.error_message
                      : key == "SequenceNumber" ? &e.sequence_number
                      : key == "ShardId"        ? &e.shard_id
                                                : nullptr;
      if (f && !f->seen) {
        f->seen = true;
        field_ = f;
      }
    }
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  bool StartArray() {
    if (depth_ == 1 && next_is_records_) {
      records_is_array = true;
      in_records_ = true;
      next_is_records_ = false;
    } else {
      value();
    }
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    if (depth_ == 1) in_records_ = false;
    return true;
  }

 private:
  // A value that is not a string for a selected field, or a container that is not an entry.
  void value() {
    next_is_records_ = false;  // (only meaningful at depth 1: "Records" that is not an array)
    if (depth_ == 2 && in_records_) entries.emplace_back();  // an entry that is not an object
    field_ = nullptr;  // the selected member's value is not a string: it does not count
  }

  std::size_t depth_ = 0;
  bool records_seen_ = false;
  bool next_is_records_ = false;
  bool in_records_ = false;
  EntryField* field_ = nullptr;  // the member whose value comes next, if it is one we read
};

}  // namespace

namespace {

// The fast path for the shape Kinesis answers with: plain strings (no escapes), the known members
// only. It reads without copying; anything else (escapes, unknown or non-string members, a
// count mismatch, bad JSON) returns false and the SAX reader decides, so both agree on every
// body the fast path accepts (fuzz_kinesis_response checks that).
class FastPutRecordsScanner {
 public:
  explicit FastPutRecordsScanner(std::string_view body) : p_(body.data()), end_(p_ + body.size()) {}

  // Fills out[0..n) (n, the number of entries read, is returned in out's size); elements already
  // in `out` are overwritten in place.
  bool scan(std::size_t count, std::vector<Outcome>& out) {
    out.reserve(count);
    used_ = 0;
    if (!expect('{')) return false;
    bool records_seen = false;
    if (!peek('}')) {
      do {
        std::string_view key;
        if (!string(key) || !expect(':')) return false;
        if (key == "Records" && !records_seen) {
          records_seen = true;
          if (!records(out)) return false;
        } else if (key == "FailedRecordCount") {
          if (!digits()) return false;
        } else if (key == "EncryptionType") {
          std::string_view ignored;
          if (!string(ignored)) return false;
        } else {
          return false;
        }
      } while (expect(','));
    }
    if (!expect('}')) return false;
    skip_space();
    out.resize(used_);
    return p_ == end_ && records_seen && used_ == count;
  }

 private:
  void skip_space() { p_ = skip_json_space(p_, end_); }
  bool peek(char c) {
    skip_space();
    return p_ != end_ && *p_ == c;
  }
  bool expect(char c) {
    if (!peek(c)) return false;
    ++p_;
    return true;
  }
  // A string without escapes or control characters (those are left to the full parser).
  bool string(std::string_view& s) {
    if (!expect('"')) return false;
    const char* const close = find_plain_string_end(p_, end_);
    if (close == nullptr) return false;
    s = std::string_view(p_, static_cast<std::size_t>(close - p_));
    p_ = close + 1;
    return true;
  }
  // A non-negative integer in JSON's grammar ("0" or no leading zero).
  bool digits() {
    skip_space();
    const char* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9')
      ++p_;
    return p_ != start && (p_ - start == 1 || *start != '0');
  }
  bool records(std::vector<Outcome>& out) {
    if (!expect('[')) return false;
    if (expect(']')) return true;
    do {
      if (!entry(out)) return false;
    } while (expect(','));
    return expect(']');
  }
  bool entry(std::vector<Outcome>& out) {
    if (!expect('{')) return false;
    std::string_view code, message, sequence, shard;
    bool has_code = false, has_message = false, has_sequence = false, has_shard = false;
    if (!peek('}')) {
      do {
        std::string_view key, value;
        if (!string(key) || !expect(':') || !string(value)) return false;
        // As in the SAX reader: the first member of a name counts.
        if (key == "SequenceNumber" && !has_sequence) {
          sequence = value;
          has_sequence = true;
        } else if (key == "ShardId" && !has_shard) {
          shard = value;
          has_shard = true;
        } else if (key == "ErrorCode" && !has_code) {
          code = value;
          has_code = true;
        } else if (key == "ErrorMessage" && !has_message) {
          message = value;
          has_message = true;
        }
      } while (expect(','));
    }
    if (!expect('}')) return false;
    Outcome& o = next(out);
    if (has_code) {
      o = kinesis_error_outcome(code, 200, std::string(message));
    } else if (!has_sequence || !has_shard) {
      o = Outcome::classify(errc::server_error, "record result without SequenceNumber/ShardId", {},
                            200, true);
    } else {
      o.set_delivered(shard, sequence);
    }
    return true;
  }
  Outcome& next(std::vector<Outcome>& out) {
    return used_ < out.size() ? out[used_++] : (++used_, out.emplace_back());
  }

  const char* p_;
  const char* end_;
  std::size_t used_ = 0;
};

}  // namespace

std::vector<Outcome> parse_put_records_response(std::string_view body, std::size_t count) {
  std::vector<Outcome> out;
  parse_put_records_response(body, count, out);
  return out;
}

void parse_put_records_response(std::string_view body, std::size_t count,
                                std::vector<Outcome>& out) {
  if (FastPutRecordsScanner(body).scan(count, out)) return;
  out = parse_put_records_response_generic(body, count);
}

std::vector<Outcome> parse_put_records_response_generic(std::string_view body, std::size_t count) {
  auto malformed = [&](const std::string& why) {
    // We cannot tell which records were written: retry all, flagged as possible duplicates.
    return std::vector<Outcome>(
        count, Outcome::classify(errc::server_error, "malformed PutRecords response: " + why, {},
                                 200, true));
  };
  PutRecordsHandler handler(count);
  rapidjson::MemoryStream memory(body.data(), body.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(memory);
  rapidjson::Reader reader;
  if (!parse_json_limited(reader, input, handler).ok() || !handler.root_is_object) {
    return malformed("not a JSON object");
  }
  if (!handler.records_is_array) return malformed("no Records");
  if (handler.entries.size() != count) {
    return malformed(std::to_string(handler.entries.size()) + " results for " +
                     std::to_string(count) + " records");
  }
  std::vector<Outcome> out;
  out.reserve(count);
  for (auto& e : handler.entries) {
    if (!e.is_object) {
      out.push_back(
          Outcome::classify(errc::server_error, "record result is not an object", {}, 200, true));
      continue;
    }
    if (e.error_code.is_string) {
      out.push_back(kinesis_error_outcome(
          e.error_code.text, 200,
          e.error_message.is_string ? std::move(e.error_message.text) : std::string()));
      continue;
    }
    if (!e.sequence_number.is_string || !e.shard_id.is_string) {
      out.push_back(Outcome::classify(
          errc::server_error, "record result without SequenceNumber/ShardId", {}, 200, true));
      continue;
    }
    Outcome o = Outcome::delivered_ok();
    o.sequence_number = std::move(e.sequence_number.text);
    o.shard_id = std::move(e.shard_id.text);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace eventdest::detail
