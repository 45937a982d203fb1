#include <rapidjson/document.h>

#include <cstdint>
#include <random>
#include <string>

#include "support/catch.hpp"
#include "util/base64.hpp"
#include "util/json_check.hpp"
#include "util/json_scan.hpp"
#include "util/json_util.hpp"

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

TEST_CASE("the vectorised base64 encoder equals the table loop at every length and offset",
          "[codec]") {
  std::string input;
  std::uint32_t x = 12345;
  for (int i = 0; i < 1200; ++i) {
    x = x * 1103515245u + 12345u;
    input.push_back(static_cast<char>(x >> 23));
  }
  for (std::size_t offset = 0; offset < 4; ++offset) {
    for (std::size_t n = 0; n + offset <= 1100; ++n) {
      const std::string_view bytes(input.data() + offset, n);
      std::string simd = "prefix:", table = "prefix:";
      append_base64_portable(simd, bytes, true);
      append_base64_portable(table, bytes, false);
      REQUIRE(simd == table);
    }
  }
  // Every 6-bit value in every position of a block: the whole alphabet is produced.
  std::string all;
  for (int i = 0; i < 3 * 256; ++i)
    all.push_back(static_cast<char>(i % 256 ^ i / 256 * 85));
  std::string back;
  REQUIRE(decode_base64(base64(all), back));
  CHECK(back == all);
  CHECK(base64(all) == [&] {
    std::string t;
    append_base64_portable(t, all, false);
    return t;
  }());
}

TEST_CASE("JSON strings are escaped", "[codec]") {
  CHECK(json_string("a\"b\\c\n\x01") == R"("a\"b\\c\n\u0001")");
  CHECK(json_string("é") == "\"é\"");
  CHECK(json_string("\b\f\r\t\x1f\x7f/") == "\"\\b\\f\\r\\t\\u001f\x7f/\"");

  // Every ASCII byte at every place of short and long strings: the literal parses back to the
  // exact string, and what was in `out` before stays.
  std::uint32_t seed = 7;
  auto next = [&seed] { return seed = seed * 1664525u + 1013904223u; };
  for (int round = 0; round < 2000; ++round) {
    std::string s(next() % 70, ' ');
    for (auto& c : s)
      c = static_cast<char>(next() % 4 == 0 ? next() % 0x20 : next() % 0x80);
    std::string out = "prefix:";
    append_json_string(out, s);
    REQUIRE(out.compare(0, 7, "prefix:") == 0);
    rapidjson::Document doc;
    doc.Parse(out.data() + 7, out.size() - 7);
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc.IsString());
    CHECK(std::string(doc.GetString(), doc.GetStringLength()) == s);
  }
}

TEST_CASE("the JSON string scan finds the first quote, backslash or control byte exactly",
          "[codec]") {
  // Every special byte (and bytes that are not: 0x20, 0x7f, 0x80, 0xff) at every position of
  // buffers up to 48 bytes, from every start offset: covers the 16-byte, 8-byte and byte paths
  // and the signedness of bytes >= 0x80.
  const std::string specials = std::string("\"\\\x00\x01\x1f", 5);
  const std::string plain = std::string("a \x7f\x80\xff~", 6);
  auto naive = [](const char* p, const char* end) {
    while (p != end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20)
      ++p;
    return p;
  };
  std::size_t checked = 0;
  for (std::size_t size = 0; size <= 48; ++size) {
    for (char filler : plain) {
      std::string buffer(size, filler);
      CHECK(find_json_special(buffer.data(), buffer.data() + size) == buffer.data() + size);
      for (std::size_t at = 0; at < size; ++at) {
        for (char special : specials) {
          buffer[at] = special;
          for (std::size_t from = 0; from <= size; ++from) {
            const char* got = find_json_special(buffer.data() + from, buffer.data() + size);
            const char* want = naive(buffer.data() + from, buffer.data() + size);
            if (got != want) FAIL("size " << size << " special at " << at << " from " << from);
            ++checked;
          }
          // A second special later must not hide the first.
          if (at + 3 < size) {
            buffer[at + 3] = '"';
            CHECK(find_json_special(buffer.data(), buffer.data() + size) ==
                  naive(buffer.data(), buffer.data() + size));
            buffer[at + 3] = filler;
          }
          buffer[at] = filler;
        }
      }
    }
  }
  CHECK(checked > 100000);
}

TEST_CASE("the JSON string scan is exact with several special bytes and long tails", "[codec]") {
  // Random buffers of 0 to 80 bytes, from random starts, 0 to 3 special bytes among bytes next
  // to them in value (a borrow in the 8- and 4-byte word tests may mark bytes after a special
  // one: the first must still be found), against a byte loop.
  const char specials[] = {'"', '\\', '\x00', '\x01', '\x1f'};
  const char others[] = {'\x20', '\x21', '\x5b', '\x5d', '\x7f', '\x80', '\xff', 'a'};
  std::mt19937 random(20261206);
  auto naive = [](const char* p, const char* end) {
    while (p != end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20)
      ++p;
    return p;
  };
  for (int round = 0; round < 200000; ++round) {
    const std::size_t size = random() % 81;
    std::string buffer(size, 'a');
    for (auto& c : buffer)
      c = others[random() % sizeof others];
    for (std::size_t k = random() % 4; k > 0 && size > 0; --k)
      buffer[random() % size] = specials[random() % sizeof specials];
    const std::size_t from = size ? random() % (size + 1) : 0;
    const char* got = find_json_special(buffer.data() + from, buffer.data() + size);
    if (got != naive(buffer.data() + from, buffer.data() + size))
      FAIL("size " << size << " from " << from << " got " << (got - buffer.data()));
  }
}

TEST_CASE("JSON whitespace is exactly space, tab, LF and CR", "[codec]") {
  for (int c = 0; c < 256; ++c) {
    const bool want = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (is_json_space(static_cast<char>(c)) != want) FAIL("byte " << c);
  }
  const std::string text = " \t\r\n\x0b x";
  CHECK(skip_json_space(text.data(), text.data() + text.size()) == text.data() + 4);
}

namespace {
// Whether the cursor reads `json` as one value and nothing after it (max_depth `depth`,
// starting `outer` containers deep).
bool cursor_accepts(const std::string& json, int depth = 64, int outer = 0) {
  JsonCheckCursor r(json, depth);
  if (!r.value(outer)) return false;
  r.skip_space();
  return r.at_end();
}

bool rapidjson_accepts(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  return !d.HasParseError();
}
}  // namespace

TEST_CASE("the hand-written JSON check agrees with rapidjson on the grammar it reads", "[codec]") {
  // Each document is within what the cursor reads (no exponent, no surrogate, shallow): its
  // verdict must be rapidjson's, either way.
  const char* documents[] = {"{}",
                             "[]",
                             " [ ] ",
                             "{\"a\":1}",
                             "{\"a\":[{\"b\":[]},{}],\"c\":{\"d\":null}}",
                             "[[[[1,2],[3]],[]],{\"x\":[true,false]}]",
                             "[\"a\\u0041\\n\",-0.5,0,12.25]",
                             "{ \"a\" : [ 1 , { \"b\" : \"c\" } ] }",
                             "[1,]",
                             "{\"a\":1,}",
                             "{\"a\"}",
                             "[}",
                             "{]",
                             "{\"a\":1]",
                             "[1 2]",
                             "{\"a\" 1}",
                             "[{\"a\":1}",
                             "[[1]",
                             "{1:2}",
                             "[01]",
                             "[1.]",
                             "[-]",
                             "[\"\\x\"]",
                             "[\"a\tb\"]",
                             "[tru]",
                             "[nul]",
                             "{\"a\":{\"b\":{}}}}",
                             ",",
                             "[,1]",
                             "{\"a\":1 \"b\":2}",
                             "[\"unterminated]"};
  for (const char* d : documents) {
    INFO(d);
    CHECK(cursor_accepts(d) == rapidjson_accepts(d));
  }
}

TEST_CASE("the hand-written JSON check refuses nesting past its depth", "[codec]") {
  CHECK(cursor_accepts("[[[1]]]", 3));
  CHECK_FALSE(cursor_accepts("[[[[1]]]]", 3));
  CHECK(cursor_accepts("{\"a\":[{}]}", 3));
  CHECK_FALSE(cursor_accepts("{\"a\":[{\"b\":[]}]}", 3));
  // Starting inside one container leaves room for one fewer.
  CHECK(cursor_accepts("[[1]]", 3, 1));
  CHECK_FALSE(cursor_accepts("[[[1]]]", 3, 1));
  // Past 64 levels even when max_depth allows more (the cursor's own stack).
  const std::string deep64 = std::string(64, '[') + std::string(64, ']');
  const std::string deep65 = std::string(65, '[') + std::string(65, ']');
  CHECK(cursor_accepts(deep64, 100));
  CHECK_FALSE(cursor_accepts(deep65, 100));
  CHECK(rapidjson_accepts(deep65));  // a refusal hands it to rapidjson, which reads it
}
