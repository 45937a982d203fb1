// Hostile input events (issue 17, items 2, 5, 6, 14): deep nesting, invalid Unicode, NUL and
// duplicate metadata keys are refused as invalid events, one line at a time, and never crash.
#include <algorithm>
#include <string>

#include "event/event_text.hpp"
#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "eventdest/json_dom.hpp"
#include "eventdest/partition_key.hpp"
#include "support/catch.hpp"
#include "util/field_path_scan.hpp"
#include "util/json_depth.hpp"

using namespace eventdest;

namespace {

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string line_with_data(const std::string& data) {
  return R"({"topic":"t","data":)" + data + "}";
}

// The problems from_json reports for `line`, as "field: problem" strings (empty: accepted).
std::vector<std::string> problems_of(const std::string& line) {
  try {
    Event::from_json(line);
  } catch (const EventError& e) {
    std::vector<std::string> out;
    for (const auto& p : e.problems())
      out.push_back(p.field + ": " + p.problem);
    return out;
  }
  return {};
}

bool has(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("data nested deeper than the limit is refused, up to the limit it works",
          "[event][limits]") {
  constexpr std::size_t limit = detail::kMaxJsonDepth;
  // The event object itself is one level: data may nest limit - 1 levels.
  const Event ok = Event::from_json(line_with_data(nested_arrays(limit - 1)));
  CHECK(ok.data().size() == 2 * (limit - 1));
  CHECK(data_document(ok).IsArray());
  CHECK(has(problems_of(line_with_data(nested_arrays(limit))), "nested more than 512 levels"));
  // What used to overflow the stack: 200,000 arrays (a 400 KB line).
  CHECK(has(problems_of(line_with_data(nested_arrays(200000))), "nested more than"));
  const std::string deep_objects = [] {
    std::string s;
    for (int i = 0; i < 100000; ++i)
      s += R"({"a":)";
    s += "1";
    s += std::string(100000, '}');
    return s;
  }();
  CHECK(has(problems_of(line_with_data(deep_objects)), "nested more than"));

  // Events built in code: the same limit on their data.
  CHECK_NOTHROW(Event("t", nested_arrays(limit)));
  CHECK_THROWS_AS(Event("t", nested_arrays(limit + 1)), EventError);
  CHECK_THROWS_AS(Event("t", nested_arrays(200000)), EventError);
  Event e("t", "1");
  CHECK_THROWS_AS(e.set_data(nested_arrays(200000)), EventError);
  CHECK(e.data() == "1");
}

TEST_CASE("partition keys over data at the depth limit are computed without crashing",
          "[event][limits]") {
  const Event deep("t", R"({"customer_id":)" + nested_arrays(detail::kMaxJsonDepth - 1) + "}");
  // Field-path scan, a JMESPath function over all of the data, and a projection.
  CHECK(PartitionKeyTemplate("data.customer_id").key(deep).size() ==
        2 * (detail::kMaxJsonDepth - 1));
  CHECK(PartitionKeyTemplate("to_string(data)").key(deep).size() ==
        2 * (detail::kMaxJsonDepth - 1) + 16);
  CHECK_FALSE(PartitionKeyTemplate("data.customer_id[0][0]").key(deep).empty());
}

TEST_CASE("strings that are not valid Unicode fail their event alone", "[event][unicode]") {
  // A lone low surrogate (RapidJSON 1.1 decodes it to bytes that are not UTF-8) ...
  CHECK(has(problems_of(R"({"id":"p\udc00","topic":"t","data":1})"), "id: is not valid Unicode"));
  CHECK(has(problems_of(R"({"topic":"t\udc00","data":1})"), "topic: is not valid Unicode"));
  CHECK(has(problems_of(R"({"topic":"t","metadata":{"k":"v\udfff"},"data":1})"),
            "metadata.k: is not valid Unicode"));
  CHECK(has(problems_of(R"({"topic":"t","metadata":{"k\udc00":"v"},"data":1})"),
            "key is not valid Unicode"));
  CHECK(has(problems_of(R"({"topic":"t","data":{"a":["x\udc00"]}})"), "data: a string is not"));
  CHECK(has(problems_of(R"({"topic":"t","data":{"k\udc00":1}})"), "data: a string is not"));
  // ... a lone high surrogate, and raw bytes that are not UTF-8 (an encoded surrogate, a stray
  // continuation byte).
  CHECK(has(problems_of(R"({"id":"p\ud800x","topic":"t","data":1})"), "event: not valid JSON"));
  CHECK(has(problems_of("{\"id\":\"p\xed\xb0\x80\",\"topic\":\"t\",\"data\":1}"),
            "event: not valid JSON"));
  CHECK(has(problems_of("{\"topic\":\"t\",\"data\":\"\x80\"}"), "event: not valid JSON"));
  CHECK_THROWS_AS(Event("t", R"(["\udc00"])"), EventError);
  CHECK_THROWS_AS(Event("t", "\"\xed\xa0\x80\""), EventError);

  // Surrogate pairs and other valid characters are fine.
  const Event ok = Event::from_json(
      R"({"id":"\ud83d\ude00","topic":"t\u00e9","metadata":{"k\u4e2d":"\ud83d\ude00"},"data":"\udbff\udfff"})");
  CHECK(ok.id() == "\xf0\x9f\x98\x80");
  CHECK(ok.topic() == "t\xc3\xa9");
  CHECK(ok.metadata().at("k\xe4\xb8\xad") == "\xf0\x9f\x98\x80");
  CHECK(ok.data() == R"("\udbff\udfff")");
}

TEST_CASE("U+0000 is never cut: refused in ids, topics and metadata, kept whole in data",
          "[event][nul]") {
  CHECK(has(problems_of(R"({"topic":"\u0000","data":1})"), "topic: must not contain U+0000"));
  CHECK(has(problems_of(R"({"id":"a\u0000b","topic":"t","data":1})"), "id: must not contain"));
  CHECK(has(problems_of(R"({"topic":"t","metadata":{"k":"v\u0000w"},"data":1})"),
            "metadata.k: must not contain"));
  CHECK(has(problems_of(R"({"topic":"t","metadata":{"k\u0000":"v"},"data":1})"),
            "metadata.k\\x00: key must not contain"));
  // A time with a NUL and text after it is not a time.
  CHECK(
      has(problems_of(R"({"topic":"t","time":"2024-01-01T00:00:00Z\u0000x","data":1})"), "time:"));
  // "data\u0000" is not "data" (a C-string comparison would take it for the data member).
  CHECK(has(problems_of(R"({"topic":"t","data\u0000":1})"), "data: is required"));
  CHECK(has(problems_of(R"({"topic":"t","data\u0000":1})"), "data\\x00: unknown field"));

  const Event kept = Event::from_json(R"({"topic":"t","data":{"s":"a\u0000b"}})");
  CHECK(kept.data() == R"({"s":"a\u0000b"})");
  CHECK(data_document(kept)["s"].GetStringLength() == 3);
  CHECK(PartitionKeyTemplate("data.s").key(kept) == std::string("a\0b", 3));
}

TEST_CASE("a NUL byte in a line or in data text is refused, not taken for the end",
          "[event][nul]") {
  const std::string line = std::string(R"({"topic":"a","data":1})") + '\0' + R"({"topic":"evil"})";
  CHECK(has(problems_of(line), "event: contains a NUL byte (at offset 22)"));
  CHECK(has(problems_of(std::string(R"({"topic":"a","data":1} )") + '\0'), "NUL byte"));
  CHECK_THROWS_AS(Event("t", std::string("1\0 2", 4)), EventError);
  CHECK_THROWS_AS(Event("t", std::string("\"a\0\"", 4)), EventError);
}

TEST_CASE("duplicate metadata keys are refused like duplicate fields", "[event]") {
  CHECK(has(problems_of(R"({"topic":"t","metadata":{"k":"1","k":"2"},"data":1})"),
            "metadata.k: duplicate key"));
  CHECK(has(problems_of(R"({"topic":"t","metadata":{"k":"1","\u006b":"2"},"data":1})"),
            "metadata.k: duplicate key"));
  CHECK(problems_of(R"({"topic":"t","metadata":{"k":"1","K":"2"},"data":1})").empty());
}

TEST_CASE("problem messages never echo bytes that are not valid text", "[event][unicode]") {
  for (const std::string& line :
       {std::string(R"({"topic":"t","x\udc00":1,"data":1})"),
        std::string(R"({"topic":"t","metadata":{"\udc00":1},"data":1})")}) {
    try {
      Event::from_json(line);
      FAIL("expected EventError");
    } catch (const EventError& e) {
      CHECK(detail::is_valid_utf8(e.what()));
      CHECK(std::string(e.what()).find("\\xed\\xb0\\x80") != std::string::npos);
    }
  }
}

TEST_CASE("events built in code with unsendable strings are found before publishing",
          "[event][unicode]") {
  Event e("t", "1");
  CHECK_FALSE(detail::event_text_problem(e));
  e.metadata()["k"] = "v\xed\xb0\x80";
  auto problem = detail::event_text_problem(e);
  REQUIRE(problem);
  CHECK(problem->field == "metadata.k");
  e.metadata().clear();
  e.set_id(std::string("a\0b", 3));
  REQUIRE(detail::event_text_problem(e));
  CHECK(detail::event_text_problem(e)->field == "id");
  e.set_id("ok");
  e.set_topic("t\xc3");
  CHECK(detail::event_text_problem(e)->field == "topic");
  // The ASCII fast path and the UTF-8 check agree at every position of a long string.
  for (std::size_t at = 0; at < 20; ++at) {
    std::string s(20, 'a');
    s[at] = '\x80';
    CHECK_FALSE(detail::is_valid_utf8(s));
    s[at] = '\0';
    CHECK(detail::is_valid_utf8(s));
    CHECK_FALSE(detail::text_problem(s).empty());
  }
}

TEST_CASE("the field-path scan stays bounded on documents deeper than the limit",
          "[event][limits]") {
  const std::string deep =
      R"({"a":)" + std::string(200000, '[') + std::string(200000, ']') + R"(,"b":"x"})";
  CHECK(detail::scan_field_path_sax(deep, {"b"}).kind == detail::FieldPathValue::Kind::unreadable);
  CHECK(detail::scan_field_path(deep, {"b"}).kind == detail::FieldPathValue::Kind::unreadable);
  const std::string at_limit =
      R"({"a":)" + nested_arrays(detail::kMaxJsonDepth - 1) + R"(,"b":"x"})";
  const auto v = detail::scan_field_path(at_limit, {"b"});
  CHECK(v.kind == detail::FieldPathValue::Kind::string);
  CHECK(v.text == "x");
}
