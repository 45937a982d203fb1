// Outpost filters on arbitrary input: the bytes up to the first newline are a filter, the rest an
// event line. Compiling gives a Filter or a ConfigError; evaluating it, on the event and on the
// raw document, gives true or false: never a crash.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "eventdest/filter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string filter_text = input.substr(0, newline);
  const std::string event_text = newline == std::string::npos ? "" : input.substr(newline + 1);
  try {
    const auto filter = eventdest::Filter::compile(filter_text);
    try {
      (void)filter.matches(event_text);
    } catch (const std::invalid_argument&) {  // not JSON, or too deep: documented
    }
    try {
      (void)filter.matches(eventdest::Event::from_json(event_text));
    } catch (const eventdest::EventError&) {
    }
  } catch (const eventdest::ConfigError& e) {
    (void)e.problems();
  }
  return 0;
}
