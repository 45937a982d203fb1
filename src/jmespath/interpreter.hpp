// Tree-walking evaluation of a compiled AST over borrowed values.
#pragma once

#include "jmespath/ast.hpp"
#include "jmespath/value.hpp"

namespace eventdest::jmespath::detail {

/// Evaluates a field_path node: borrows the member it names, or null. Needs no interpreter
/// state, so evaluations that are a plain path call it directly.
inline Val follow_path(const Node& node, Val v) noexcept {
  const std::string* name = node.names.data();
  const std::string* const end = name + node.names.size();
  // Owned objects and the virtual root take the general path until a borrowed node is reached.
  while (v.kind != Kind::json) {
    if (name == end) return v;
    v = object_find(v, *name++);
    if (v.kind == Kind::null) return v;
  }
  const rapidjson::Value* p = v.u.json;
  for (; name != end; ++name) {
    if (!p->IsObject()) return Val::null();
    p = find_member(*p, name->data(), name->size());
    if (!p) return Val::null();
  }
  return Val::borrow(p);
}

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
  /// eval() for the root node: a key template (join_fields) goes straight to its evaluation.
  Val eval_root(const Node& node, const Val& root) {
    if (!node.join_fields) return eval(node, root);
    ctx_.budget.spend();  // the function node, as eval() would
    return join_fields(node, root);
  }

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
  // Val by value where it was just computed: a 16-byte reload of two 8-byte stores stalls.
  Val join_list(Val glue, const Node& list, const Val& current);
  Val join_fields(const Node& node, const Val& current);

  EvalContext& ctx_;
};

}  // namespace eventdest::jmespath::detail
