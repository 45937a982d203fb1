#include <rapidjson/document.h>

#include <random>
#include <string>
#include <vector>

#include "util/base64.hpp"
#include "kafka_rest/rest_errors.hpp"
#include "kafka_rest/rest_record_encoder.hpp"
#include "kafka_rest/rest_response_parser.hpp"
#include "kafka_rest/stream_report_check.hpp"
#include "support/catch.hpp"

using namespace eventdest;
using namespace eventdest::detail;

TEST_CASE("a ProduceRequest has the key, the raw JSON value and base64 headers in order",
          "[kafka_rest]") {
  std::string out;
  append_produce_request(
      out, "c-42", R"({"total": 1.50})",
      {{"event-id", "e1"}, {"topic", "orders"}, {"timestamp", "1"}, {"src", "wéb"}});
  CHECK(out.find(R"("value":{"type":"JSON","data":{"total": 1.50}})") != std::string::npos);
  rapidjson::Document doc;
  doc.Parse(out.c_str());
  REQUIRE(doc.IsObject());
  CHECK(std::string(doc["key"]["type"].GetString()) == "STRING");
  CHECK(std::string(doc["key"]["data"].GetString()) == "c-42");
  const auto& headers = doc["headers"];
  REQUIRE(headers.Size() == 5);
  const char* names[] = {"content-type", "event-id", "topic", "timestamp", "src"};
  const char* values[] = {"application/json", "e1", "orders", "1", "wéb"};
  for (rapidjson::SizeType i = 0; i < 5; ++i) {
    CHECK(std::string(headers[i]["name"].GetString()) == names[i]);
    std::string decoded;
    REQUIRE(decode_base64(headers[i]["value"].GetString(), decoded));
    CHECK(decoded == values[i]);
  }
  std::string entry;
  append_produce_request(entry, "k", "1", {}, KafkaRecordFormat::outpost, "7");
  CHECK(entry.rfind(R"({"id":"7",)", 0) == 0);
}

TEST_CASE("streamed reports: every record checked, a cut stream keeps what arrived",
          "[kafka_rest]") {
  bool complete = false;
  auto out = parse_stream_reports(
      "{\"error_code\":200,\"partition_id\":1,\"offset\":5}\r\n"
      "{\"error_code\":50003,\"message\":\"Broker not available\"}\r\n"
      "{\"error_code\":40301,\"message\":\"forbidden\"}\r\n"
      "{\"error_code\":200,\"partition_id\":0,\"off",
      200, complete);
  CHECK_FALSE(complete);
  REQUIRE(out.size() == 3);
  CHECK(out[0].kind == Outcome::Kind::delivered);
  CHECK(out[0].partition == 1);
  CHECK(out[0].offset == 5);
  CHECK(out[1].kind == Outcome::Kind::retry);
  CHECK(out[1].provider_code == "50003");
  CHECK(out[2].kind == Outcome::Kind::fail);
  CHECK(out[2].error == errc::access_denied);

  out = parse_stream_reports("{\"error_code\":200}\r\n", 200, complete);
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Outcome::Kind::retry);  // a 200 without an offset proves nothing
}

TEST_CASE("records:batch responses are matched by id", "[kafka_rest]") {
  auto out = parse_batch_response(
      R"({"successes":[{"id":"2","partition_id":0,"offset":9},{"id":"0","partition_id":1,"offset":3}],)"
      R"("failures":[{"id":"1","error_code":42901,"message":"slow down"}]})",
      4, 207);
  REQUIRE(out.size() == 4);
  CHECK(out[0].kind == Outcome::Kind::delivered);
  CHECK(out[0].offset == 3);
  CHECK(out[1].kind == Outcome::Kind::retry);
  CHECK(out[1].error == errc::throttled);
  CHECK(out[2].offset == 9);
  CHECK(out[3].kind == Outcome::Kind::fail);  // missing from the response: never a silent success
  CHECK(out[3].error == errc::internal);
}

TEST_CASE("REST error codes map to retryable and permanent classes", "[kafka_rest]") {
  for (int code : {429, 42901, 408, 500, 502, 503, 504, 50003, 50302}) {
    INFO(code);
    CHECK(rest_error_outcome(code, code / (code > 1000 ? 100 : 1), "").kind ==
          Outcome::Kind::retry);
  }
  struct Case {
    int code;
    errc error;
  };
  for (auto c : {Case{400, errc::invalid_request}, Case{40002, errc::invalid_request},
                 Case{401, errc::auth_failed}, Case{40101, errc::auth_failed},
                 Case{403, errc::access_denied}, Case{40301, errc::access_denied},
                 Case{404, errc::not_found}, Case{40401, errc::not_found},
                 Case{40403, errc::not_found}, Case{413, errc::record_too_large},
                 Case{415, errc::invalid_request}, Case{422, errc::invalid_request}}) {
    INFO(c.code);
    auto o = rest_error_outcome(c.code, 0, "");
    CHECK(o.kind == Outcome::Kind::fail);
    CHECK(o.error == c.error);
  }
}

namespace {

// A streamed report over a small alphabet of keys and values, so that the reader's fast path
// meets what it takes (compact, plain strings, small integers) and everything it hands to
// rapidjson: whitespace, escapes, big, negative and fractional numbers, arrays, literals,
// repeated keys, nesting, cuts.
std::string random_report(std::mt19937& rng, int depth = 0) {
  auto pick = [&rng](std::initializer_list<const char*> l) {
    return std::string(*(l.begin() + rng() % l.size()));
  };
  std::string out = "{";
  const int members = static_cast<int>(rng() % 6);
  for (int i = 0; i < members; ++i) {
    if (i) out += rng() % 20 ? "," : " ,";
    out += "\"" +
           pick({"error_code", "offset", "partition_id", "message", "topic_name", "key", "x"}) +
           "\":";
    switch (rng() % 9) {
      case 0:
        out += pick({"\"Broker not available\"", "\"\"", "\"a\\\"b\"", "\"w\xc3\xa9\"",
                     "\"tab\there\"", "\"\\u0041\""});
        break;
      case 1:
        out += pick({"1.5", "1e3", "-1", "-0", "01", "0", "true", "null", "[1,{\"offset\":2}]"});
        break;
      case 2:
        out += depth < 3 ? random_report(rng, depth + 1) : "{}";
        break;
      case 3:
        out += pick({"2147483647", "2147483648", "4294967295", "4294967296", "999999999999999999",
                     "1000000000000000000", "9223372036854775807", "9223372036854775808",
                     "18446744073709551616"});
        break;
      default:
        out += std::to_string(rng() % (rng() % 2 ? 1000 : 100000000000ull));
    }
  }
  return out + "}";
}

void check_same(const std::vector<Outcome>& a, const std::vector<Outcome>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].kind == b[i].kind);
    CHECK(a[i].error == b[i].error);
    CHECK(a[i].provider_code == b[i].provider_code);
    CHECK(a[i].http_status == b[i].http_status);
    CHECK(a[i].message == b[i].message);
    CHECK(a[i].maybe_sent == b[i].maybe_sent);
    CHECK(a[i].partition == b[i].partition);
    CHECK(a[i].offset == b[i].offset);
  }
}

}  // namespace

TEST_CASE("streamed reports: the fast path reads them as rapidjson does", "[kafka_rest]") {
  // A space after each report's '{' sends it to rapidjson: the reference for the same report.
  std::mt19937 rng(7);
  for (int round = 0; round < 20000; ++round) {
    std::string body, reference;
    const int reports = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < reports; ++i) {
      std::string report = random_report(rng);
      if (rng() % 10 == 0) report.resize(rng() % report.size());  // cut short
      body += report + "\r\n";
      reference += (report.empty() ? report : "{ " + report.substr(1)) + "\r\n";
    }
    INFO(body);
    bool complete = false, reference_complete = false;
    const auto out = parse_stream_reports(body, 200, complete);
    const auto expected = parse_stream_reports(reference, 200, reference_complete);
    CHECK(complete == reference_complete);
    check_same(out, expected);
  }
}

TEST_CASE("streamed reports are trusted only while they can be matched to records",
          "[kafka_rest]") {
  auto ok = [](int partition, int offset) {
    Outcome o = Outcome::delivered_ok();
    o.partition = partition;
    o.offset = offset;
    return o;
  };
  const Outcome failed = rest_error_outcome(50003, 200, "");
  std::string why;
  // Interleaved partitions, each growing on its own, and per-record errors: all trusted.
  CHECK(trusted_stream_reports({ok(0, 5), ok(1, 2), failed, ok(0, 6), ok(1, 3)}, 5, true, why) ==
        5);
  CHECK(why.empty());
  // A cut stream: the reports that arrived are trusted, the rest simply missing.
  CHECK(trusted_stream_reports({ok(0, 5), ok(1, 2)}, 5, false, why) == 2);
  CHECK(why.empty());
  // A repeat ends the trust at the copy; going back ends it before the report it went back from.
  CHECK(trusted_stream_reports({ok(0, 5), ok(1, 2), ok(1, 2), ok(0, 6)}, 3, true, why) == 2);
  CHECK(why.find("repeats partition 1 offset 2") != std::string::npos);
  why.clear();
  CHECK(trusted_stream_reports({ok(0, 5), ok(1, 3), ok(0, 6), ok(1, 2)}, 4, true, why) == 1);
  CHECK(why.find("goes back to partition 1 offset 2 after offset 3") != std::string::npos);
  why.clear();
  // A duplicate of the last report explains the extra one.
  CHECK(trusted_stream_reports({ok(0, 5), ok(0, 6), ok(0, 6)}, 2, true, why) == 2);
  why.clear();
  // A count that does not match with nothing to place the fault: nothing is trusted.
  CHECK(trusted_stream_reports({ok(0, 5), ok(0, 6), ok(0, 9)}, 2, true, why) == 0);
  CHECK(why == "3 reports for 2 records");
  CHECK(trusted_stream_reports({ok(0, 5), ok(0, 6)}, 3, true, why) == 0);
  CHECK(why == "2 reports for 3 records");
}
