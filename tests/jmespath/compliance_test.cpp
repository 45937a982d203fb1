// Runs every case of the official JMESPath compliance suite (../shared/conformance/jmespath).
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "eventdest/jmespath.hpp"
#include "eventdest/json_dom.hpp"
#include "jmespath/json_equal.hpp"
#include "support/catch.hpp"

namespace jp = eventdest::jmespath;

namespace {

std::string dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return buffer.GetString();
}

struct Outcome {
  bool passed = false;
  std::string detail;
};

// One case: the expected result, or an error of the expected kind (syntax or a runtime kind).
Outcome run_case(const rapidjson::Value& given, const rapidjson::Value& c) {
  const std::string expression = c["expression"].GetString();
  const bool expects_error = c.HasMember("error");
  const bool expects_result = c.HasMember("result");
  try {
    const auto compiled = jp::Expression::compile(expression);
    const auto result = jp::evaluate(compiled, given);
    if (expects_error) {
      return {false, "expected error " + std::string(c["error"].GetString()) + ", got " +
                         result.to_json()};
    }
    if (!expects_result) return {true, {}};  // a parse-only benchmark case
    if (!eventdest::test::json_equal(jp::value(result), c["result"])) {
      return {false, "expected " + dump(c["result"]) + ", got " + result.to_json()};
    }
    return {true, {}};
  } catch (const jp::SyntaxError& e) {
    if (expects_error && std::string(c["error"].GetString()) == "syntax") return {true, {}};
    return {false, std::string("unexpected SyntaxError: ") + e.what() + "\n" + e.caret_lines()};
  } catch (const jp::RuntimeError& e) {
    if (expects_error && std::string(c["error"].GetString()) == e.kind_name()) return {true, {}};
    return {false, std::string("unexpected RuntimeError ") + e.kind_name() + ": " + e.what()};
  }
}

}  // namespace

TEST_CASE("JMESPath compliance suite: every case passes", "[jmespath][conformance]") {
  const std::filesystem::path dir = std::filesystem::path(EVENTDEST_CONFORMANCE_DIR) / "jmespath";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() == 16);

  std::size_t total = 0, passed = 0;
  std::vector<std::string> failures;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document suites;
    suites.Parse<rapidjson::kParseFullPrecisionFlag>(text.str().c_str());
    REQUIRE_FALSE(suites.HasParseError());
    REQUIRE(suites.IsArray());
    for (const auto& suite : suites.GetArray()) {
      for (const auto& c : suite["cases"].GetArray()) {
        ++total;
        const Outcome o = run_case(suite["given"], c);
        if (o.passed) {
          ++passed;
        } else {
          failures.push_back(file.filename().string() + ": " + c["expression"].GetString() +
                             "\n    " + o.detail);
        }
      }
    }
  }
  std::cout << "JMESPath compliance: " << passed << "/" << total << " cases passed\n";
  for (const auto& f : failures)
    std::cout << "  FAIL " << f << "\n";
  CHECK(total == 908);
  CHECK(failures.empty());
  CHECK(passed == total);
}
