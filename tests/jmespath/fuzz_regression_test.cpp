// Replays every input in fuzz_regressions/ through the fuzz target, so a fixed fuzzer finding
// stays fixed (run this test under ASan/UBSan to get the fuzzer's checks).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "support/catch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

TEST_CASE("fuzzer findings stay fixed", "[jmespath][fuzz]") {
  const auto dir =
      std::filesystem::path(EVENTDEST_SOURCE_DIR) / "tests" / "jmespath" / "fuzz_regressions";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path().filename().string());
    CHECK(LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                 bytes.size()) == 0);
    ++count;
  }
  CHECK(count > 0);
}
