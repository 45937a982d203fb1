// PutRecords responses and error bodies from a hostile peer (issue 17, item 1): bodies nested far
// deeper than any answer Kinesis gives are malformed responses, never a stack overflow.
#include <string>
#include <vector>

#include "kinesis/kinesis_records.hpp"
#include "support/catch.hpp"
#include "util/json_depth.hpp"

using namespace eventdest;
using namespace eventdest::detail;

TEST_CASE("PutRecords responses nested 200,000 levels deep are malformed", "[kinesis][hostile]") {
  const std::string arrays(200000, '[');
  std::string objects;
  for (int i = 0; i < 100000; ++i)
    objects += R"({"a":)";
  // Deep values inside the Records array and inside a result entry, too.
  const std::string in_records = R"({"FailedRecordCount":0,"Records":[)" + arrays;
  const std::string in_entry = R"({"Records":[{"SequenceNumber":)" + arrays;
  const std::vector<const std::string*> bodies{&arrays, &objects, &in_records, &in_entry};
  for (const std::string* body : bodies) {
    const auto outcomes = parse_put_records_response(*body, 3);
    REQUIRE(outcomes.size() == 3);
    for (const auto& o : outcomes) {
      CHECK(o.kind == Outcome::Kind::retry);
      CHECK(o.error == errc::server_error);
      CHECK(o.maybe_sent);
      CHECK(o.message.find("malformed PutRecords response") != std::string::npos);
    }
    std::string type, message;
    parse_kinesis_error(*body, "ThrottlingException", type, message);
    CHECK(type == "ThrottlingException");  // the header's word, as for any unreadable body
    CHECK(message.empty());
  }
}

TEST_CASE("responses within the depth limit still parse", "[kinesis][hostile]") {
  // Nesting up to the limit inside an ignored member is fine.
  const std::size_t n = kMaxJsonDepth - 3;  // object, Records array, entry object
  const std::string body = R"({"Records":[{"SequenceNumber":"1","ShardId":"s","X":)" +
                           std::string(n, '[') + std::string(n, ']') + "}]}";
  const auto ok = parse_put_records_response(body, 1);
  REQUIRE(ok.size() == 1);
  CHECK(ok[0].kind == Outcome::Kind::delivered);
  const std::string deeper = R"({"Records":[{"SequenceNumber":"1","ShardId":"s","X":)" +
                             std::string(n + 1, '[') + std::string(n + 1, ']') + "}]}";
  CHECK(parse_put_records_response(deeper, 1)[0].kind == Outcome::Kind::retry);

  std::string type, message;
  parse_kinesis_error(R"({"__type":"com.amazon#ValidationException","message":"bad\u0000x"})", "",
                      type, message);
  CHECK(type == "ValidationException");
  CHECK(message == std::string("bad\0x", 5));  // whole, not cut at the NUL
}
