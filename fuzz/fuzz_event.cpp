// Event::from_json on arbitrary input: must throw EventError or return an event whose data is
// valid JSON and a substring of the input, whose id, topic and metadata are valid UTF-8 without
// NUL, and whose partition keys can be computed; never crash, however deep the input nests.
// The same bytes as data of an event built in code must be accepted or refused alike. A line the
// plain-line reader takes must be taken by the full reader too, giving the same event.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "event/event_internals.hpp"
#include "event/event_line.hpp"
#include "event/event_text.hpp"
#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "eventdest/json_dom.hpp"
#include "eventdest/partition_key.hpp"

namespace {

const eventdest::PartitionKeyTemplate& field_path_template() {
  static const eventdest::PartitionKeyTemplate t("data.customer_id");
  return t;
}
const eventdest::PartitionKeyTemplate& whole_data_template() {
  static const eventdest::PartitionKeyTemplate t("to_string(data)");
  return t;
}

// The plain-line reader never takes a line the full reader refuses, and reads the same fields.
void check_plain_reader(const std::string& input) {
  eventdest::detail::EventLine plain;
  if (!eventdest::detail::read_plain_event_line(input, plain)) return;
  try {
    const auto full = eventdest::detail::EventInternals::from_json_full(input);
    if (full.topic() != plain.topic || full.data() != plain.data ||
        full.metadata().size() != plain.metadata_count)
      std::abort();
    for (std::size_t i = 0; i < plain.metadata_count; ++i) {
      const auto at = full.metadata().find(std::string(plain.metadata[i].first));
      if (at == full.metadata().end() || at->second != plain.metadata[i].second) std::abort();
    }
    if (plain.id && !plain.id->empty() && full.id() != *plain.id) std::abort();
    if (plain.time) {
      eventdest::Clock::time_point t;
      if (eventdest::parse_rfc3339(*plain.time, t) && full.time() != t) std::abort();
    }
    const auto fast = eventdest::Event::from_json(input);
    if (fast.topic() != full.topic() || fast.data() != full.data() ||
        fast.metadata() != full.metadata() || (plain.time && fast.time() != full.time()) ||
        (plain.id && !plain.id->empty() && fast.id() != full.id())) {
      std::abort();
    }
  } catch (const eventdest::EventError&) {
    // A plain `time` that is not RFC 3339 is the full reader's to refuse; anything else is not.
    eventdest::Clock::time_point t;
    if (!plain.time || eventdest::parse_rfc3339(*plain.time, t)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  check_plain_reader(input);
  try {
    auto e = eventdest::Event::from_json(input);
    if (input.find(std::string(e.data())) == std::string::npos) std::abort();
    if (eventdest::detail::event_text_problem(e)) std::abort();
    (void)eventdest::data_document(e);
    (void)eventdest::merged_metadata(e);
    (void)field_path_template().key(e);
    (void)whole_data_template().key(e);
    (void)eventdest::Event::from_json(e.to_json());
    // The data alone passes the constructor's check too.
    (void)eventdest::Event("t", std::string(e.data()));
  } catch (const eventdest::EventError&) {
  }
  try {
    const eventdest::Event e("t", input);
    (void)field_path_template().key(e);
    (void)whole_data_template().key(e);
  } catch (const eventdest::EventError&) {
  }
  return 0;
}
