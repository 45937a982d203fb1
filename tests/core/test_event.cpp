#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "event/event_internals.hpp"
#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "eventdest/json_dom.hpp"
#include "support/catch.hpp"

using namespace eventdest;

namespace {
std::vector<FieldProblem> problems_of(const std::string& json) {
  try {
    Event::from_json(json);
  } catch (const EventError& e) {
    return e.problems();
  }
  return {};
}
bool has_problem(const std::vector<FieldProblem>& ps, const std::string& field) {
  return std::any_of(ps.begin(), ps.end(), [&](const FieldProblem& p) { return p.field == field; });
}
}  // namespace

TEST_CASE("an input line becomes an event with every field", "[event]") {
  auto e = Event::from_json(R"({"id":"evt-1","topic":"orders","time":"2024-01-01T00:00:00Z",)"
                            R"("metadata":{"source":"web"},"data":{"customer_id":"c1","n":1}})");
  CHECK(e.id() == "evt-1");
  CHECK(e.topic() == "orders");
  CHECK(format_timestamp(e.time(), TimestampFormat::unix_seconds) == "1704067200");
  CHECK(e.metadata() == Metadata{{"source", "web"}});
  CHECK(e.data() == R"({"customer_id":"c1","n":1})");
}

TEST_CASE("data is kept byte for byte, whatever its type and spacing", "[event]") {
  CHECK(Event::from_json(R"({"topic":"t","data":  {"b": 1,   "a" : [1, 2.50, "x"]}  })").data() ==
        R"({"b": 1,   "a" : [1, 2.50, "x"]})");
  CHECK(Event::from_json(R"({"topic":"t","data":12.50})").data() == "12.50");
  CHECK(Event::from_json(R"({"topic":"t","data":"s\u00e9"})").data() == R"("s\u00e9")");
  CHECK(Event::from_json(R"({"topic":"t","data":null})").data() == "null");
  CHECK(Event::from_json(R"({"topic":"t","data":[1,{"data":2}],"metadata":{"data":"x"}})").data() ==
        R"([1,{"data":2}])");
  CHECK(Event::from_json(R"({"data":true ,"topic":"t"})").data() == "true");
  CHECK(Event::from_json("{\"topic\":\"t\",\"data\":\n 7\n}").data() == "7");
}

TEST_CASE("the parsed data DOM matches the raw text and is shared safely", "[event]") {
  auto e = Event::from_json(R"({"topic":"t","data":{"customer_id":"c1"}})");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      const auto& d = data_document(e);
      if (d.IsObject() && std::string(d["customer_id"].GetString()) == "c1") ++ok;
    });
  }
  for (auto& t : threads)
    t.join();
  CHECK(ok == 8);
  Event copy = e;
  CHECK(&data_document(copy) == &data_document(e));  // copies share the parsed data
}

TEST_CASE("data of every length up to a few kilobytes outlives the event it was read into",
          "[event]") {
  // The data's bytes share one allocation with its shared block (from_json) or stay in the
  // string they were given in (set_data): both, short and long, read back whole from copies
  // that outlive the original, and parse as the same DOM.
  for (std::size_t length : {1u, 2u, 14u, 15u, 16u, 31u, 63u, 64u, 65u, 255u, 1000u, 4097u}) {
    const std::string text = length == 1 ? "7" : "\"" + std::string(length - 2, 'x') + "\"";
    const std::string line = R"({"topic":"t","data":)" + text + "}";
    std::vector<Event> copies;
    {
      const Event read = Event::from_json(line);
      const Event read_full = detail::EventInternals::from_json_full(line);
      Event given("t", text);
      Event set = Event::from_json(R"({"topic":"t","data":0})");
      set.set_data(text);
      copies = {read, read_full, given, set};
    }
    for (const Event& e : copies) {
      CHECK(e.data() == text);
      CHECK(data_document(e).IsString() == (length > 1));
    }
  }
}

TEST_CASE("invalid events list every problem", "[event]") {
  CHECK(has_problem(problems_of("not json"), "event"));
  CHECK(has_problem(problems_of("[1,2]"), "event"));
  CHECK(has_problem(problems_of(R"({"topic":"t"})"), "data"));
  CHECK(has_problem(problems_of(R"({"topic":"","data":1})"), "topic"));
  CHECK(has_problem(problems_of(R"({"data":1})"), "topic"));
  CHECK(has_problem(problems_of(R"({"topic":5,"data":1})"), "topic"));
  CHECK(has_problem(problems_of(R"({"topic":"t","data":1,"time":"yesterday"})"), "time"));
  CHECK(
      has_problem(problems_of(R"({"topic":"t","data":1,"time":"2024-02-30T00:00:00Z"})"), "time"));
  CHECK(has_problem(problems_of(R"({"topic":"t","data":1,"time":true})"), "time"));
  CHECK(has_problem(problems_of(R"({"topic":"t","data":1,"metadata":[]})"), "metadata"));
  CHECK(has_problem(problems_of(R"({"topic":"t","data":1,"id":7})"), "id"));
  CHECK(has_problem(problems_of(R"({"topic":"t","data":1,"payload":7})"), "payload"));

  auto ps = problems_of(R"({"topic":"","metadata":{"a":null,"b":"ok","c":{}},"time":"x"})");
  CHECK(ps.size() == 5);  // topic, time, metadata.a, metadata.c, data
  CHECK(has_problem(ps, "metadata.a"));
  CHECK(has_problem(ps, "metadata.c"));
  CHECK_FALSE(has_problem(ps, "metadata.b"));
  CHECK(has_problem(ps, "data"));

  try {
    Event::from_json(R"({"topic":"t"})");
    FAIL("expected EventError");
  } catch (const EventError& e) {
    CHECK(std::string(e.what()).find("data: is required") != std::string::npos);
  }
}

TEST_CASE("time accepts RFC 3339 with offsets and fractions, and unix seconds", "[event]") {
  auto secs = [](const std::string& line) {
    return format_timestamp(Event::from_json(line).time(), TimestampFormat::unix_ms);
  };
  CHECK(secs(R"({"topic":"t","data":1,"time":"2024-01-01T01:00:00+01:00"})") == "1704067200000");
  CHECK(secs(R"({"topic":"t","data":1,"time":"2023-12-31T19:00:00.250-05:00"})") ==
        "1704067200250");
  CHECK(secs(R"({"topic":"t","data":1,"time":1704067200})") == "1704067200000");
  CHECK(secs(R"({"topic":"t","data":1,"time":1704067200.5})") == "1704067200500");
  CHECK(secs(R"({"topic":"t","data":1,"time":"2024-02-29T00:00:00Z"})") == "1709164800000");
  CHECK(
      has_problem(problems_of(R"({"topic":"t","data":1,"time":"2023-02-29T00:00:00Z"})"), "time"));
  CHECK(has_problem(problems_of(R"({"topic":"t","data":1,"time":"2024-01-01T00:00:00"})"), "time"));
  CHECK(has_problem(problems_of(R"({"topic":"t","data":1,"time":-5})"), "time"));
  // Found by fuzz_event: times beyond system_clock's range used to overflow.
  CHECK(
      has_problem(problems_of(R"({"topic":"t","data":1,"time":"0001-01-01T00:00:00Z"})"), "time"));
  CHECK(
      has_problem(problems_of(R"({"topic":"t","data":1,"time":"9999-12-31T23:59:59Z"})"), "time"));
  CHECK(has_problem(problems_of(R"({"topic":"t","data":1,"time":1e19})"), "time"));
  CHECK(has_problem(problems_of(R"({"topic":"t","data":1,"time":253402300799})"), "time"));
}

TEST_CASE("timestamps render in the three formats", "[event]") {
  Clock::time_point t;
  REQUIRE(parse_rfc3339("2024-01-01T00:00:00.123Z", t));
  CHECK(format_timestamp(t, TimestampFormat::unix_seconds) == "1704067200");
  CHECK(format_timestamp(t, TimestampFormat::unix_ms) == "1704067200123");
  // As Outpost writes it: whole seconds, Z; rfc3339_ms always has milliseconds.
  CHECK(format_timestamp(t, TimestampFormat::rfc3339) == "2024-01-01T00:00:00Z");
  CHECK(format_timestamp(t, TimestampFormat::rfc3339_ms) == "2024-01-01T00:00:00.123Z");
  CHECK(format_rfc3339(t) == "2024-01-01T00:00:00.123Z");  // to_json and filters keep them
  REQUIRE(parse_rfc3339("1999-12-31T23:59:59Z", t));
  CHECK(format_timestamp(t, TimestampFormat::rfc3339) == "1999-12-31T23:59:59Z");
  CHECK(format_timestamp(t, TimestampFormat::rfc3339_ms) == "1999-12-31T23:59:59.000Z");
  CHECK(format_rfc3339(t) == "1999-12-31T23:59:59Z");
  REQUIRE(parse_rfc3339("1969-12-31T23:59:59.999Z", t));  // before the epoch: floor, not truncate
  CHECK(format_timestamp(t, TimestampFormat::rfc3339) == "1969-12-31T23:59:59Z");
  CHECK(format_timestamp(t, TimestampFormat::rfc3339_ms) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("numeric and boolean metadata values become strings, as in Outpost", "[event]") {
  auto e = Event::from_json(
      R"({"topic":"t","metadata":{"n":3,"f":2.50,"neg":-7,"big":12345678901234567890,)"
      R"("exp":1e3,"yes":true,"no":false,"s":"x"},"data":1})");
  CHECK(e.metadata() == Metadata{{"n", "3"},
                                 {"f", "2.50"},
                                 {"neg", "-7"},
                                 {"big", "12345678901234567890"},
                                 {"exp", "1e3"},
                                 {"yes", "true"},
                                 {"no", "false"},
                                 {"s", "x"}});
  CHECK(problems_of(R"({"topic":"t","metadata":{"a":null},"data":1})")[0].problem ==
        "must be a string, number or boolean");
  CHECK(has_problem(problems_of(R"({"topic":"t","metadata":{"a":[1]},"data":1})"), "metadata.a"));
  CHECK(has_problem(problems_of(R"({"topic":"t","metadata":{"a":1,"a":"1"},"data":1})"),
                    "metadata.a"));
}

TEST_CASE("generated ids are unique, time-ordered UUIDv7", "[event]") {
  const std::regex uuid7("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::vector<std::string> ids;
  for (int i = 0; i < 20000; ++i)
    ids.push_back(generate_event_id());
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
  CHECK(std::regex_match(ids.front(), uuid7));
  CHECK(std::regex_match(ids.back(), uuid7));
  CHECK_FALSE(Event().id().empty());
  CHECK_FALSE(Event::from_json(R"({"topic":"t","data":1,"id":""})").id().empty());
}

TEST_CASE("a UUID's text: every byte as two lowercase hex digits, dashes at 8-4-4-4-12",
          "[event]") {
  // Against snprintf, for every byte value in every position and for random bytes.
  const auto reference = [](const unsigned char* b) {
    char text[37];
    std::snprintf(text, sizeof text,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    return std::string(text, 36);
  };
  std::mt19937 rng(7);
  for (int round = 0; round < 256 + 1000; ++round) {
    unsigned char b[16];
    for (int i = 0; i < 16; ++i)
      b[i] = static_cast<unsigned char>(round < 256 ? (round + 37 * i) & 0xff : rng() & 0xff);
    char out[36];
    detail::write_uuid_text(b, out);
    REQUIRE(std::string(out, sizeof out) == reference(b));
  }
}

TEST_CASE("an id holds its millisecond, version 7 and variant 10", "[event]") {
  const auto unix_ms = [] {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
            .count());
  };
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t before = unix_ms();
    const std::string id = generate_event_id();
    const std::uint64_t after = unix_ms();
    const std::uint64_t ms = std::stoull(id.substr(0, 8) + id.substr(9, 4), nullptr, 16);
    // Never earlier than the clock; later only by what a burst of ids borrowed (a few ms).
    CHECK(ms >= before);
    CHECK(ms <= after + 1000);
    CHECK(id[14] == '7');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
  }
}

TEST_CASE("ids made on many threads at once are unique and ordered on each thread", "[event]") {
  constexpr int kThreads = 4, kEach = 20000;
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&made, t] {
      for (int i = 0; i < kEach; ++i)
        made[t].push_back(generate_event_id());
    });
  }
  for (auto& t : threads)
    t.join();
  std::set<std::string> all;
  for (const auto& ids : made) {
    CHECK(std::adjacent_find(ids.begin(), ids.end(), std::greater_equal<std::string>()) ==
          ids.end());  // strictly increasing
    all.insert(ids.begin(), ids.end());
  }
  CHECK(all.size() == static_cast<std::size_t>(kThreads * kEach));
}

TEST_CASE("ids of one millisecond past its 4096 counter values borrow the next one", "[event]") {
  // The same instant again and again: the 12-bit counter (starting at random below 1024) runs
  // out, and the ids go on in order into the next milliseconds instead of repeating.
  const auto at = Clock::now();
  std::vector<std::string> ids;
  for (int i = 0; i < 10000; ++i)
    ids.push_back(detail::event_id_at(at));
  CHECK(std::adjacent_find(ids.begin(), ids.end(), std::greater_equal<std::string>()) == ids.end());
  // The first 12 hex digits are the milliseconds: at least two later ones were borrowed.
  const auto ms_of = [](const std::string& id) { return id.substr(0, 8) + id.substr(9, 4); };
  CHECK(ms_of(ids.back()) > ms_of(ids.front()));
  CHECK(std::stoull(ms_of(ids.back()), nullptr, 16) -
            std::stoull(ms_of(ids.front()), nullptr, 16) >=
        2);
}

TEST_CASE("system metadata is merged under user metadata in wire order", "[event]") {
  auto e = Event::from_json(
      R"({"id":"e1","topic":"orders","time":1704067200,"metadata":{"topic":"mine","a":"1"},"data":1})");
  const MetadataList expected_system = {
      {"event-id", "e1"}, {"topic", "orders"}, {"timestamp", "1704067200"}};
  CHECK(system_metadata(e) == expected_system);
  const MetadataList merged = merged_metadata(e, TimestampFormat::unix_seconds,
                                              {{"region", "eu"}, {"a", "from-destination"}});
  const MetadataList expected = {{"event-id", "e1"},
                                 {"topic", "mine"},  // user wins, position kept
                                 {"timestamp", "1704067200"},
                                 {"a", "1"},  // user wins over delivery metadata
                                 {"region", "eu"}};
  CHECK(merged == expected);
  CHECK(merged_metadata(e, TimestampFormat::rfc3339)[2].second == "2024-01-01T00:00:00Z");
  CHECK(merged_metadata(e, TimestampFormat::unix_ms)[2].second == "1704067200000");
}

TEST_CASE("Outpost's optional timestamp-ms follows the system timestamp", "[event]") {
  auto e = Event::from_json(R"({"id":"e1","topic":"orders","time":"2024-01-01T00:00:00.250Z",)"
                            R"("metadata":{"a":"1"},"data":1})");
  const MetadataList expected_system = {{"event-id", "e1"},
                                        {"topic", "orders"},
                                        {"timestamp", "2024-01-01T00:00:00Z"},
                                        {"timestamp-ms", "1704067200250"}};
  CHECK(system_metadata(e, TimestampFormat::rfc3339, true) == expected_system);
  CHECK(system_metadata(e).size() == 3);
  const auto merged = merged_metadata(e, TimestampFormat::rfc3339, {{"r", "eu"}}, true);
  REQUIRE(merged.size() == 6);
  CHECK(merged[3] == std::make_pair(std::string("timestamp-ms"), std::string("1704067200250")));
  CHECK(merged[4].first == "r");  // delivery metadata, then the event's
}

TEST_CASE("merged metadata: later sources win, each key where it first appeared", "[event]") {
  // Against the rule written out as a list merge, for every subset of keys (system keys among
  // them) in the destination's and the event's metadata, with and without timestamp-ms.
  const std::vector<std::string> keys = {"event-id",     "topic", "timestamp",
                                         "timestamp-ms", "a",     "b"};
  auto merge_by_list = [](const Event& e, const Metadata& extra, bool ms) {
    MetadataList out = system_metadata(e, TimestampFormat::rfc3339, ms);
    for (const Metadata* m : {&extra, &e.metadata()}) {
      for (const auto& [k, v] : *m) {
        auto it = std::find_if(out.begin(), out.end(), [&k = k](auto& p) { return p.first == k; });
        if (it != out.end()) {
          it->second = v;
        } else {
          out.emplace_back(k, v);
        }
      }
    }
    return out;
  };
  int checked = 0;
  for (unsigned extra_keys = 0; extra_keys < 64; ++extra_keys) {
    for (unsigned own_keys = 0; own_keys < 64; own_keys += 3) {
      Event e("orders", "1");
      Metadata extra;
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (extra_keys >> i & 1u) extra[keys[i]] = "x-" + keys[i];
        if (own_keys >> i & 1u) e.metadata()[keys[i]] = "e-" + keys[i];
      }
      for (bool ms : {false, true}) {
        if (merged_metadata(e, TimestampFormat::rfc3339, extra, ms) != merge_by_list(e, extra, ms))
          FAIL("extra " << extra_keys << " own " << own_keys << " ms " << ms);
        ++checked;
      }
    }
  }
  CHECK(checked == 64 * 22 * 2);
}

TEST_CASE("events built in code validate their data", "[event]") {
  CHECK_THROWS_AS(Event("t", "{oops"), EventError);
  CHECK_THROWS_AS(Event("", "1"), EventError);
  CHECK_THROWS_AS(Event("t", "1 2"), EventError);
  Event e("t", R"({"x": 1})");
  CHECK(e.data() == R"({"x": 1})");
  CHECK_THROWS_AS(e.set_data("nope"), EventError);
  CHECK(e.data() == R"({"x": 1})");  // unchanged after a failed set
  CHECK(Event::from_json(e.to_json()).data() == e.data());
  CHECK(Event::from_json(e.to_json()).id() == e.id());
}
