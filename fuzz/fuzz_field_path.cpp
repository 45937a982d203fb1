// The field-path scan behind `data.a.b` partition keys on arbitrary documents: never a crash,
// and its hand-written reader agrees with the rapidjson SAX scan (which decides whatever the
// reader hands over). The first byte picks the path, the rest is the document.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "util/field_path_scan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::vector<std::vector<std::string>> paths = {
      {}, {"a"}, {"customer_id"}, {"a", "b"}, {"a", "b", "c"}, {"\xC3\xA9"}, {"a\"b"}, {""}};
  const auto& path = paths[data[0] % paths.size()];
  const std::string_view doc(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto fast = eventdest::detail::scan_field_path(doc, path);
  const auto sax = eventdest::detail::scan_field_path_sax(doc, path);
  if (fast.kind != sax.kind || fast.text != sax.text) std::abort();
  return 0;
}
