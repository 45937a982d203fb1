// Reads the value at a plain field path (a.b.c) of a JSON document without building a DOM: a
// SAX pass that skips everything else and stops as soon as the answer is known. Partition keys
// such as `data.customer_id` take this path on every event; it must agree exactly with the
// JMESPath evaluator (first member of a name wins, a non-object on the way gives null).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eventdest::detail {

struct FieldPathValue {
  enum class Kind {
    null,        ///< absent, null, or a non-object on the way
    string,      ///< `text` holds the unescaped string
    boolean,     ///< `text` is "true" or "false"
    other,       ///< a number, array or object: the caller evaluates the full expression
    unreadable,  ///< the document did not parse: the caller evaluates the full expression
  };
  Kind kind = Kind::null;
  std::string text;
};

/// The value at `path[first..]` inside `json` (an empty rest means the document itself).
FieldPathValue scan_field_path(std::string_view json, const std::vector<std::string>& path,
                               std::size_t first = 0);
/// The same by the rapidjson SAX scan alone (scan_field_path uses it for every document its
/// hand-written reader hands over; tests and the fuzzer compare the two).
FieldPathValue scan_field_path_sax(std::string_view json, const std::vector<std::string>& path,
                                   std::size_t first = 0);

}  // namespace eventdest::detail
