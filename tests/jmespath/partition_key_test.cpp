// Partition keys: the result-to-key rules, every event-id fallback, and the Kinesis length rule.
#include "eventdest/partition_key.hpp"

#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/catch.hpp"
#include "util/field_path_scan.hpp"

using eventdest::Event;
using eventdest::PartitionKeyTemplate;

namespace {

Event make_event(const std::string& data) {
  Event e("orders", data);
  e.set_id("evt-1");
  e.set_metadata({{"source", "web"}, {"region", "eu"}});
  return e;
}

std::string key_of(const char* expression, const std::string& data) {
  return PartitionKeyTemplate(expression).key(make_event(data));
}

}  // namespace

TEST_CASE("partition key: strings are used as they are", "[partition_key]") {
  CHECK(key_of("data.customer_id", R"({"customer_id": "c-42"})") == "c-42");
  CHECK(key_of("join('-', [metadata.source, data.customer_id])", R"({"customer_id": "c-42"})") ==
        "web-c-42");
  CHECK(key_of("data.name", "{\"name\": \"caf\xC3\xA9 \xE2\x9C\x93\"}") ==
        "caf\xC3\xA9 \xE2\x9C\x93");
}

TEST_CASE("partition key: system and user metadata are visible", "[partition_key]") {
  const Event e = make_event("{}");
  CHECK(PartitionKeyTemplate("metadata.topic").key(e) == "orders");
  CHECK(PartitionKeyTemplate("metadata.\"event-id\"").key(e) == "evt-1");
  CHECK(PartitionKeyTemplate("metadata.region").key(e) == "eu");
  CHECK(PartitionKeyTemplate("metadata.timestamp").key(e) ==
        eventdest::format_timestamp(e.time(), eventdest::TimestampFormat::unix_seconds));
  CHECK(PartitionKeyTemplate("metadata.timestamp").key(e, eventdest::TimestampFormat::unix_ms) ==
        eventdest::format_timestamp(e.time(), eventdest::TimestampFormat::unix_ms));
  // Templates that cannot read data still see metadata, and data when they do read it.
  CHECK(PartitionKeyTemplate("metadata.region || data.x").key(make_event(R"({"x": 1})")) == "eu");
  CHECK(PartitionKeyTemplate("metadata.none || data.x").key(make_event(R"({"x": 1})")) == "1");
  CHECK(PartitionKeyTemplate("keys(@)").key(e) == R"(["metadata","data"])");
  // An explicit metadata list is used as given.
  const eventdest::MetadataList list{{"tenant", "t1"}};
  CHECK(PartitionKeyTemplate("metadata.tenant").key(e, list) == "t1");
  CHECK(PartitionKeyTemplate("keys(metadata)").key(e, list) == R"(["tenant"])");
}

TEST_CASE("partition key: templates say whether they read metadata", "[partition_key]") {
  // Kinesis skips building the merged metadata list when reads_metadata() is false, so a
  // template that can see metadata must never say it cannot.
  for (const char* reads : {"metadata.source", "join('-', [metadata.source, data.id])", "@",
                            "keys(@)[0]", "*", "to_string(@)", "[metadata, data][1]"}) {
    INFO(reads);
    CHECK(PartitionKeyTemplate(reads).reads_metadata());
  }
  for (const char* not_reads :
       {"data.id", "data.metadata", "join('-', [data.a, data.b])", "`\"x\"`", "data.*"}) {
    INFO(not_reads);
    CHECK_FALSE(PartitionKeyTemplate(not_reads).reads_metadata());
  }
  CHECK_FALSE(PartitionKeyTemplate().reads_metadata());
}

TEST_CASE("partition key: numbers, booleans, arrays and objects", "[partition_key]") {
  CHECK(key_of("data.n", R"({"n": 42})") == "42");
  CHECK(key_of("data.n", R"({"n": -7})") == "-7");
  CHECK(key_of("data.n", R"({"n": 1.5})") == "1.5");
  CHECK(key_of("data.n", R"({"n": 1.0})") == "1.0");
  // RapidJSON writes doubles with Grisu2: not always the shortest digits, but the same double.
  CHECK(std::stod(key_of("data.n", R"({"n": 0.30000000000000004})")) == 0.1 + 0.2);
  CHECK(key_of("data.n", R"({"n": 2.2250738585072014e-308})") == "2.2250738585072014e-308");
  CHECK(key_of("data.n", R"({"n": 12345678901234567890})") == "12345678901234567890");
  CHECK(key_of("length(data.s)", R"({"s": "abc"})") == "3");
  CHECK(key_of("data.b", R"({"b": true})") == "true");
  CHECK(key_of("data.b", R"({"b": false})") == "false");
  CHECK(key_of("data.o", R"({"o": {"a": 1, "b": [1, "x"]}})") == R"({"a":1,"b":[1,"x"]})");
  CHECK(key_of("data.a", R"({"a": [1, 2, {"c": null}]})") == R"([1,2,{"c":null}])");
  CHECK(key_of("[data.a, metadata.source]", R"({"a": 1})") == R"([1,"web"])");
}

TEST_CASE("partition key: fallbacks to the event id", "[partition_key]") {
  SECTION("empty template") {
    const PartitionKeyTemplate empty;
    CHECK(empty.empty());
    CHECK(empty.key(make_event(R"({"a": 1})")) == "evt-1");
    const PartitionKeyTemplate also_empty("");
    CHECK(also_empty.empty());
    CHECK(also_empty.key(make_event("{}")) == "evt-1");
  }
  SECTION("null and missing") {
    CHECK(key_of("data.missing", R"({"a": 1})") == "evt-1");
    CHECK(key_of("data.a", R"({"a": null})") == "evt-1");
    CHECK(key_of("data.a", "[1, 2]") == "evt-1");  // data that is not an object
  }
  SECTION("empty string") {
    CHECK(key_of("data.a", R"({"a": ""})") == "evt-1");
  }
  SECTION("evaluation error") {
    CHECK(key_of("abs(data.a)", R"({"a": "not a number"})") == "evt-1");
    CHECK(key_of("sort(data.a)", R"({"a": [1, "x"]})") == "evt-1");
  }
  SECTION("a template that is not empty is kept") {
    const PartitionKeyTemplate t("data.a");
    CHECK_FALSE(t.empty());
    CHECK(t.text() == "data.a");
  }
}

TEST_CASE("partition key: invalid templates are rejected at construction", "[partition_key]") {
  CHECK_THROWS_AS(PartitionKeyTemplate("data."), eventdest::jmespath::SyntaxError);
  CHECK_THROWS_AS(PartitionKeyTemplate("nope(data)"), eventdest::jmespath::RuntimeError);
  CHECK_THROWS_AS(PartitionKeyTemplate("abs(data, data)"), eventdest::jmespath::RuntimeError);
}

TEST_CASE("partition key: one template from many threads", "[partition_key]") {
  const PartitionKeyTemplate t("join('-', [metadata.source, data.id])");
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 500; ++k) {
        const std::string id = std::to_string(i * 1000 + k);
        if (t.key(make_event("{\"id\": \"" + id + "\"}")) != "web-" + id) ++wrong[i];
      }
    });
  }
  for (auto& th : threads)
    th.join();
  CHECK(wrong == std::vector<int>(4, 0));
}

TEST_CASE("utf8_length counts code points", "[partition_key]") {
  CHECK(eventdest::utf8_length("") == 0);
  CHECK(eventdest::utf8_length("abc") == 3);
  CHECK(eventdest::utf8_length("h\xC3\xA9llo") == 5);
  CHECK(eventdest::utf8_length("\xF0\x9D\x84\x9E") == 1);
}

TEST_CASE("Kinesis partition keys are 1 to 256 characters", "[partition_key]") {
  CHECK(eventdest::check_kinesis_partition_key("a").empty());
  CHECK(eventdest::check_kinesis_partition_key(std::string(256, 'a')).empty());
  CHECK(eventdest::check_kinesis_partition_key(std::string(300, 'a')) ==
        "partition key is 300 characters; Kinesis allows 1 to 256");
  CHECK(eventdest::check_kinesis_partition_key(std::string(257, 'a')) ==
        "partition key is 257 characters; Kinesis allows 1 to 256");
  CHECK(eventdest::check_kinesis_partition_key("") ==
        "partition key is 0 characters; Kinesis allows 1 to 256");
  // 256 two-byte characters are 512 bytes but still 256 characters.
  std::string accents;
  for (int i = 0; i < 256; ++i)
    accents += "\xC3\xA9";
  CHECK(eventdest::check_kinesis_partition_key(accents).empty());
  CHECK_FALSE(eventdest::check_kinesis_partition_key(accents + "\xE2\x9C\x93").empty());
  // A too-long key produced by a template is reported by the check.
  const std::string long_value(300, 'x');
  const std::string key = key_of("data.k", "{\"k\": \"" + long_value + "\"}");
  CHECK(key == long_value);
  CHECK_FALSE(eventdest::check_kinesis_partition_key(key).empty());
}

TEST_CASE("numbers that underflow are 0, not NaN (RapidJSON 1.1.0 full-precision bug)",
          "[partition_key][fuzz]") {
  // Found by fuzz_jmespath: RapidJSON's full-precision parser turned 1e-324 into NaN.
  eventdest::PartitionKeyTemplate t("data.x");
  eventdest::Event e("t", R"({"x": 1e-324})");
  CHECK(t.key(e) == "0.0");
  CHECK(eventdest::jmespath::search("@", "1e-400") == "0.0");
  CHECK(eventdest::jmespath::search("`1e-324`", "{}") == "0.0");
  CHECK(eventdest::jmespath::search("@", "[1.5e300, 2e-308]") == "[1.5e300,2e-308]");
}

TEST_CASE("numbers far below 1e-300 written with leading zeros do not crash the parse",
          "[partition_key][fuzz]") {
  // Found by fuzz_event: RapidJSON 1.1.0's full-precision parser read past its table of powers of
  // ten for 0.000...5 with 330 zeros (and for 0.000...1e-300), through a key reading the data.
  const std::string zeros(330, '0');
  const std::string tiny = "0." + zeros + "50000000555555555";
  const std::string tiny_exp = "0." + std::string(120, '0') + "1e-300";
  for (const std::string& number : {tiny, tiny_exp}) {
    INFO(number.size());
    eventdest::Event e("t", "{\"x\": " + number + ", \"k\": \"c-1\"}");
    CHECK(eventdest::PartitionKeyTemplate("to_string(data.x)").key(e) == "0.0");
    CHECK(eventdest::PartitionKeyTemplate("join('-', [data.k, to_string(data.x)])").key(e) ==
          "c-1-0.0");
    CHECK(eventdest::jmespath::search("@", number) == "0.0");
    CHECK(eventdest::jmespath::search("`" + number + "`", "{}") == "0.0");
  }
  // Negative, it is -0.0, as -1e-400 is.
  CHECK(eventdest::jmespath::search("@", "-" + tiny) ==
        eventdest::jmespath::search("@", "-1e-400"));
  // A fraction with many zeros but a value near 1 keeps its value (read at normal precision).
  CHECK(eventdest::jmespath::search("@", "1." + zeros + "5") == "1.0");
}

namespace {

// A random JSON document over a small key alphabet, so that paths hit, miss, repeat names and
// cross arrays and scalars.
std::string random_json(std::mt19937& rng, int depth) {
  static const char* const keys[] = {"a", "b", "c", "\\u0061", "a\\\"b", "\xC3\xA9"};
  static const char* const scalars[] = {"null",  "true",      "false",      "0",
                                        "-1.50", "1e-400",    "129.90",     "\"\"",
                                        "\"k\"", "\"x\\ny\"", "\"\\u00e9\""};
  const int pick = static_cast<int>(rng() % 10);
  if (depth > 3 || pick < 4) return scalars[rng() % std::size(scalars)];
  if (pick < 6) {
    std::string s = "[";
    for (int i = 0, n = static_cast<int>(rng() % 3); i < n; ++i)
      s += (i ? "," : "") + random_json(rng, depth + 1);
    return s + "]";
  }
  std::string s = "{";
  for (int i = 0, n = static_cast<int>(rng() % 5); i < n; ++i) {
    s += (i ? ",\"" : "\"") + std::string(keys[rng() % std::size(keys)]) +
         "\":" + random_json(rng, depth + 1);
  }
  return s + "}";
}

}  // namespace

// Field-path templates (data.a.b) are read by a SAX scan instead of the evaluator; piping the
// same path through `@` forces the evaluator, so both must give the same key on every document.
TEST_CASE("partition key: the data.a.b fast path agrees with the evaluator", "[partition_key]") {
  std::mt19937 rng(20261123);
  const std::vector<std::string> paths = {"data",
                                          "data.a",
                                          "data.b",
                                          "data.a.a",
                                          "data.a.b",
                                          "data.\"a\\\"b\"",
                                          "data.\"\xC3\xA9\"",
                                          "data.a.c.b"};
  int compared = 0, non_null = 0;
  for (int i = 0; i < 4000; ++i) {
    const Event e = make_event(random_json(rng, 0));
    for (const auto& path : paths) {
      const std::string fast = PartitionKeyTemplate(path).key(e);
      const std::string slow = PartitionKeyTemplate(path + " | @").key(e);
      INFO(path << " on " << e.data());
      REQUIRE(fast == slow);
      ++compared;
      non_null += fast != "evt-1";
    }
  }
  CHECK(compared == 32000);
  CHECK(non_null > 3000);  // the documents do reach the paths, not only the fallback
}

// scan_field_path reads the usual documents by hand and hands the rest to the rapidjson SAX scan:
// both must give the same answer on every document, valid or not (a hand-read prefix that
// rapidjson would reject must be handed over, not answered).
TEST_CASE("field-path scan: the hand-written reader agrees with the SAX scan", "[partition_key]") {
  using eventdest::detail::FieldPathValue;
  using eventdest::detail::scan_field_path;
  using eventdest::detail::scan_field_path_sax;
  std::mt19937 rng(424242);
  const std::vector<std::vector<std::string>> paths = {
      {}, {"a"}, {"b"}, {"a", "a"}, {"a", "b"}, {"a\"b"}, {"\xC3\xA9"}, {"a", "c", "b"}};
  const char extras[] = {' ', '\n', '"', '\\', ',', ':', '{', '}',    '[',  ']',
                         '0', '-',  '.', 'e',  't', 'n', 'u', '\x01', '\0', 'x'};
  int compared = 0, valid = 0;
  for (int i = 0; i < 6000; ++i) {
    std::string doc = random_json(rng, 0);
    // Whitespace between tokens, as other producers write it.
    if (rng() % 3 == 0) {
      std::string spaced;
      for (char c : doc) {
        spaced += c;
        if ((c == ',' || c == ':' || c == '{' || c == '[') && rng() % 2) spaced += " \n\t";
      }
      doc = spaced;
    }
    const bool mutate = rng() % 2 == 0;
    if (mutate && !doc.empty()) {
      const std::size_t at = rng() % doc.size();
      static const char* const escapes[] = {"\\ud83d\\ude00", "\\udc00", "\\ud800",
                                            "\\ud800\\u0041", "\\u00e9", "\\x",
                                            "\\u12G4",        "\\/"};
      switch (rng() % 5) {
        case 4:
          doc.insert(at, escapes[rng() % std::size(escapes)]);
          break;
        case 0:
          doc[at] = extras[rng() % sizeof extras];
          break;
        case 1:
          doc.erase(at, 1);
          break;
        case 2:
          doc.insert(doc.begin() + static_cast<std::ptrdiff_t>(at), extras[rng() % sizeof extras]);
          break;
        default:
          doc.resize(at);
      }
    }
    valid += !mutate;
    for (const auto& path : paths) {
      const FieldPathValue fast = scan_field_path(doc, path);
      const FieldPathValue sax = scan_field_path_sax(doc, path);
      INFO(doc << " at path of " << path.size());
      REQUIRE(static_cast<int>(fast.kind) == static_cast<int>(sax.kind));
      REQUIRE(fast.text == sax.text);
      ++compared;
    }
  }
  CHECK(compared == 48000);
  CHECK(valid > 2500);
}
