// The spool's segment and release-journal format: what is written reads back, and damage is
// confined: a torn tail is cut, a damaged run in the middle costs only its own records.
#include "spool/spool_payload.hpp"
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
  // The instruction and the tables agree at every length and alignment.
  std::string longer;
  for (int i = 0; i < 300; ++i)
    longer += static_cast<char>(i * 7 + 3);
  for (std::size_t start = 0; start < 9; ++start) {
    for (std::size_t n = 0; start + n <= longer.size(); n += 13) {
      const std::string_view piece(longer.data() + start, n);
      CHECK(crc32c(piece, 0x1234) == crc32c_portable(piece, 0x1234));
    }
  }
  CHECK(crc32c_portable("123456789") == 0xe3069283u);
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
      // Up to its last non-zero byte: zeros after the records are space allocated ahead.
      std::size_t last = cut;
      while (last > starts[4] && segment[last - 1] == '\0')
        --last;
      CHECK(torn.torn_tail_bytes == last - starts[4]);
      CHECK(torn.torn_tail_bytes > 0);
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
  SECTION("zeros after the last record (space allocated ahead) are not damage") {
    auto padded = read_spool_segment(segment + std::string(4096, '\0'));
    CHECK(padded.records.size() == 5);
    CHECK(padded.torn_tail_bytes == 0);
    CHECK(padded.valid_end == segment.size());
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

TEST_CASE("a spool payload is the event's to_json() text, and reads back as the event", "[spool]") {
  using eventdest::Event;
  std::vector<Event> events;
  events.push_back(Event::from_json(
      R"({"id":"a\"b\\c","topic":"t/ü","time":"2024-02-29T23:59:59.123Z","metadata":{"k":"v\n","z":"🔑"},"data":{"x": [1, 2.50]}})"));
  events.push_back(Event::from_json(R"({"id":"e","topic":"t","time":0,"data":null})"));
  events.push_back(Event::from_json(
      R"({"id":"ctl\u0001","topic":"t","time":"1999-12-31T23:59:59Z","data":"s"})"));
  events.emplace_back("orders", R"({"n":1})");  // generated id, time now
  std::string payload;
  for (const auto& e : events) {
    write_spool_payload(e, payload);
    INFO(e.to_json());
    const Event back = Event::from_json(payload);
    CHECK(back.id() == e.id());
    CHECK(back.topic() == e.topic());
    CHECK(back.metadata() == e.metadata());
    CHECK(back.data() == e.data());
    CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(back.time() - e.time()).count() ==
          0);
    CHECK(Event::from_json(e.to_json()).to_json() == back.to_json());
  }
}
