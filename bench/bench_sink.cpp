// A fast local sink for benchmarks of programs outside this process (bench/cli_bench.sh):
//   bench_sink kinesis|rest
// prints the sink's base URL on one line, then serves until its stdin ends. `kinesis`
// acknowledges PutRecords/PutRecord at once (fast_kinesis_sink.hpp); `rest` is the C++ REST
// Proxy v3 emulator (cluster "c1", topic "orders" with 3 partitions, no credentials).
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "fast_kinesis_sink.hpp"
#include "kafka_rest/emulator/fast_rest_proxy.hpp"

int main(int argc, char** argv) {
  const std::string kind = argc > 1 ? argv[1] : "";
  std::unique_ptr<eventdest::test::HttpServer> kinesis;
  std::unique_ptr<eventdest::test::FastRestProxy> rest;
  if (kind == "kinesis") {
    kinesis = std::make_unique<eventdest::test::HttpServer>(eventdest::bench::acknowledge);
    std::printf("%s\n", kinesis->url("").c_str());
  } else if (kind == "rest") {
    eventdest::test::FastRestProxyOptions options;
    options.cluster_id = "c1";
    options.topics = {{"orders", 3}};
    rest = std::make_unique<eventdest::test::FastRestProxy>(options);
    std::printf("%s\n", rest->url().c_str());
  } else {
    std::fprintf(stderr, "usage: bench_sink kinesis|rest\n");
    return 2;
  }
  std::fflush(stdout);
  std::string ignored;
  while (std::getline(std::cin, ignored)) {
  }
  return 0;
}
