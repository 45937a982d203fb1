// The spool's segment and release-journal format: what is written reads back, and damage is
// confined: a torn tail is cut, a damaged run in the middle costs only its own records.
#include "spool/spool_segment.hpp"
#include "support/catch.hpp"
#include "util/crc32c.hpp"

using namespace eventdest::detail;

TEST_CASE("CRC-32C gives the standard check values", "[spool]") {
  CHECK(crc32c("123456789") == 0xe3069283u);
  CHECK(crc32c("") == 0u);
  std::string bytes;
  for (int i = 0; i < 100; ++i)
    bytes += static_cast<char>(i);
  CHECK(crc32c(bytes) == 0xc1caebe5u);
  // Continuing a checksum equals checksumming the whole.
  CHECK(crc32c(bytes.substr(37), crc32c(bytes.substr(0, 37))) == crc32c(bytes));
}

TEST_CASE("spool records read back; damage costs only the damaged records", "[spool]") {
  std::string segment;
  std::vector<std::size_t> starts;
  for (std::uint64_t s = 1; s <= 5; ++s) {
    starts.push_back(segment.size());
    append_spool_record(segment, s,
                        R"({"id":"e)" + std::to_string(s) + R"(","topic":"t","data":1})");
  }
  auto all = read_spool_segment(segment);
  REQUIRE(all.records.size() == 5);
  CHECK(all.torn_tail_bytes == 0);
  CHECK(all.damaged_regions == 0);
  CHECK(all.valid_end == segment.size());
  CHECK(all.records[2].sequence == 3);
  CHECK(all.records[2].payload == R"({"id":"e3","topic":"t","data":1})");

  SECTION("a torn tail (a write cut short) is everything after the last whole record") {
    for (std::size_t cut = starts[4] + 1; cut < segment.size(); cut += 7) {
      auto torn = read_spool_segment(std::string_view(segment).substr(0, cut));
      REQUIRE(torn.records.size() == 4);
      CHECK(torn.valid_end == starts[4]);
      CHECK(torn.torn_tail_bytes == cut - starts[4]);
      CHECK(torn.damaged_regions == 0);
    }
  }
  SECTION("a flipped bit in the middle loses that record only") {
    for (std::size_t at :
         {starts[2], starts[2] + 5, starts[2] + 9, starts[2] + 17, starts[2] + 22, starts[3] - 1}) {
      std::string flipped = segment;
      flipped[at] ^= 0x10;
      auto read = read_spool_segment(flipped);
      INFO("byte " << at);
      REQUIRE(read.records.size() == 4);
      CHECK(read.records[2].sequence == 4);
      CHECK(read.damaged_regions == 1);
      CHECK(read.torn_tail_bytes == 0);
    }
  }
  SECTION("garbage holding the magic is skipped without misreading") {
    std::string noisy =
        segment.substr(0, starts[1]) + "EDSPEDSP\x01\x02garbageEDSP" + segment.substr(starts[1]);
    auto read = read_spool_segment(noisy);
    CHECK(read.records.size() == 5);
    CHECK(read.damaged_regions == 1);
  }
}

TEST_CASE("release journal entries read back; a torn or damaged entry is skipped", "[spool]") {
  std::string acks;
  for (std::uint64_t s : {7u, 9u, 12u})
    append_spool_ack(acks, s);
  CHECK(read_spool_acks(acks) == std::vector<std::uint64_t>{7, 9, 12});
  CHECK(read_spool_acks(acks.substr(0, acks.size() - 3)) == std::vector<std::uint64_t>{7, 9});
  acks[kSpoolAckBytes + 2] ^= 1;
  CHECK(read_spool_acks(acks) == std::vector<std::uint64_t>{7, 12});
}
