// Tree-walking evaluation of a compiled AST over borrowed values.
#pragma once

#include "jmespath/ast.hpp"
#include "jmespath/value.hpp"

namespace eventdest::jmespath::detail {

/// Per-evaluation state. The arena is created on first use by `make_arena` (it lives in the
/// Result, so evaluations that only borrow allocate nothing).
struct EvalContext {
  Arena* (*make_arena)(void* state) = nullptr;
  void* state = nullptr;
  Arena* arena = nullptr;
  Budget budget;
};

class Interpreter {
 public:
  explicit Interpreter(EvalContext& ctx) noexcept : ctx_(ctx) {}

  /// Evaluates `node` against `current`. Throws RuntimeError.
  Val eval(const Node& node, const Val& current);

  Budget& budget() noexcept { return ctx_.budget; }

  Arena& arena() {
    if (!ctx_.arena) ctx_.arena = ctx_.make_arena(ctx_.state);
    return *ctx_.arena;
  }

 private:
  Val field_path(const Node& node, const Val& current);
  Val slice(const Node& node, const Val& current);
  Val projection(const Node& node, const Val& current);
  Val value_projection(const Node& node, const Val& current);
  Val filter_projection(const Node& node, const Val& current);
  Val flatten(const Node& node, const Val& current);
  Val multi_list(const Node& node, const Val& current);
  Val multi_hash(const Node& node, const Val& current);
  Val compare(const Node& node, const Val& current);
  Val function(const Node& node, const Val& current);

  EvalContext& ctx_;
};

}  // namespace eventdest::jmespath::detail
