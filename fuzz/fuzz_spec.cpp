// parse_spec on arbitrary input: ConfigError or a spec; never a crash, never a secret echoed.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "eventdest/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  try {
    auto spec = eventdest::parse_spec(input);
    (void)spec.to_string();
    (void)eventdest::validate_spec(spec);
  } catch (const eventdest::ConfigError& e) {
    (void)e.problems();
  }
  return 0;
}
