// REST Proxy responses from a hostile peer (issue 17, item 1): streamed reports and
// records:batch bodies nested far deeper than any real answer are unreadable, never a stack
// overflow.
#include <string>
#include <vector>

#include "util/json_depth.hpp"
#include "kafka_rest/rest_response_parser.hpp"
#include "support/catch.hpp"

using namespace eventdest;
using namespace eventdest::detail;

TEST_CASE("REST responses nested 100,000 levels deep are unreadable", "[kafka_rest][hostile]") {
  const std::string arrays(100000, '[');
  std::string objects;
  for (int i = 0; i < 50000; ++i)
    objects += R"({"a":)";
  const std::string after_report = R"({"error_code":200,"offset":1,"partition_id":0})"
                                   "\r\n" +
                                   arrays;
  const std::string in_report = R"({"error_code":200,"offset":1,"x":)" + arrays;
  const std::vector<const std::string*> bodies{&arrays, &objects, &in_report};
  for (const std::string* body : bodies) {
    bool complete = true;
    CHECK(parse_stream_reports(*body, 200, complete, 3).empty());
    CHECK_FALSE(complete);
    const auto batch = parse_batch_response(*body, 3, 207);
    REQUIRE(batch.size() == 3);
    for (const auto& o : batch) {
      CHECK(o.kind == Outcome::Kind::retry);
      CHECK(o.error == errc::server_error);
    }
  }
  bool complete = true;
  const auto reports = parse_stream_reports(after_report, 200, complete, 2);
  CHECK_FALSE(complete);
  REQUIRE(reports.size() == 1);  // the report before the deep text counts
  CHECK(reports[0].kind == Outcome::Kind::delivered);
}

TEST_CASE("REST reports within the depth limit still parse", "[kafka_rest][hostile]") {
  const std::size_t n = kMaxJsonDepth - 1;  // the report object is one level
  const std::string report =
      R"({"error_code":200,"offset":7,"x":)" + std::string(n, '[') + std::string(n, ']') + "}\r\n";
  bool complete = false;
  auto reports = parse_stream_reports(report, 200, complete, 1);
  CHECK(complete);
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].offset == 7);
  const std::string deeper = R"({"error_code":200,"offset":7,"x":)" + std::string(n + 1, '[') +
                             std::string(n + 1, ']') + "}\r\n";
  CHECK(parse_stream_reports(deeper, 200, complete, 1).empty());
  CHECK_FALSE(complete);
}
