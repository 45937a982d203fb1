// Filter compilation errors, the event document, and JavaScript semantics the conformance cases
// do not reach (each expectation checked against simple-json-match 1.3.0 on node).
#include "eventdest/filter.hpp"

#include <string>
#include <thread>
#include <vector>

#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "support/catch.hpp"

using eventdest::ConfigError;
using eventdest::Filter;

namespace {
bool m(const char* filter, const char* doc) {
  return Filter::compile(filter).matches(doc);
}
}  // namespace

TEST_CASE("filter: every problem of an invalid filter is listed with its path") {
  try {
    Filter::compile(R"({"data":{"n":{"$gtt":1},"$or":{"a":1},"x":[{"$not":null}],)"
                    R"("y":{"$ref":"a[*]"}}})");
    FAIL("no ConfigError");
  } catch (const ConfigError& e) {
    std::vector<std::string> fields;
    for (const auto& p : e.problems())
      fields.push_back(p.field);
    CHECK(fields == std::vector<std::string>{"filter.data.n.$gtt", "filter.data.$or",
                                             "filter.data.x[0].$not", "filter.data.y.$ref"});
  }
  CHECK_THROWS_AS(Filter::compile("{\"a\":"), ConfigError);
  // Operand types an operator does not take compile, and never match (as the reference).
  CHECK_FALSE(m(R"({"n":{"$gt":[1]}})", R"({"n":2})"));
  CHECK(m(R"({"$not":{"n":{"$gt":[1]}}})", R"({"n":2})"));
}

TEST_CASE("filter: JavaScript loose equality and comparison") {
  CHECK(m(R"({"n":1})", R"({"n":"1"})"));
  CHECK(m(R"({"n":"1.0"})", R"({"n":1})"));
  CHECK(m(R"({"n":true})", R"({"n":1})"));
  CHECK(m(R"({"n":true})", R"({"n":"1"})"));
  CHECK_FALSE(m(R"({"n":null})", R"({"n":0})"));
  CHECK(m(R"({"n":0})", R"({"n":" "})"));
  CHECK(m(R"({"n":{"$gt":9}})", R"({"n":"10"})"));
  CHECK_FALSE(m(R"({"n":{"$gt":"9"}})", R"({"n":"10"})"));
  CHECK_FALSE(m(R"({"n":{"$gt":1}})", R"({"n":"x"})"));
  CHECK(m(R"({"n":{"$in":1.5}})", R"({"n":"a1.5b"})"));
  CHECK_FALSE(m(R"({"n":{"$in":["1"]}})", R"({"n":1})"));
  CHECK(m(R"({"n":{"$eq":{"b":1,"1":2}}})", R"({"n":{"1":2,"b":1}})"));
  CHECK(m(R"({"n":{"$eq":"[1,2]"}})", R"({"n":[1,2]})"));
  CHECK(m(R"({"n":{"$exist":false,"$eq":null}})", R"({})"));
  // UTF-16 order: U+FF61 sorts after U+1F600 (a surrogate pair starting 0xD83D).
  CHECK(m("{\"s\":{\"$gt\":\"\xF0\x9F\x98\x80\"}}", "{\"s\":\"\xEF\xBD\xA1\"}"));
}

TEST_CASE("filter: an event is matched as {id, topic, time, metadata, data}") {
  using eventdest::Event;
  Event e = Event::from_json(
      R"({"id":"e1","topic":"orders","time":"2024-01-01T00:00:00Z","metadata":{"k":"v"},)"
      R"("data":{"total":12,"tags":["a","b"]}})");
  CHECK(
      Filter::compile(R"({"topic":"orders","data":{"total":{"$gte":10},"tags":"b"}})").matches(e));
  CHECK(Filter::compile(R"({"id":"e1","metadata":{"k":"v"}})").matches(e));
  CHECK(
      Filter::compile(R"({"time":{"$gte":"2024-01-01T00:00:00Z","$lt":"2024-01-02"}})").matches(e));
  CHECK_FALSE(Filter::compile(R"({"time":{"$lt":"2023-12-31T23:59:59Z"}})").matches(e));
  CHECK_FALSE(Filter::compile(R"({"data":{"total":{"$lt":10}}})").matches(e));
  CHECK(Filter::compile(R"({"data":{"total":{"$eq":{"$ref":"data.total"}}}})").matches(e));

  // Only the members a filter may read are built: reads through $or, $and and $not count, and
  // a $ref may read any member.
  CHECK(Filter::compile(R"({"$or":[{"time":{"$startsWith":"2024-01-01T"}}]})").matches(e));
  CHECK(Filter::compile(R"({"$and":[{"$not":{"metadata":{"k":"w"}}}],"id":"e1"})").matches(e));
  CHECK_FALSE(Filter::compile(R"({"$not":{"metadata":{"k":"v"}}})").matches(e));
  CHECK(Filter::compile(R"({"data":{"tags":{"$ref":"metadata.k"},"total":12}})")
            .matches(Event::from_json(
                R"({"topic":"t","metadata":{"k":"b"},"data":{"total":12,"tags":["a","b"]}})")));
  // As in the reference, an $or beside other keys decides alone (the tags condition is skipped).
  const Filter f = Filter::compile(R"({"data":{"tags":{"$in":["x"]},"$or":[{"total":12}]}})");
  CHECK(f.matches(e));
  const Filter g = Filter::compile(R"({"data":{"tags":{"$in":["x"]},"$and":[{"total":12}]}})");
  CHECK_FALSE(g.matches(e));
  // One filter, many threads: evaluation is const and shares nothing mutable.
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i)
        if (!f.matches(e) || g.matches(e)) ++wrong[static_cast<std::size_t>(t)];
    });
  for (auto& th : threads)
    th.join();
  CHECK(wrong == std::vector<int>(4, 0));
}

TEST_CASE("documents and filters nested deeper than 512 levels are refused, not recursed into",
          "[filter]") {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  const auto filter = eventdest::Filter::compile(R"({"a":1})");
  CHECK_THROWS_AS(filter.matches(deep), std::invalid_argument);
  std::string nested = "1";
  for (int i = 0; i < 600; ++i)
    nested = "{\"a\":" + nested + "}";
  CHECK_THROWS_AS(eventdest::Filter::compile(nested), eventdest::ConfigError);
  std::string ok = "1";
  for (int i = 0; i < 500; ++i)
    ok = "{\"a\":" + ok + "}";
  CHECK_NOTHROW(eventdest::Filter::compile(ok));
}
