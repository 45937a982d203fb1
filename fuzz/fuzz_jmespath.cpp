// libFuzzer target: input is an expression, a NUL byte, then a JSON document. Compiles the
// expression and evaluates it every way the library offers; any crash, sanitizer report, leak or
// hang is a bug. Malformed JSON output (e.g. a NaN written by the Writer) aborts too.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eventdest/jmespath.hpp"
#include "eventdest/json_dom.hpp"
#include "util/json_parse.hpp"

namespace jp = eventdest::jmespath;

namespace {

void check_json(const std::string& text) {
  rapidjson::Document doc;
  eventdest::detail::parse_full_precision<rapidjson::kParseIterativeFlag>(doc, text.data(),
                                                                          text.size());
  if (doc.HasParseError()) std::abort();
}

template <class Root>
void evaluate_checked(const jp::Expression& e, const Root& root) {
  try {
    const jp::Result r = jp::evaluate(e, root);
    check_json(r.to_json());
  } catch (const jp::RuntimeError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string_view expression = input.substr(0, nul);
  const std::string_view json =
      nul == std::string_view::npos ? std::string_view("{}") : input.substr(nul + 1);

  std::optional<jp::Expression> compiled;
  try {
    compiled.emplace(jp::Expression::compile(expression));
  } catch (const jp::SyntaxError& e) {
    if (e.position() > expression.size()) std::abort();
    (void)e.caret_lines();
    return 0;
  } catch (const jp::RuntimeError&) {
    return 0;
  }

  rapidjson::Document doc;
  // As the library parses documents (RapidJSON 1.1.0 turns 1e-324 into NaN at full precision).
  eventdest::detail::parse_full_precision<rapidjson::kParseIterativeFlag>(doc, json.data(),
                                                                          json.size());
  if (doc.HasParseError()) doc.SetObject();

  evaluate_checked(*compiled, static_cast<const rapidjson::Value&>(doc));
  const std::vector<jp::RootField> fields{{"metadata", &doc}, {"data", &doc}, {"none", nullptr}};
  evaluate_checked(*compiled, fields);

  // A result must stay valid after its expression is gone (literals are copied out).
  try {
    jp::Result r = jp::evaluate(*compiled, doc);
    compiled.reset();
    check_json(r.to_json());
  } catch (const jp::RuntimeError&) {
  }
  return 0;
}
