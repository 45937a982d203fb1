// Pratt parser from tokens to the AST (binding powers as in jmespath.py, the reference of the
// compliance suite).
#pragma once

#include <string_view>

#include "jmespath/ast.hpp"

namespace eventdest::jmespath::detail {

/// Deepest nesting accepted (parser recursion and AST depth): deeper input is a SyntaxError,
/// never a stack overflow.
inline constexpr std::uint32_t kMaxDepth = 512;

/// Parses `expression` into `ast` (nodes, literal store, root). Throws SyntaxError, and
/// RuntimeError for unknown functions, wrong arity and a zero slice step.
void parse(std::string_view expression, Ast& ast);

}  // namespace eventdest::jmespath::detail
