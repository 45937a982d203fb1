#include <rapidjson/document.h>

#include "kinesis/kinesis_records.hpp"
#include "support/catch.hpp"
#include "util/base64.hpp"
#include "util/json_util.hpp"

using namespace eventdest;
using namespace eventdest::detail;

TEST_CASE("the Kinesis payload carries metadata and the exact data", "[kinesis]") {
  auto e = Event::from_json(
      R"({"id":"e1","topic":"orders","time":1704067200,"metadata":{"source":"web"},"data":{"b": 2.50,"a":[1]}})");
  const auto md = merged_metadata(e);
  CHECK(
      kinesis_payload(e, md, true) ==
      R"({"metadata":{"event-id":"e1","topic":"orders","timestamp":"1704067200","source":"web"},"data":{"b": 2.50,"a":[1]}})");
  CHECK(kinesis_payload(e, md, false) == R"({"b": 2.50,"a":[1]})");
}

TEST_CASE("the system-metadata payload writer equals the general one", "[kinesis]") {
  // The publish path writes events without metadata of their own directly; the bytes must be
  // those of the list-based writer for every timestamp format, escapes included.
  auto e = Event::from_json(
      R"({"id":"e\"1","topic":"or\\ders","time":"2024-01-01T00:00:00.250Z","data":{"b":[1,"x"]}})");
  // Plain ids and topics take the one-pass writer, escaped ones the appending one; an id or a
  // topic with a control character or a quote at either end, too.
  std::vector<Event> events{e, Event("orders", R"({"a":1})"), Event("t", "[]")};
  events.back().set_id("\x01x\"");
  events.emplace_back("o\nr", "null");
  events.back().set_id(std::string(300, 'i'));
  for (const auto& event : events) {
    for (auto format : {TimestampFormat::unix_seconds, TimestampFormat::unix_ms,
                        TimestampFormat::rfc3339, TimestampFormat::rfc3339_ms}) {
      std::string general = "prefix";
      append_kinesis_payload_with_metadata(general, event, system_metadata(event, format));
      std::string direct = "prefix";
      append_kinesis_payload_with_system_metadata(direct, event, format);
      CHECK(direct == general);
    }
  }
  std::string direct;
  append_kinesis_payload_with_system_metadata(direct, e, TimestampFormat::rfc3339_ms);
  CHECK(
      direct ==
      R"({"metadata":{"event-id":"e\"1","topic":"or\\ders","timestamp":"2024-01-01T00:00:00.250Z"},"data":{"b":[1,"x"]}})");
}

// More pairs than the one-pass writer keeps string sizes for.
static Metadata many_pairs() {
  Metadata m;
  for (int i = 0; i < 40; ++i)
    m["k" + std::to_string(i)] = i % 7 == 0 ? "v\"" + std::to_string(i) : "v" + std::to_string(i);
  return m;
}

TEST_CASE("the merged-metadata payload writer equals the general one", "[kinesis]") {
  // Events with metadata of their own, or destinations with delivery_metadata or timestamp-ms,
  // are written pair by pair from the event: the bytes of the list-based writer, system keys
  // overridden, escapes included.
  Event e("or\"ders", R"({"a":[1,"x"]})");
  e.set_id("id\\1");
  e.metadata() = {{"source", "web"}, {"topic", "mine"}, {"q\"k", "v\n"}, {"r", "own"}};
  const std::vector<Metadata> extras = {{},
                                        {{"region", "eu"}},
                                        {{"r", "destination"}, {"timestamp", "fixed"}},
                                        {{"timestamp-ms", "x"}, {"z\x01", "\x1f"}},
                                        many_pairs()};
  for (bool own : {true, false}) {
    Event event = e;
    if (!own) event.metadata().clear();
    for (const auto& extra : extras) {
      for (bool ms : {false, true}) {
        for (auto format : {TimestampFormat::unix_seconds, TimestampFormat::rfc3339_ms}) {
          std::string general = "prefix";
          append_kinesis_payload_with_metadata(general, event,
                                               merged_metadata(event, format, extra, ms));
          std::string direct = "prefix";
          append_kinesis_payload_with_merged_metadata(direct, event, format, extra, ms);
          CHECK(direct == general);
        }
      }
    }
  }
}

TEST_CASE("a PutRecords entry is the same whether its key needs escaping or not", "[kinesis]") {
  // The one-pass writer (plain keys) against the entry built piece by piece, at blob sizes
  // around the vector encoder's block and the padding cases, after existing text.
  std::string blob;
  for (std::size_t size = 0; size < 80; ++size) {
    for (const std::string& key : {std::string("k"), std::string("c-123"), std::string(256, 'k'),
                                   std::string("k\"1"), std::string("\x1f")}) {
      std::string expected = "[";
      expected += "{\"Data\":\"";
      append_base64(expected, blob);
      expected += "\",\"PartitionKey\":";
      expected += json_string(key);
      expected += '}';
      std::string out = "[";
      append_put_records_entry(out, blob, key);
      CHECK(out == expected);
    }
    blob.push_back(static_cast<char>('a' + size % 26));
  }
}

TEST_CASE("a PutRecords entry is base64 data and a JSON-escaped key", "[kinesis]") {
  std::string out;
  append_put_records_entry(out, R"({"x":1})", "k\"1");
  rapidjson::Document doc;
  doc.Parse(out.c_str());
  REQUIRE(doc.IsObject());
  std::string data;
  REQUIRE(decode_base64(doc["Data"].GetString(), data));
  CHECK(data == R"({"x":1})");
  CHECK(std::string(doc["PartitionKey"].GetString()) == "k\"1");
}

TEST_CASE("PutRecords responses give one outcome per record, in order", "[kinesis]") {
  auto out = parse_put_records_response(
      R"({"FailedRecordCount":2,"Records":[)"
      R"({"SequenceNumber":"4960","ShardId":"shardId-000000000001"},)"
      R"({"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard"},)"
      R"({"ErrorCode":"InternalFailure","ErrorMessage":"Internal service failure."},)"
      R"({"ErrorCode":"KMSAccessDeniedException","ErrorMessage":"denied"}]})",
      4);
  REQUIRE(out.size() == 4);
  CHECK(out[0].kind == Outcome::Kind::delivered);
  CHECK(out[0].shard_id == "shardId-000000000001");
  CHECK(out[0].sequence_number == "4960");
  CHECK(out[1].kind == Outcome::Kind::retry);
  CHECK(out[1].error == errc::throttled);
  CHECK(out[1].provider_code == "ProvisionedThroughputExceededException");
  CHECK(out[1].message == "Rate exceeded for shard");
  CHECK(out[2].kind == Outcome::Kind::retry);
  CHECK(out[2].error == errc::server_error);
  CHECK(out[3].kind == Outcome::Kind::fail);
  CHECK(out[3].error == errc::access_denied);
}

TEST_CASE("malformed PutRecords responses are retried as possible duplicates", "[kinesis]") {
  for (const char* body : {"", "{", "[]", R"({"Records":[]})",
                           R"({"Records":[{"SequenceNumber":"1"}]})", R"({"Records":[1]})"}) {
    auto out = parse_put_records_response(body, 1);
    REQUIRE(out.size() == 1);
    CHECK(out[0].kind == Outcome::Kind::retry);
    CHECK(out[0].maybe_sent);
  }
}

namespace {

bool same(const Outcome& a, const Outcome& b) {
  return a.kind == b.kind && a.error == b.error && a.provider_code == b.provider_code &&
         a.http_status == b.http_status && a.message == b.message && a.maybe_sent == b.maybe_sent &&
         a.shard_id == b.shard_id && a.sequence_number == b.sequence_number &&
         a.partition == b.partition && a.offset == b.offset;
}

}  // namespace

TEST_CASE("the fast PutRecords reader agrees with the full one on every body", "[kinesis]") {
  // Bodies the fast path takes (plain strings, known members) and bodies it must hand over
  // (escapes, unknown or non-string members, duplicates, numbers in other forms, bad JSON).
  const char* bodies[] = {
      R"({"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"}]})",
      " {\n \"Records\" : [ {\"ShardId\":\"s\" ,\t\"SequenceNumber\":\"1\"},\r\n"
      "{\"ErrorCode\":\"ProvisionedThroughputExceededException\",\"ErrorMessage\":\"slow\"} ],"
      "\"EncryptionType\":\"KMS\",\"FailedRecordCount\":1 } ",
      R"({"Records":[{"SequenceNumber":"1","ShardId":"s","Extra":"x"},{"ErrorCode":"InternalFailure"}]})",
      R"({"Records":[{"SequenceNumber":"1","SequenceNumber":"9","ShardId":"s"},{"ShardId":"s"}]})",
      R"({"Records":[{"SequenceNumber":"1","ShardId":"s\u0041"},{"SequenceNumber":"2","ShardId":"s"}]})",
      R"({"Records":[{"SequenceNumber":1,"ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"}]})",
      R"({"Records":[{"SequenceNumber":"1","ShardId":"s"},{"ErrorCode":"X","ErrorMessage":"a\"b"}]})",
      R"({"Records":[{"SequenceNumber":"1","ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"}],"Records":[]})",
      R"({"FailedRecordCount":01,"Records":[{"SequenceNumber":"1","ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"}]})",
      R"({"FailedRecordCount":-1,"Records":[{"SequenceNumber":"1","ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"}]})",
      R"({"Other":null,"Records":[{"SequenceNumber":"1","ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"}]})",
      R"({"Records":[{"SequenceNumber":"1","ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"}]} x)",
      R"({"Records":[{"SequenceNumber":"1","ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"},]})",
      R"({"Records":[{"SequenceNumber":"1","ShardId":"s"}]})",
      R"({"Records":[{"SequenceNumber":"1","ShardId":"s"},[]]})",
      R"({"Records":[{},{"SequenceNumber":"2","ShardId":"s"}]})",
      R"({"Records":[{"SequenceNumber":"1","ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"})",
  };
  for (const char* body : bodies) {
    CAPTURE(body);
    const auto fast = parse_put_records_response(body, 2);
    const auto full = parse_put_records_response_generic(body, 2);
    REQUIRE(fast.size() == 2);
    REQUIRE(full.size() == 2);
    CHECK(same(fast[0], full[0]));
    CHECK(same(fast[1], full[1]));
  }
  // A kept vector (what the destination reuses from response to response) gives the same
  // outcomes as a fresh one, whatever the previous response left in it: delivered entries reuse
  // strings, errors and malformed bodies replace them, counts grow and shrink.
  const std::string long_sequence(56, '7');
  const std::string three =
      R"({"Records":[{"SequenceNumber":")" + long_sequence +
      R"(","ShardId":"shardId-000000000001"},{"ErrorCode":"InternalFailure","ErrorMessage":"later"},)"
      R"({"SequenceNumber":"5","ShardId":"shardId-000000000002"}]})";
  std::vector<Outcome> kept;
  for (int round = 0; round < 2; ++round) {
    for (const char* body : bodies) {
      CAPTURE(round, body);
      parse_put_records_response(three, 3, kept);
      const auto full_three = parse_put_records_response_generic(three, 3);
      REQUIRE(kept.size() == 3);
      for (std::size_t i = 0; i < 3; ++i)
        CHECK(same(kept[i], full_three[i]));
      parse_put_records_response(body, 2, kept);
      const auto full = parse_put_records_response_generic(body, 2);
      REQUIRE(kept.size() == 2);
      CHECK(same(kept[0], full[0]));
      CHECK(same(kept[1], full[1]));
    }
  }

  const auto ok = parse_put_records_response(bodies[1], 2);
  CHECK(ok[0].kind == Outcome::Kind::delivered);
  CHECK(ok[0].sequence_number == "1");
  CHECK(ok[0].shard_id == "s");
  CHECK(ok[1].error == errc::throttled);
  CHECK(ok[1].message == "slow");
}

TEST_CASE("request errors are classified from __type or x-amzn-ErrorType", "[kinesis]") {
  struct Case {
    const char* type;
    int status;
    errc error;
    Outcome::Kind kind;
  };
  const Case cases[] = {
      {"ProvisionedThroughputExceededException", 400, errc::throttled, Outcome::Kind::retry},
      {"ThrottlingException", 400, errc::throttled, Outcome::Kind::retry},
      {"LimitExceededException", 400, errc::throttled, Outcome::Kind::retry},
      {"KMSThrottlingException", 400, errc::throttled, Outcome::Kind::retry},
      {"InternalFailure", 500, errc::server_error, Outcome::Kind::retry},
      {"ServiceUnavailable", 503, errc::server_error, Outcome::Kind::retry},
      {"", 502, errc::server_error, Outcome::Kind::retry},
      {"AccessDeniedException", 400, errc::access_denied, Outcome::Kind::fail},
      {"ResourceNotFoundException", 400, errc::not_found, Outcome::Kind::fail},
      {"InvalidArgumentException", 400, errc::invalid_request, Outcome::Kind::fail},
      {"ValidationException", 400, errc::invalid_request, Outcome::Kind::fail},
      {"KMSDisabledException", 400, errc::kms_error, Outcome::Kind::fail},
      {"KMSInvalidStateException", 400, errc::kms_error, Outcome::Kind::fail},
      {"KMSNotFoundException", 400, errc::kms_error, Outcome::Kind::fail},
      {"KMSOptInRequired", 400, errc::kms_error, Outcome::Kind::fail},
      {"ExpiredTokenException", 400, errc::expired_credentials, Outcome::Kind::fail},
      {"UnrecognizedClientException", 400, errc::auth_failed, Outcome::Kind::fail},
      {"InvalidSignatureException", 400, errc::auth_failed, Outcome::Kind::fail},
      // No body and no x-amzn-ErrorType (a proxy or load balancer): the status decides, with
      // the mapping the REST destination uses.
      {"", 401, errc::auth_failed, Outcome::Kind::fail},
      {"", 403, errc::access_denied, Outcome::Kind::fail},
      {"", 404, errc::not_found, Outcome::Kind::fail},
      {"", 413, errc::record_too_large, Outcome::Kind::fail},
      {"", 400, errc::invalid_request, Outcome::Kind::fail},
      {"", 429, errc::throttled, Outcome::Kind::retry},
      {"", 408, errc::request_timeout, Outcome::Kind::retry},
  };
  for (const auto& c : cases) {
    INFO(c.type);
    auto o = kinesis_error_outcome(c.type, c.status, "");
    CHECK(o.error == c.error);
    CHECK(o.kind == c.kind);
    CHECK(o.http_status == c.status);
  }
  std::string type, message;
  parse_kinesis_error(
      R"({"__type":"com.amazonaws.kinesis.v20131202#ResourceNotFoundException","message":"Stream x not found"})",
      "", type, message);
  CHECK(type == "ResourceNotFoundException");
  CHECK(message == "Stream x not found");
  parse_kinesis_error(
      "<html>bad gateway</html>",
      "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/", type,
      message);
  CHECK(type == "AccessDeniedException");
}
