// The built-in functions: the registry used at compile time (name, arity) and their evaluation.
#pragma once

#include <cstddef>
#include <string_view>

#include "jmespath/ast.hpp"
#include "jmespath/value.hpp"

namespace eventdest::jmespath::detail {

class Interpreter;

struct FunctionInfo {
  std::string_view name;
  Function id;
  std::size_t min_args;
  std::size_t max_args;  // kVariadic: no upper bound
};

inline constexpr std::size_t kVariadic = static_cast<std::size_t>(-1);

/// The function called `name`, or nullptr.
const FunctionInfo* find_function(std::string_view name) noexcept;
const FunctionInfo& function_info(Function id) noexcept;

/// Calls `id` with evaluated arguments (expression references are Kind::expref). The arity was
/// checked at compile time. Throws RuntimeError (invalid-type, invalid-value).
Val call_function(Function id, const Val* args, std::size_t count, Interpreter& interp);

}  // namespace eventdest::jmespath::detail
