// A complete JMESPath implementation: compile once, evaluate many times. Evaluating against a
// RapidJSON DOM (without copying it) is in the opt-in header eventdest/json_dom.hpp, so that this
// header does not bring RapidJSON into every program.
//
// Thread-safety: an Expression is immutable after compile(); evaluate() may be called from many
// threads at once on the same Expression.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventdest/export.hpp"

namespace eventdest::jmespath {

namespace detail {
struct Val;
struct DomAccess;  // eventdest/json_dom.hpp's entry points
}  // namespace detail

/// A syntax error at `position()` (0-based byte offset into the expression).
class EVENTDEST_API SyntaxError : public std::invalid_argument {
 public:
  SyntaxError(const std::string& message, std::string expression, std::size_t position);
  std::size_t position() const noexcept { return position_; }
  const std::string& expression() const noexcept { return expression_; }
  /// The expression and a caret line under the failing position.
  std::string caret_lines() const;

 private:
  std::string expression_;
  std::size_t position_;
};

/// A runtime (evaluation) error, named as the JMESPath specification does.
class EVENTDEST_API RuntimeError : public std::runtime_error {
 public:
  enum class Kind { invalid_type, invalid_arity, unknown_function, invalid_value };
  RuntimeError(Kind kind, const std::string& message);
  Kind kind() const noexcept { return kind_; }
  /// "invalid-type", "invalid-arity", "unknown-function" or "invalid-value".
  const char* kind_name() const noexcept;

 private:
  Kind kind_;
};

/// The result of an evaluation: either a borrowed reference into the input (no copy) or a value
/// owned by the result. Valid while the input is alive. Its DOM: jmespath::value() in
/// eventdest/json_dom.hpp.
class EVENTDEST_API Result {
 public:
  Result();
  Result(Result&&) noexcept;
  Result& operator=(Result&&) noexcept;
  ~Result();
  /// Compact JSON text of the value.
  std::string to_json() const;
  /// True when the value is JSON null (nothing found, or a literal null).
  bool is_null() const noexcept;

 private:
  friend class Expression;
  friend struct detail::DomAccess;
  struct Impl;
  // A result borrowing `value` (a const rapidjson::Value*).
  explicit Result(const void* value) noexcept;
  std::unique_ptr<Impl> impl_;
  // Always points at the value, a const rapidjson::Value (opaque here so that this header does not
  // need RapidJSON): into the input when the result is borrowed (then impl_ stays null and the
  // evaluation allocated nothing), into impl_ when it was built, or at a static null/true/false.
  const void* value_;
};

class EVENTDEST_API Expression {
 public:
  /// Compiles `text`. Throws SyntaxError (and RuntimeError for unknown functions or a wrong
  /// number of arguments, which are detectable before evaluation).
  static Expression compile(std::string_view text);

  Expression(const Expression&);
  Expression(Expression&&) noexcept;
  Expression& operator=(const Expression&);
  Expression& operator=(Expression&&) noexcept;
  ~Expression();

  /// Evaluates against the JSON text `json`; returns the result's compact JSON. Throws
  /// std::invalid_argument if `json` is not valid JSON, RuntimeError on evaluation errors.
  std::string search(std::string_view json) const;

  const std::string& text() const noexcept;

  /// False only if evaluation can never read the root member `name` (decided conservatively at
  /// compile time: `@`, `*` or a function over the whole root count as reading every member).
  /// Lets partition keys skip parsing an event's data for templates that only use metadata.
  bool may_read_root_field(std::string_view name) const noexcept;

  /// The names of a plain field path (`a`, `a.b.c`, quoted names included); empty for any other
  /// expression. Lets hot callers (partition keys) read one value without building a DOM.
  const std::vector<std::string>& field_path() const noexcept;

 private:
  friend struct detail::DomAccess;
  struct Impl;
  explicit Expression(std::shared_ptr<const Impl> impl);
  // The evaluation shared by both evaluate() forms (the root is the internal value handle).
  Result run(detail::Val root) const;
  // The part of run() beyond plain field paths (kept out of line so that they stay short).
  Result interpret(const detail::Val& root) const;
  std::shared_ptr<const Impl> impl_;
};

/// Convenience: evaluates `expression` against `json` and returns the compact JSON result.
/// Throws SyntaxError, RuntimeError, or std::invalid_argument if `json` is not valid JSON.
EVENTDEST_API std::string search(std::string_view expression, std::string_view json);

}  // namespace eventdest::jmespath
