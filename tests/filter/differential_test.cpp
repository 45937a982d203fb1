// Differential test against the reference implementation: npm's simple-json-match (pinned in
// tools/peers), run by node on the same generated events and filters. Every verdict must agree.
#include <rapidjson/document.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "eventdest/filter.hpp"
#include "support/catch.hpp"

namespace {

class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  // An event document: {id, topic, time, metadata, data}.
  std::string event() {
    std::string s =
        R"({"id":)" + pick_string() + R"(,"topic":)" +
        pick({"\"orders\"", "\"refunds\"", "\"orders.created\""}) + R"(,"time":)" +
        pick({"\"2024-01-01T00:00:00Z\"", "\"2024-06-15T12:30:00Z\"", "\"2023-12-31T23:59:59Z\""}) +
        R"(,"metadata":{"source":)" + pick({"\"web\"", "\"app\"", "\"1\""}) + R"(,"n":)" +
        pick({"\"10\"", "\"2\"", "\"x\""}) + "}";
    s += R"(,"data":)" + object(3) + "}";
    return s;
  }

  // A filter over the event document (always an object, always valid for Filter::compile).
  std::string filter() {
    std::vector<std::string> parts;
    const int n = 1 + below(3);
    std::vector<std::string> used;
    for (int i = 0; i < n; ++i) {
      int kind = below(10);
      if (kind < 5) {
        add_unique(parts, used, "\"data\"", condition_object(3));
      } else if (kind == 5) {
        add_unique(parts, used, "\"metadata\"", condition_object(1));
      } else if (kind == 6) {
        add_unique(parts, used, pick({"\"topic\"", "\"time\"", "\"id\""}), condition(1));
      } else if (kind == 7) {
        add_unique(parts, used, pick({"\"$or\"", "\"$and\""}), root_condition_list());
      } else {
        add_unique(parts, used, "\"$not\"", "{\"data\":" + condition_object(2) + "}");
      }
    }
    return "{" + join(parts) + "}";
  }

 private:
  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string pick(std::initializer_list<const char*> options) {
    auto it = options.begin();
    std::advance(it, below(static_cast<int>(options.size())));
    return *it;
  }
  static std::string join(const std::vector<std::string>& parts) {
    std::string s;
    for (std::size_t i = 0; i < parts.size(); ++i)
      s += (i ? "," : "") + parts[i];
    return s;
  }
  static void add_unique(std::vector<std::string>& parts, std::vector<std::string>& used,
                         const std::string& key, const std::string& value) {
    for (const auto& u : used)
      if (u == key) return;
    used.push_back(key);
    parts.push_back(key + ":" + value);
  }

  std::string key() { return pick({"\"a\"", "\"b\"", "\"n\"", "\"s\"", "\"tags\"", "\"items\""}); }
  std::string pick_string() {
    return pick({"\"a\"", "\"ab\"", "\"abc\"", "\"b\"", "\"\"", "\"10\"", "\"9\"", "\"1.5\"",
                 "\" 1 \"", "\"0x10\"", "\"1e1\"", "\"true\"", "\"null\"", "\"é\"", "\"😀\"",
                 "\"\xEF\xBD\xA1\"", "\"2024-01-01\"", "\"web\""});
  }
  std::string number() {
    return pick({"0", "1", "2", "9", "10", "16", "-1", "1.5", "100", "1e1", "0.1", "-0"});
  }
  std::string primitive() {
    switch (below(5)) {
      case 0:
      case 1:
        return number();
      case 2:
      case 3:
        return pick_string();
      default:
        return pick({"true", "false", "null"});
    }
  }
  std::string value(int depth) {
    int k = below(depth > 0 ? 8 : 5);
    if (k < 5) return primitive();
    if (k < 7) {
      std::vector<std::string> items;
      const int n = below(4);
      for (int i = 0; i < n; ++i)
        items.push_back(below(3) == 0 && depth > 1 ? object(depth - 1) : primitive());
      return "[" + join(items) + "]";
    }
    return object(depth - 1);
  }
  std::string object(int depth) {
    std::vector<std::string> parts, used;
    const int n = below(5);
    for (int i = 0; i < n; ++i)
      add_unique(parts, used, key(), value(depth));
    return "{" + join(parts) + "}";
  }

  // A $ref path into the event document ([$index] where containment walks arrays).
  std::string ref() {
    return pick({"\"data.a\"", "\"data.b\"", "\"data.n\"", "\"topic\"", "\"metadata.n\"",
                 "\"data.tags[0]\"", "\"data.items[$index]\"", "\"data.items[$index].a\"",
                 "\"data['s']\"", "\"$.data.a\"", "\"missing.x\""});
  }
  std::string operand(const std::string& op) {
    int k = below(10);
    if (k == 0) return "{\"$ref\":" + ref() + "}";
    if (k == 1) return "[" + primitive() + "," + primitive() + "]";
    if (k == 2 && op == "$exist") return pick({"true", "false"});
    if (op == "$exist") return k < 8 ? pick({"true", "false"}) : primitive();
    if (op == "$eq" || op == "$neq") return k == 3 ? object(1) : primitive();
    return primitive();
  }
  std::string operators() {
    std::vector<std::string> parts, used;
    const int n = 1 + below(2);
    for (int i = 0; i < n; ++i) {
      const std::string op = pick({"$eq", "$neq", "$gt", "$gte", "$lt", "$lte", "$in", "$nin",
                                   "$startsWith", "$endsWith", "$exist"});
      add_unique(parts, used, "\"" + op + "\"", operand(op));
    }
    if (below(8) == 0) add_unique(parts, used, "\"$or\"", condition_list());
    return "{" + join(parts) + "}";
  }
  // Conditions on the whole document (as in a top-level $or/$and): over its members.
  std::string root_condition_list() {
    std::vector<std::string> items;
    const int n = below(3) + (below(4) ? 1 : 0);
    for (int i = 0; i < n; ++i) {
      switch (below(4)) {
        case 0:
          items.push_back("{\"data\":" + condition_object(1) + "}");
          break;
        case 1:
          items.push_back("{\"metadata\":" + condition_object(0) + "}");
          break;
        case 2:
          items.push_back("{" + pick({"\"topic\"", "\"time\"", "\"id\""}) + ":" + condition(0) +
                          "}");
          break;
        default:
          items.push_back(condition_object(1));
          break;
      }
    }
    return "[" + join(items) + "]";
  }
  std::string condition_list() {
    std::vector<std::string> items;
    const int n = below(3) + (below(4) ? 1 : 0);
    for (int i = 0; i < n; ++i)
      items.push_back(below(2) ? condition_object(1) : condition(1));
    return "[" + join(items) + "]";
  }
  // A condition on one value: a primitive, an array (containment), operators, a $ref, or an
  // object of conditions.
  std::string condition(int depth) {
    switch (below(depth > 0 ? 7 : 4)) {
      case 0:
      case 1:
        return primitive();
      case 2:
        return operators();
      case 3:
        return "{\"$ref\":" + ref() + "}";
      case 4:
        return "[" + primitive() + (below(2) ? "," + primitive() : "") + "]";
      case 5:  // a falsy $not is a config error: objects only here
        return "{\"$not\":" + (below(2) ? operators() : condition_object(depth - 1)) + "}";
      default:
        return condition_object(depth - 1);
    }
  }
  std::string condition_object(int depth) {
    std::vector<std::string> parts, used;
    const int n = 1 + below(2);
    for (int i = 0; i < n; ++i)
      add_unique(parts, used, key(), condition(depth));
    if (below(6) == 0) add_unique(parts, used, "\"$and\"", condition_list());
    return "{" + join(parts) + "}";
  }

  std::mt19937 rng_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("differential: Filter agrees with simple-json-match on generated cases", "[filter]") {
  const std::string modules = std::string(EVENTDEST_SOURCE_DIR) + "/tools/peers/node_modules";
  REQUIRE_FALSE(slurp(modules + "/simple-json-match/package.json").empty());  // scripts/setup.sh

  constexpr int kCases = 10000;
  Generator gen(20260419);
  std::vector<std::string> inputs, filters;
  char dir[] = "/tmp/eventdest-filter-diff-XXXXXX";
  const std::string d = mkdtemp(dir);
  {
    std::ofstream cases(d + "/cases.ndjson");
    for (int i = 0; i < kCases; ++i) {
      inputs.push_back(gen.event());
      filters.push_back(gen.filter());
      cases << R"({"input":)" << inputs.back() << R"(,"schema":)" << filters.back() << "}\n";
    }
  }
  const std::string cmd = "node " + std::string(EVENTDEST_SOURCE_DIR) +
                          "/tests/filter/simple_json_match.js " + modules + " <" + d +
                          "/cases.ndjson >" + d + "/verdicts 2>" + d + "/err";
  const int status = std::system(cmd.c_str());
  INFO(slurp(d + "/err"));
  REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  std::stringstream verdicts(slurp(d + "/verdicts"));
  std::system(("rm -rf " + d).c_str());

  int compared = 0, matched = 0, disagreements = 0, as_events = 0;
  std::string line;
  for (int i = 0; i < kCases && std::getline(verdicts, line); ++i) {
    const auto& input = inputs[static_cast<std::size_t>(i)];
    const bool reference = line == "true";
    const auto filter = eventdest::Filter::compile(filters[static_cast<std::size_t>(i)]);
    const bool ours = filter.matches(input);
    ++compared;
    matched += reference ? 1 : 0;
    // The destinations' path too: the same document built from an Event (only the members the
    // filter may read). Skipped where the event would differ (an id the event refuses).
    int event_verdict = -1;
    try {
      const auto event = eventdest::Event::from_json(input);
      rapidjson::Document doc;
      doc.Parse(input.c_str());
      if (event.id() == doc["id"].GetString()) {
        event_verdict = filter.matches(event) ? 1 : 0;
        ++as_events;
      }
    } catch (const eventdest::EventError&) {
    }
    if ((ours != reference || (event_verdict >= 0 && (event_verdict == 1) != reference)) &&
        ++disagreements <= 10)
      FAIL_CHECK("case " << i << ": input " << input << " filter "
                         << filters[static_cast<std::size_t>(i)] << ": simple-json-match "
                         << reference << ", eventdest " << ours << ", as an Event "
                         << event_verdict);
  }
  std::printf(
      "differential: %d cases (%d also as Events), %d matching per the reference, "
      "%d disagreements\n",
      compared, as_events, matched, disagreements);
  CHECK(compared == kCases);
  CHECK(as_events > kCases / 2);
  CHECK(disagreements == 0);
  // The generator must exercise both outcomes (a run of all-false cases would prove little).
  CHECK(matched > kCases / 20);
  CHECK(matched < kCases - kCases / 20);
}
