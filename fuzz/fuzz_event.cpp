// Event::from_json on arbitrary input: must throw EventError or return an event whose data is
// valid JSON and a substring of the input, whose id, topic and metadata are valid UTF-8 without
// NUL, and whose partition keys can be computed; never crash, however deep the input nests.
// The same bytes as data of an event built in code must be accepted or refused alike.
#include <cstdint>
#include <cstdlib>
#include <string>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
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
