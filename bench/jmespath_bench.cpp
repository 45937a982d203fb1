// JMESPath evaluation cost on a ~1 KB event (bench/data/jmespath_event.json). The same
// expressions and document are measured for python3-jmespath and node jmespath by
// jmespath_peers.py / jmespath_peers.js; run_jmespath_bench.sh prints the ratios.
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "eventdest/jmespath.hpp"
#include "eventdest/json_dom.hpp"
#include "eventdest/partition_key.hpp"

namespace jp = eventdest::jmespath;

namespace {

constexpr const char* kField = "data.customer_id";
constexpr const char* kJoin = "join('-', [metadata.source, data.customer_id])";

const rapidjson::Document& event_document() {
  static const rapidjson::Document doc = [] {
    std::ifstream in(EVENTDEST_BENCH_EVENT);
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document d;
    d.Parse(text.str().c_str());
    if (d.HasParseError() || !d.IsObject()) throw std::runtime_error("bad benchmark document");
    return d;
  }();
  return doc;
}

bool expected(const jp::Result& r, const char* expression) {
  const std::string want = expression == std::string(kField)
                               ? "\"cus_9a8b7c6d5e4f3a2b\""
                               : "\"checkout-service-cus_9a8b7c6d5e4f3a2b\"";
  return r.to_json() == want;
}

// evaluate(document): the whole event as one parsed JSON document.
void BM_Evaluate(benchmark::State& state, const char* expression) {
  const auto& doc = event_document();
  const auto compiled = jp::Expression::compile(expression);
  if (!expected(jp::evaluate(compiled, doc), expression)) state.SkipWithError("wrong result");
  for (auto _ : state) {
    auto result = jp::evaluate(compiled, doc);
    benchmark::DoNotOptimize(&jp::value(result));
  }
}

// evaluate(fields): the partition-key form, root members given by pointer.
void BM_EvaluateFields(benchmark::State& state, const char* expression) {
  const auto& doc = event_document();
  const jp::RootField root[] = {{"metadata", &doc["metadata"]}, {"data", &doc["data"]}};
  const auto compiled = jp::Expression::compile(expression);
  if (!expected(jp::evaluate(compiled, root, 2), expression)) state.SkipWithError("wrong result");
  for (auto _ : state) {
    auto result = jp::evaluate(compiled, root, 2);
    benchmark::DoNotOptimize(&jp::value(result));
  }
}

// compile + evaluate per call: what node's jmespath.search() does on every call.
void BM_CompileEvaluate(benchmark::State& state, const char* expression) {
  const auto& doc = event_document();
  for (auto _ : state) {
    auto result = jp::evaluate(jp::Expression::compile(expression), doc);
    benchmark::DoNotOptimize(&jp::value(result));
  }
}

// The whole partition-key path: metadata object built, evaluation, key string.
void BM_PartitionKey(benchmark::State& state, const char* expression) {
  const auto& doc = event_document();
  eventdest::Event event("orders.created", "{}");
  const std::string data_text = [&] {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc["data"].Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
  }();
  event.set_data(data_text);
  event.set_metadata({{"source", "checkout-service"}, {"region", "eu-west-1"}});
  const auto metadata = eventdest::merged_metadata(event);
  const eventdest::PartitionKeyTemplate tmpl(expression);
  (void)tmpl.key(event, metadata);  // parses the data once, as the first real key would
  for (auto _ : state) {
    auto key = tmpl.key(event, metadata);
    benchmark::DoNotOptimize(key.data());
  }
}

}  // namespace

BENCHMARK_CAPTURE(BM_Evaluate, field, kField);
BENCHMARK_CAPTURE(BM_Evaluate, join, kJoin);
BENCHMARK_CAPTURE(BM_EvaluateFields, field, kField);
BENCHMARK_CAPTURE(BM_EvaluateFields, join, kJoin);
BENCHMARK_CAPTURE(BM_CompileEvaluate, field, kField);
BENCHMARK_CAPTURE(BM_CompileEvaluate, join, kJoin);
BENCHMARK_CAPTURE(BM_PartitionKey, field, kField);
BENCHMARK_CAPTURE(BM_PartitionKey, join, kJoin);

BENCHMARK_MAIN();
