// The plain-line reader behind Event::from_json: it takes the common lines, leaves everything
// else to the full reader, and where it takes a line the event is the full reader's.
#include <string>
#include <vector>

#include "event/event_internals.hpp"
#include "event/event_line.hpp"
#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "support/catch.hpp"

using namespace eventdest;

namespace {

bool plain(const std::string& line) {
  detail::EventLine out;
  return detail::read_plain_event_line(line, out);
}

// Both readers agree: the same event, or the same refusal.
void check_same(const std::string& line) {
  INFO(line);
  std::string fast_error, full_error;
  Event fast, full;
  try {
    fast = Event::from_json(line);
  } catch (const EventError& e) {
    fast_error = e.what();
  }
  try {
    full = detail::EventInternals::from_json_full(line);
  } catch (const EventError& e) {
    full_error = e.what();
  }
  CHECK(fast_error == full_error);
  if (fast_error.empty()) {
    CHECK(fast.topic() == full.topic());
    CHECK(fast.data() == full.data());
    if (line.find("\"time\"") != std::string::npos) CHECK(fast.time() == full.time());
    CHECK(fast.metadata() == full.metadata());
    if (line.find("\"id\":\"e") != std::string::npos) CHECK(fast.id() == full.id());
  }
}

}  // namespace

TEST_CASE("plain lines are read without a DOM", "[event]") {
  CHECK(plain(R"({"topic":"orders","data":{"n":1}})"));
  CHECK(plain(
      R"( { "id" : "e1" , "topic" : "orders" , "time" : "2024-01-01T00:00:00Z" , "data" : [1, -2.5, "x\ny", true, false, null, {}, []] } )"));
  CHECK(plain("{\"topic\":\"t\",\"data\":\"caf\xC3\xA9\"}\r"));
  CHECK(plain(R"({"topic":"t","metadata":{"source":"web", "region" : "eu"},"data":1})"));
  CHECK(plain(R"({"metadata":{},"topic":"t","data":1})"));
}

TEST_CASE("the plain reader gives metadata pairs in the line's order", "[event]") {
  detail::EventLine out;
  REQUIRE(detail::read_plain_event_line(
      "{\"topic\":\"t\",\"metadata\":{\"z\":\"1\",\"a\":\"caf\xC3\xA9\"},\"data\":1}", out));
  REQUIRE(out.metadata_count == 2);
  CHECK(out.metadata[0].first == "z");
  CHECK(out.metadata[0].second == "1");
  CHECK(out.metadata[1].first == "a");
  CHECK(out.metadata[1].second == "caf\xC3\xA9");
  const Event e = Event::from_json(R"({"topic":"t","metadata":{"z":"1","a":"b"},"data":1})");
  CHECK(e.metadata() == Metadata{{"a", "b"}, {"z", "1"}});
}

TEST_CASE("everything else is left to the full reader", "[event]") {
  for (const std::string line : {
           R"({"topic":"t","data":{"s":"\u00e9"}})",                  // \u escapes
           R"({"topic":"t","data":1e3})",                             // exponents
           R"({"topic":"t","data":1234567890123456})",                // more than 15 digits
           R"({"topic":"t","metadata":{"a":1},"data":1})",            // a number in metadata
           R"({"topic":"t","metadata":{"a":true},"data":1})",         // a boolean
           R"({"topic":"t","metadata":null,"data":1})",               // null metadata
           R"({"topic":"t","metadata":{"a":"b","a":"c"},"data":1})",  // duplicate key
           R"({"topic":"t","metadata":{"a":"\n"},"data":1})",         // an escape
           R"({"topic":"t","metadata":{"a":"b"},"metadata":{},"data":1})",
           R"({"topic":"t","metadata":["a"],"data":1})",
           R"({"t\u006fpic":"t","data":1})",               // escaped key
           R"({"topic":"t","data":1,"tenant_id":"x"})",    // Outpost's other fields
           R"({"topic":"t","topic":"u","data":1})",        // duplicates
           R"({"topic":"","data":1})",                     // empty topic
           R"({"topic":"t","time":1704067200,"data":1})",  // numeric time
           R"({"topic":"t"})",                             // no data
           R"({"topic":"t","data":01})",                   // invalid JSON
           R"({"topic":"t","data":[1,]})",
           R"({"topic":"t","data":{"a" 1}})",
           R"({"topic":"t","data":1} x)",
           "{\"topic\":\"t\",\"data\":\"a\x01\"}",     // control character
           "{\"topic\":\"t\",\"data\":\"\xC3\x28\"}",  // invalid UTF-8
           "{\"topic\":\"t\xFF\",\"data\":1}",
       }) {
    INFO(line);
    CHECK_FALSE(plain(line));
  }
  std::string deep = R"({"topic":"t","data":)";
  for (int i = 0; i < 70; ++i)
    deep += "[";
  for (int i = 0; i < 70; ++i)
    deep += "]";
  CHECK_FALSE(plain(deep + "}"));
}

TEST_CASE("a byte that is not ASCII or a \\u is found wherever it sits in the line", "[event]") {
  // The line's text is checked sixteen bytes at a time, then byte by byte: each kind of byte at
  // every offset across several blocks and the tail, in data, in the topic and in metadata.
  struct Case {
    std::string bytes;
    bool plain_in_data;  // whether the plain reader takes the line with these bytes in data
  };
  const std::vector<Case> cases = {
      {"\xC3\x28", false},  // not UTF-8
      {"\xC3\xA9", true},   // UTF-8: accepted after the per-string check
      {"\\u00e9", false},   // a \u escape: the full reader's
      {"\\n", true},        // another escape
      {"\\\\u", false},     // an escaped backslash, then a 'u': left to the full reader too
  };
  for (const auto& c : cases) {
    for (std::size_t pad = 0; pad < 48; ++pad) {
      const std::string filler(pad, 'x');
      const std::string in_data = R"({"topic":"t","data":")" + filler + c.bytes + R"("})";
      INFO(in_data);
      CHECK(plain(in_data) == c.plain_in_data);
      check_same(in_data);
      // Topic and metadata strings take no escape in the plain reader: only agreement matters.
      check_same(R"({"topic":"t)" + filler + c.bytes + R"(","data":1})");
      check_same(R"({"topic":"t","metadata":{"k":")" + filler + c.bytes + R"("},"data":1})");
    }
  }
}

TEST_CASE("from_json gives the full reader's event or error, whichever reader takes the line",
          "[event]") {
  const std::vector<std::string> lines = {
      R"({"id":"e1","topic":"orders","time":"2024-01-01T00:00:00.250+01:00","data":{"customer_id":"c-42","total": 12.50}})",
      R"({"id":"","topic":"orders","data":null})",
      R"({"topic":"orders","time":"not a time","data":1})",
      R"({"topic":"orders","time":"2024-02-30T00:00:00Z","data":1})",
      R"({"id":"e2","topic":"orders","data":"x\"y\\z\/\b\f\n\r\t"})",
      R"({"id":"e3","topic":"orders","data":[0,-0,0.5,-12.25,999999999999999]})",
      R"({"id":"e4","topic":"orders","data":{"a":{"a":{"a":{"a":[[[[]]]]}}}}})",
      R"({"topic":"orders","data":{"dup":1,"dup":2}})",
      R"({"topic":"orders","data":{"s":"\ud800"}})",
      R"({"topic":"t","data":01})",
      R"({"topic":"t","unknown":1,"data":1})",
      "{\"topic\":\"t\",\"data\":\"\xC3\x28\"}",
      R"({"id":"e5","topic":"orders","metadata":{"source":"web","b":"","":"empty key"},"data":1})",
      R"({"topic":"t","metadata":{"a":"b","a":"c"},"data":1})",
      R"({"topic":"t","metadata":{"n":2.50,"ok":true},"data":1})",
      R"({"topic":"t","metadata":{"a":"b"},"metadata":{},"data":1})",
      "{\"topic\":\"t\",\"metadata\":{\"k\":\"\xC3\x28\"},\"data\":1}",
  };
  for (const auto& line : lines)
    check_same(line);
  // More pairs than the plain reader holds: the full reader's, with the same event.
  std::string many = R"({"topic":"t","metadata":{)";
  for (int i = 0; i < 20; ++i)
    many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"v\"";
  many += R"(},"data":1})";
  CHECK_FALSE(plain(many));
  check_same(many);
}
