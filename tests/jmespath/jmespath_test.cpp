// Unit tests of the JMESPath engine beyond the compliance suite: error reporting, borrowing,
// result lifetime, the virtual root, number output, thread-safety and nesting limits.
#include "eventdest/jmespath.hpp"

#include <rapidjson/document.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "eventdest/json_dom.hpp"
#include "support/catch.hpp"

namespace jp = eventdest::jmespath;

namespace {

rapidjson::Document parse(const char* json) {
  rapidjson::Document doc;
  doc.Parse(json);
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

std::string eval(const char* expression, const char* json) {
  return jp::search(expression, json);
}

jp::SyntaxError syntax_error(const std::string& expression) {
  try {
    jp::Expression::compile(expression);
  } catch (const jp::SyntaxError& e) {
    return e;
  }
  FAIL("no SyntaxError for: " << expression);
  throw std::logic_error("unreachable");
}

jp::RuntimeError::Kind compile_error_kind(const std::string& expression) {
  try {
    jp::Expression::compile(expression);
  } catch (const jp::RuntimeError& e) {
    return e.kind();
  }
  FAIL("no RuntimeError for: " << expression);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("syntax errors carry the position and a caret line", "[jmespath]") {
  SECTION("end of input") {
    const auto e = syntax_error("foo.");
    CHECK(e.position() == 4);
    CHECK(e.expression() == "foo.");
    CHECK(e.caret_lines() == "foo.\n    ^");
  }
  SECTION("a bad token in the middle") {
    const auto e = syntax_error("foo[?bar==]");
    CHECK(e.position() == 10);
    CHECK(e.caret_lines() == "foo[?bar==]\n          ^");
  }
  SECTION("a lone '='") {
    const auto e = syntax_error("a = b");
    CHECK(e.position() == 2);
    CHECK(std::string(e.what()).find("==") != std::string::npos);
  }
  SECTION("an unclosed quote points at its start") {
    CHECK(syntax_error("a.\"foo").position() == 2);
    CHECK(syntax_error("`[1, 2").position() == 0);
    CHECK(syntax_error("'abc").position() == 0);
  }
  SECTION("the caret counts code points, not bytes") {
    const auto e = syntax_error("'\xC3\xA9\xE2\x9C\x93' ]");  // 'é✓' ]
    CHECK(e.position() == 8);
    CHECK(e.caret_lines() == "'\xC3\xA9\xE2\x9C\x93' ]\n     ^");
  }
  SECTION("only the failing line of a multi-line expression is shown") {
    const auto e = syntax_error("foo\n  .bar\n  .]");
    CHECK(e.position() == 14);
    CHECK(e.caret_lines() == "  .]\n   ^");
  }
  SECTION("invalid UTF-8 and bad escapes") {
    CHECK(syntax_error("a.\xFF").position() == 2);
    CHECK(syntax_error("\"\\u\"").position() == 1);
    CHECK(syntax_error("\"\\ud800\"").position() == 1);  // lone surrogate
  }
  SECTION("quoted identifiers are not function names") {
    CHECK(syntax_error("\"abs\"(@)").position() == 0);
  }
}

TEST_CASE("errors detectable at compile time are thrown by compile()", "[jmespath]") {
  CHECK(compile_error_kind("nope(@)") == jp::RuntimeError::Kind::unknown_function);
  CHECK(compile_error_kind("abs(@, @)") == jp::RuntimeError::Kind::invalid_arity);
  CHECK(compile_error_kind("not_null()") == jp::RuntimeError::Kind::invalid_arity);
  CHECK(compile_error_kind("merge()") == jp::RuntimeError::Kind::invalid_arity);
  CHECK(compile_error_kind("a[::0]") == jp::RuntimeError::Kind::invalid_value);
  CHECK_NOTHROW(jp::Expression::compile("merge(a, b, c, d, e, f)"));
}

TEST_CASE("runtime errors are named as the specification does", "[jmespath]") {
  const auto expr = jp::Expression::compile("abs(name)");
  const auto doc = parse(R"({"name": "x"})");
  try {
    jp::evaluate(expr, doc);
    FAIL("expected invalid-type");
  } catch (const jp::RuntimeError& e) {
    CHECK(e.kind() == jp::RuntimeError::Kind::invalid_type);
    CHECK(std::string(e.kind_name()) == "invalid-type");
    CHECK(std::string(e.what()).find("abs()") != std::string::npos);
  }
  CHECK(jp::RuntimeError(jp::RuntimeError::Kind::invalid_arity, "m").kind_name() ==
        std::string("invalid-arity"));
  CHECK(jp::RuntimeError(jp::RuntimeError::Kind::unknown_function, "m").kind_name() ==
        std::string("unknown-function"));
  CHECK(jp::RuntimeError(jp::RuntimeError::Kind::invalid_value, "m").kind_name() ==
        std::string("invalid-value"));
  // An expression reference is not a value.
  CHECK_THROWS_AS(eval("&a", "{}"), jp::RuntimeError);
  CHECK_THROWS_AS(eval("length(&a)", "{}"), jp::RuntimeError);
}

TEST_CASE("field results borrow the input instead of copying it", "[jmespath]") {
  const auto doc = parse(R"({"data": {"x": {"deep": [1, 2]}, "s": "a string long enough"}})");
  SECTION("a document root") {
    const auto r = jp::evaluate(jp::Expression::compile("data.x"), doc);
    CHECK(&jp::value(r) == &doc["data"]["x"]);
    const auto s = jp::evaluate(jp::Expression::compile("data.s"), doc);
    CHECK(&jp::value(s) == &doc["data"]["s"]);
    const auto p = jp::evaluate(jp::Expression::compile("data.x.deep | [1]"), doc);
    CHECK(&jp::value(p) == &doc["data"]["x"]["deep"][1]);
  }
  SECTION("a virtual root of fields") {
    const std::vector<jp::RootField> root{{"data", &doc["data"]}};
    const auto r = jp::evaluate(jp::Expression::compile("data.x"), root);
    CHECK(&jp::value(r) == &doc["data"]["x"]);
    const auto whole = jp::evaluate(jp::Expression::compile("data"), root);
    CHECK(&jp::value(whole) == &doc["data"]);
  }
  SECTION("strings inside built results reference the input's characters") {
    const auto r = jp::evaluate(jp::Expression::compile("[data.s]"), doc);
    REQUIRE(jp::value(r).IsArray());
    CHECK(jp::value(r)[0].GetString() == doc["data"]["s"].GetString());
  }
}

TEST_CASE("a result stays valid after its expression is destroyed", "[jmespath]") {
  const auto doc = parse(R"({"a": null})");
  jp::Result literal, raw, keys, fallback;
  {
    const auto e1 = jp::Expression::compile(R"(`{"k": ["a long literal string", 2]}`)");
    literal = jp::evaluate(e1, doc);
    raw = jp::evaluate(jp::Expression::compile("'a raw string that is not short'"), doc);
    keys = jp::evaluate(jp::Expression::compile("{\"a key from the expression\": `1`}"), doc);
    fallback = jp::evaluate(jp::Expression::compile("a || `\"default value here\"`"), doc);
  }
  CHECK(literal.to_json() == R"({"k":["a long literal string",2]})");
  CHECK(raw.to_json() == R"("a raw string that is not short")");
  CHECK(keys.to_json() == R"({"a key from the expression":1})");
  CHECK(fallback.to_json() == R"("default value here")");
}

TEST_CASE("the virtual root behaves as an object", "[jmespath]") {
  const auto meta = parse(R"({"source": "web"})");
  const auto data = parse(R"({"id": 7})");
  const std::vector<jp::RootField> root{{"metadata", &meta}, {"data", &data}};
  auto run = [&](const char* e) {
    return jp::evaluate(jp::Expression::compile(e), root).to_json();
  };
  CHECK(run("@") == R"({"metadata":{"source":"web"},"data":{"id":7}})");
  CHECK(run("keys(@)") == R"(["metadata","data"])");
  CHECK(run("values(@)[*].keys(@)[]") == R"(["source","id"])");
  CHECK(run("length(@)") == "2");
  CHECK(run("type(@)") == R"("object")");
  CHECK(run("to_string(@)") == R"("{\"metadata\":{\"source\":\"web\"},\"data\":{\"id\":7}}")");
  CHECK(run("merge(@, `{\"data\": 1}`)") == R"({"metadata":{"source":"web"},"data":1})");
  CHECK(run("*.id") == "[7]");
  CHECK(run("nothing") == "null");
  CHECK(run("@ == @") == "true");
}

TEST_CASE("numbers keep their integer or floating form", "[jmespath]") {
  CHECK(eval("sum(@)", "[1, 2, 3]") == "6");
  CHECK(eval("sum(@)", "[1, 2.5]") == "3.5");
  CHECK(eval("avg(@)", "[1, 2]") == "1.5");
  CHECK(eval("abs(@)", "-5") == "5");
  CHECK(eval("ceil(@)", "1.2") == "2");
  CHECK(eval("floor(@)", "-1.2") == "-2");
  CHECK(eval("@", "1.0") == "1.0");
  CHECK(eval("to_number('42')", "null") == "42");
  CHECK(eval("to_number('-0.5e1')", "null") == "-5.0");
  CHECK(eval("to_number('01')", "null") == "null");
  CHECK(eval("to_number('1e999')", "null") == "null");
  CHECK(eval("to_string(@)", "[1,2.5,\"x\"]") == R"("[1,2.5,\"x\"]")");
  CHECK(eval("sum(@)", "[9223372036854775807, 1]") == "9223372036854776000.0");
  CHECK_THROWS_AS(eval("sum(@)", "[1e308, 1e308]"), jp::RuntimeError);  // never inf
}

TEST_CASE("strings are measured and reversed by code point", "[jmespath]") {
  CHECK(eval("length(@)", "\"h\xC3\xA9\xF0\x9D\x84\x9E\"") == "3");
  CHECK(eval("reverse(@)", "\"a\xC3\xA9\xE2\x9C\x93\"") ==
        "\"\xE2\x9C\x93\xC3\xA9"
        "a\"");
  CHECK(eval("\"\\u00e9\"", "{\"\xC3\xA9\": 1}") == "1");
  CHECK(eval("\"\\ud834\\udd1e\"", "{\"\xF0\x9D\x84\x9E\": 2}") == "2");
}

TEST_CASE("legacy literals and raw strings", "[jmespath]") {
  CHECK(eval("`foo`", "null") == R"("foo")");
  CHECK(eval("`  foo bar`", "null") == R"("foo bar")");
  CHECK(eval("'it\\'s'", "null") == R"("it's")");
  CHECK(eval("'a\\\\b'", "null") == R"("a\\\\b")");
}

TEST_CASE("search() parses its JSON input", "[jmespath]") {
  CHECK(jp::search("a.b", R"({"a": {"b": [1]}})") == "[1]");
  CHECK_THROWS_AS(jp::search("a", "{"), std::invalid_argument);
  CHECK_THROWS_AS(jp::search("a.", "{}"), jp::SyntaxError);
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  CHECK_THROWS_AS(jp::search("@", deep), std::invalid_argument);
  const std::string ok = std::string(100, '[') + std::string(100, ']');
  CHECK(jp::search("length(@)", ok) == "1");
}

TEST_CASE("a root field without a value reads as null", "[jmespath]") {
  const std::vector<jp::RootField> root{{"missing", nullptr}};
  auto run = [&](const char* e) {
    return jp::evaluate(jp::Expression::compile(e), root).to_json();
  };
  CHECK(run("missing") == "null");
  CHECK(run("@") == R"({"missing":null})");
  CHECK(run("values(@)") == "[null]");
  CHECK(run("to_string(@)") == R"("{\"missing\":null}")");
}

TEST_CASE("default and moved-from results are null", "[jmespath]") {
  jp::Result empty;
  CHECK(jp::value(empty).IsNull());
  CHECK(empty.to_json() == "null");
  auto r = jp::evaluate(jp::Expression::compile("[a]"), parse(R"({"a": 1})"));
  jp::Result moved(std::move(r));
  CHECK(moved.to_json() == "[1]");
  CHECK(jp::value(r).IsNull());  // NOLINT(bugprone-use-after-move): documented state
}

TEST_CASE("deep nesting is a syntax error, not a stack overflow", "[jmespath]") {
  const std::string parens = std::string(5000, '(') + "a" + std::string(5000, ')');
  CHECK_THROWS_AS(jp::Expression::compile(parens), jp::SyntaxError);
  std::string ors = "a";
  for (int i = 0; i < 5000; ++i)
    ors += " || a";
  CHECK_THROWS_AS(jp::Expression::compile(ors), jp::SyntaxError);
  std::string projections = "a";
  for (int i = 0; i < 3000; ++i)
    projections += "[*]";
  CHECK_THROWS_AS(jp::Expression::compile(projections), jp::SyntaxError);
  std::string nots(3000, '!');
  CHECK_THROWS_AS(jp::Expression::compile(nots + "a"), jp::SyntaxError);
  // Reasonable depth is fine.
  const std::string ok = std::string(100, '(') + "a" + std::string(100, ')');
  CHECK(jp::search(ok, R"({"a": 1})") == "1");
  std::string fields = "a";
  for (int i = 0; i < 2000; ++i)
    fields += ".a";  // a flat field path: no depth at all
  CHECK(jp::search(fields, "{}") == "null");
}

TEST_CASE("runaway evaluations stop at the memory cap", "[jmespath]") {
  // Each stage doubles the array; 40 stages would need about 2^40 values.
  std::string doubling = "@";
  for (int i = 0; i < 40; ++i)
    doubling += " | [@, @][]";
  const auto expr = jp::Expression::compile(doubling);
  const auto doc = parse("[1]");
  try {
    jp::evaluate(expr, doc);
    FAIL("expected the evaluation to be refused");
  } catch (const jp::RuntimeError& e) {
    CHECK(e.kind() == jp::RuntimeError::Kind::invalid_value);
  }
  // Shared references multiply when a result is built: that is capped too.
  std::string fanout = "@";
  for (int i = 0; i < 8; ++i)
    fanout += " | [@, @, @, @, @, @, @, @]";  // 8^8 references
  rapidjson::Document big;
  big.SetArray();
  for (int i = 0; i < 1000; ++i)
    big.PushBack(i, big.GetAllocator());
  try {
    jp::evaluate(jp::Expression::compile(fanout), big);
    FAIL("expected the result to be refused");
  } catch (const jp::RuntimeError& e) {
    CHECK(e.kind() == jp::RuntimeError::Kind::invalid_value);
  }
  // Comparing two separately built copies of a doubling structure takes exponential time.
  std::string side = "@";
  for (int i = 0; i < 32; ++i)
    side += " | [@, @]";
  try {
    jp::evaluate(jp::Expression::compile("(" + side + ") == (" + side + ")"), doc);
    FAIL("expected the comparison to be refused");
  } catch (const jp::RuntimeError& e) {
    CHECK(e.kind() == jp::RuntimeError::Kind::invalid_value);
  }
  // Ten stages are fine.
  std::string small = "@";
  for (int i = 0; i < 10; ++i)
    small += " | [@, @][]";
  CHECK(jp::evaluate(jp::Expression::compile(small + " | length(@)"), doc).to_json() == "1024");
}

TEST_CASE("join over field paths matches the general join", "[jmespath]") {
  // `[...] | @` hides the list from the compile-time join_fields form: the general path.
  auto outcome = [](const std::string& expression, const rapidjson::Value& doc) {
    try {
      return jp::evaluate(jp::Expression::compile(expression), doc).to_json();
    } catch (const jp::RuntimeError& e) {
      return std::string("error ") + e.kind_name() + ": " + e.what();
    }
  };
  const auto doc = parse(R"({"a": "x", "b": {"c": "yz"}, "e": "", "n": 1, "z": null,
                            "o": {"a": "in"}, "l": ["p", "q"], "a2": "dup", "a2": "second"})");
  const char* lists[] = {"[a, b.c]",
                         "[a]",
                         "[e, e]",
                         "[a, n]",
                         "[a, missing]",
                         "[z, a]",
                         "[b, a]",
                         "[o.a, a2]",
                         "[b.c.d, a]",
                         "[l, a]",
                         "[a, a, a, a, a, a, a, a]",
                         "[a, a, a, a, a, a, a, a, a]"};
  for (const char* list : lists) {
    for (const char* glue : {"'-'", "''", "`\"::\"`"}) {
      const std::string fast = std::string("join(") + glue + ", " + list + ")";
      const std::string general = std::string("join(") + glue + ", " + list + " | @)";
      INFO(fast);
      CHECK(outcome(fast, doc) == outcome(general, doc));
    }
  }
  CHECK(outcome("join('-', [a, b.c])", doc) == R"("x-yz")");
  CHECK(outcome("join('-', [a2, a])", doc) == R"("dup-x")");  // the first duplicate key
  // Over computed values, a null current node and the virtual root.
  CHECK(outcome("{a: 'k', b: 'v'} | join('=', [a, b])", doc) == R"("k=v")");
  CHECK(outcome("z | join('-', [a])", doc) == outcome("z | join('-', [a] | @)", doc));
  CHECK(outcome("l[*].join('-', [a])", doc) == outcome("l[*].join('-', [a] | @)", doc));
  CHECK(outcome("[o, o][*].join('-', [a, a])", doc) == R"(["in-in","in-in"])");
  const std::vector<jp::RootField> root{{"m", &doc["o"]}, {"gone", nullptr}};
  CHECK(jp::evaluate(jp::Expression::compile("join('/', [m.a, m.a])"), root).to_json() ==
        R"("in/in")");
  CHECK_THROWS_AS(jp::evaluate(jp::Expression::compile("join('/', [m.a, gone])"), root),
                  jp::RuntimeError);
}

TEST_CASE("built results keep their storage while others are evaluated", "[jmespath]") {
  const auto expr = jp::Expression::compile("join('-', [a, b])");
  const auto first = parse(R"({"a": "first value", "b": "kept"})");
  const auto r1 = jp::evaluate(expr, first);
  for (int i = 0; i < 3; ++i) {
    const std::string json = R"({"a": "other", "b": ")" + std::to_string(i) + "\"}";
    const auto other = parse(json.c_str());
    CHECK(jp::evaluate(expr, other).to_json() == "\"other-" + std::to_string(i) + "\"");
  }
  jp::Result r2 = jp::evaluate(expr, parse(R"({"a": "moved", "b": "result"})"));
  jp::Result r3 = std::move(r2);
  r2 = jp::evaluate(expr, first);
  CHECK(r1.to_json() == R"("first value-kept")");
  CHECK(r2.to_json() == R"("first value-kept")");
  CHECK(r3.to_json() == R"("moved-result")");
}

TEST_CASE("one expression evaluated from many threads", "[jmespath]") {
  const auto expr = jp::Expression::compile(
      "join('-', [metadata.source, to_string(data.n)]) || sort_by(data.items, &k)[0].k");
  constexpr int kThreads = 4;
  constexpr int kIterations = 2000;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const jp::Expression copy = expr;  // copies share the compiled form
      for (int i = 0; i < kIterations; ++i) {
        const std::string n = std::to_string(t * kIterations + i);
        rapidjson::Document meta, data;
        meta.Parse(R"({"source": "src"})");
        data.Parse(("{\"n\": " + n + ", \"items\": [{\"k\": 2}, {\"k\": 1}]}").c_str());
        const std::vector<jp::RootField> root{{"metadata", &meta}, {"data", &data}};
        const auto& e = (i % 2 == 0) ? expr : copy;
        if (jp::evaluate(e, root).to_json() != "\"src-" + n + "\"") ++mismatches;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  CHECK(mismatches.load() == 0);
}

TEST_CASE("which root members an expression may read", "[jmespath]") {
  auto reads = [](const char* e, const char* name) {
    return jp::Expression::compile(e).may_read_root_field(name);
  };
  CHECK(reads("data.a", "data"));
  CHECK_FALSE(reads("data.a", "metadata"));
  CHECK_FALSE(reads("metadata.tenant", "data"));
  CHECK_FALSE(reads("join('-', [metadata.a, metadata.b])", "data"));
  CHECK_FALSE(reads("metadata.items[*].data | [0].data", "data"));  // data of derived values
  CHECK_FALSE(reads("sort_by(metadata.l, &data)[0]", "data"));
  CHECK_FALSE(reads("`{\"data\": 1}`.data", "data"));
  CHECK(reads("metadata.a || data.b", "data"));
  CHECK(reads("{k: data}", "data"));
  CHECK(reads("@", "data"));
  CHECK(reads("keys(@)", "data"));
  CHECK(reads("*.x", "data"));
  CHECK(reads("[metadata, @][1]", "data"));
  CHECK(reads("\"data\".x", "data"));
}

TEST_CASE("expression text is kept", "[jmespath]") {
  CHECK(jp::Expression::compile(" a.b ").text() == " a.b ");
}
