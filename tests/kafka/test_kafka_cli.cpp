// The CLI publishing to the standalone mock broker (eventdest-mock-kafka), read back with kcat.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "support/catch.hpp"
#include "support/subprocess.hpp"

using namespace eventdest::test;

namespace {
std::string run(const std::string& cmd, int& status) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buffer[4096];
  while (p && std::fgets(buffer, sizeof buffer, p))
    out += buffer;
  status = p ? pclose(p) : -1;
  return out;
}
}  // namespace

TEST_CASE("eventdest publish to eventdest-mock-kafka, read back with kcat", "[kafka][cli]") {
  Subprocess broker({EVENTDEST_MOCK_KAFKA, "--topic", "orders:3"});
  const std::string bootstrap = broker.wait_for_line("BOOTSTRAP ", std::chrono::seconds(20));
  char dir[] = "/tmp/eventdest-kafka-cli-XXXXXX";
  const std::string d = mkdtemp(dir);
  std::ofstream(d + "/spec.json")
      << R"({"type":"kafka","topics":["orders"],"config":{"brokers":")" << bootstrap
      << R"(","topic":"orders","sasl_mechanism":"none","tls":false,"partition_key_template":"data.customer_id"}})";
  std::ofstream(d + "/events.ndjson")
      << R"({"id":"a","topic":"orders","time":1704067200,"data":{"customer_id":"c1","v":1.50}})"
      << "\n"
      << R"({"id":"b","topic":"orders","time":1704067200,"metadata":{"m":"x"},"data":{"customer_id":"c2"}})"
      << "\n";
  int status = 0;
  const std::string reports = run(std::string(EVENTDEST_CLI) + " publish --destination " + d +
                                      "/spec.json --input " + d + "/events.ndjson 2>/dev/null",
                                  status);
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(reports.find(R"("event_id":"a")") != std::string::npos);
  CHECK(reports.find(R"("status":"delivered")") != std::string::npos);
  const std::string consumed =
      run("kcat -C -b " + bootstrap + " -t orders -e -q -f '%k|%h|%s\\n' 2>/dev/null", status);
  CHECK(
      consumed.find(
          R"(c1|content-type=application/json,event-id=a,topic=orders,timestamp=1704067200|{"customer_id":"c1","v":1.50})") !=
      std::string::npos);
  CHECK(consumed.find(
            "c2|content-type=application/json,event-id=b,topic=orders,timestamp=1704067200,m=x|") !=
        std::string::npos);
  std::system(("rm -rf " + d).c_str());
}
