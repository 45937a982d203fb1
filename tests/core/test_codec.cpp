#include "core/base64.hpp"
#include "core/json_util.hpp"
#include "support/catch.hpp"

using namespace eventdest::detail;

TEST_CASE("base64 is padded standard base64 and round-trips", "[codec]") {
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foobar") == "Zm9vYmFy");
  CHECK(base64("application/json") == "YXBwbGljYXRpb24vanNvbg==");
  CHECK(base64(std::string("\xff\xfe\x00", 3)) == "//4A");
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  std::string back;
  REQUIRE(decode_base64(base64(all), back));
  CHECK(back == all);
  CHECK_FALSE(decode_base64("Zg", back));        // unpadded
  CHECK_FALSE(decode_base64("Z-8=", back));      // url-safe alphabet
  CHECK_FALSE(decode_base64("Zg==Zg==", back));  // padding in the middle
  CHECK_FALSE(decode_base64("Z===", back));
}

TEST_CASE("JSON strings are escaped", "[codec]") {
  CHECK(json_string("a\"b\\c\n\x01") == R"("a\"b\\c\n\u0001")");
  CHECK(json_string("é") == "\"é\"");
}
