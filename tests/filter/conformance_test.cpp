// Runs every case of ../shared/conformance/outpost-filter/cases.json as its SOURCE.txt says:
// each `tests` case as given and wrapped in {"$not": schema} with the result inverted, every
// `not_tests` case, and every `$ref` case (ref_tests_not_required).
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "eventdest/filter.hpp"
#include "support/catch.hpp"

namespace {

std::string dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return buffer.GetString();
}

rapidjson::Document load_cases() {
  const std::string path = std::string(EVENTDEST_CONFORMANCE_DIR) + "/outpost-filter/cases.json";
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(text.str().c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

struct Tally {
  int run = 0, passed = 0;
};

void check(Tally& tally, const std::string& group, std::size_t index, const std::string& input,
           const std::string& schema, bool expected) {
  ++tally.run;
  bool got = false;
  try {
    got = eventdest::Filter::compile(schema).matches(input);
  } catch (const std::exception& e) {
    FAIL_CHECK(group << "[" << index << "] " << schema << ": " << e.what());
    return;
  }
  if (got == expected) {
    ++tally.passed;
  } else {
    FAIL_CHECK(group << "[" << index << "] input " << input << " schema " << schema << ": expected "
                     << expected << ", got " << got);
  }
}

}  // namespace

TEST_CASE("outpost-filter conformance: every case") {
  const auto doc = load_cases();
  Tally tests, negated, nots, refs;
  const auto& t = doc["tests"];
  for (rapidjson::SizeType i = 0; i < t.Size(); ++i) {
    const std::string input = dump(t[i]["input"]), schema = dump(t[i]["schema"]);
    const bool expected = t[i]["expected"].GetBool();
    check(tests, "tests", i, input, schema, expected);
    check(negated, "tests($not)", i, input, "{\"$not\":" + schema + "}", !expected);
  }
  const auto& n = doc["not_tests"];
  for (rapidjson::SizeType i = 0; i < n.Size(); ++i)
    check(nots, "not_tests", i, dump(n[i]["input"]), dump(n[i]["schema"]),
          n[i]["expected"].GetBool());
  const auto& r = doc["ref_tests_not_required"];
  for (rapidjson::SizeType i = 0; i < r.Size(); ++i)
    check(refs, "ref_tests", i, dump(r[i]["input"]), dump(r[i]["schema"]),
          r[i]["expected"].GetBool());

  std::cout << "outpost-filter conformance: tests " << tests.passed << "/" << tests.run
            << ", tests wrapped in $not " << negated.passed << "/" << negated.run << ", not_tests "
            << nots.passed << "/" << nots.run << ", $ref " << refs.passed << "/" << refs.run
            << "\n";
  // The file as described in SOURCE.txt: 108 tests, 12 not_tests, 13 $ref cases.
  CHECK(tests.run == 108);
  CHECK(nots.run == 12);
  CHECK(refs.run == 13);
  CHECK(tests.passed + negated.passed + nots.passed + refs.passed ==
        tests.run + negated.run + nots.run + refs.run);
}
