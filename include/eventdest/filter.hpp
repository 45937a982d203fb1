// Outpost's destination `filter` language (Hookdeck's simple-json-match): exact values, nesting,
// array containment, $eq $neq $gt $gte $lt $lte $in $nin $startsWith $endsWith $exist $or $and
// $not, and $ref. Compiled once; evaluated with the reference implementation's semantics
// (JavaScript loose equality and comparison, JSON.stringify for deep $eq).
//
// Thread-safety: a Filter is immutable after compile(); matches() may be called from many
// threads at once on the same Filter.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "eventdest/export.hpp"

namespace eventdest {

class Event;

namespace filter_detail {
struct Program;
}

class EVENTDEST_API Filter {
 public:
  /// Compiles `json` (any JSON value; destination specs require an object). Throws ConfigError
  /// listing every problem as `<field>.<path>: problem`, e.g. `filter.data.$gt: ...`:
  /// invalid JSON, an unknown `$` operator, `$or`/`$and` not an array, `$not` not an object or
  /// array, `$ref` not a supported path. `field` names the filter in those messages.
  static Filter compile(std::string_view json, std::string_view field = "filter");

  Filter(const Filter&) = default;
  Filter(Filter&&) noexcept = default;
  Filter& operator=(const Filter&) = default;
  Filter& operator=(Filter&&) noexcept = default;
  ~Filter();

  /// Whether the JSON document `json` matches. Throws std::invalid_argument if it is not JSON or
  /// is nested more than 512 levels deep.
  bool matches(std::string_view json) const;
  /// Whether the event matches: evaluated against `{id, topic, time (RFC 3339), metadata, data}`.
  bool matches(const Event& event) const;

  /// The filter as given (compact JSON).
  const std::string& text() const noexcept;

  /// For callers inside the library holding a parsed document (see src/filter/filter_eval.hpp).
  const filter_detail::Program& program() const noexcept { return *program_; }

 private:
  explicit Filter(std::shared_ptr<const filter_detail::Program> p);
  std::shared_ptr<const filter_detail::Program> program_;
};

}  // namespace eventdest
