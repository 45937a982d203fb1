// Event::from_json on arbitrary input: must throw EventError or return an event whose data is
// valid JSON and a substring of the input; never crash.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "eventdest/error.hpp"
#include "eventdest/event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  try {
    auto e = eventdest::Event::from_json(input);
    if (input.find(std::string(e.data())) == std::string::npos) std::abort();
    (void)e.data_document();
    (void)eventdest::merged_metadata(e);
    (void)eventdest::Event::from_json(e.to_json());
  } catch (const eventdest::EventError&) {
  }
  return 0;
}
