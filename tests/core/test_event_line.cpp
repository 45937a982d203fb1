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
}

TEST_CASE("everything else is left to the full reader", "[event]") {
  for (const std::string line : {
           R"({"topic":"t","data":{"s":"\u00e9"}})",          // \u escapes
           R"({"topic":"t","data":1e3})",                     // exponents
           R"({"topic":"t","data":1234567890123456})",        // more than 15 digits
           R"({"topic":"t","metadata":{"a":"b"},"data":1})",  // metadata
           R"({"t\u006fpic":"t","data":1})",                  // escaped key
           R"({"topic":"t","data":1,"tenant_id":"x"})",       // Outpost's other fields
           R"({"topic":"t","topic":"u","data":1})",           // duplicates
           R"({"topic":"","data":1})",                        // empty topic
           R"({"topic":"t","time":1704067200,"data":1})",     // numeric time
           R"({"topic":"t"})",                                // no data
           R"({"topic":"t","data":01})",                      // invalid JSON
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
  };
  for (const auto& line : lines)
    check_same(line);
}
