#include "jmespath/interpreter.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

#include "jmespath/functions.hpp"
#include "jmespath/join.hpp"

namespace eventdest::jmespath::detail {

Val Interpreter::eval(const Node& node, const Val& current) {
  ctx_.budget.spend();
  switch (node.kind) {
    case NodeKind::current:
      return current;
    case NodeKind::field_path:
      return field_path(node, current);
    case NodeKind::subexpr: {
      const Val left = eval(*node.lhs, current);
      if (left.is_null()) return Val::null();
      return eval(*node.rhs, left);
    }
    case NodeKind::index: {
      if (type_of(current) != Type::array) return Val::null();
      const auto size = static_cast<std::int64_t>(array_size(current));
      const std::int64_t i = node.index < 0 ? node.index + size : node.index;
      if (i < 0 || i >= size) return Val::null();
      return array_at(current, static_cast<std::size_t>(i));
    }
    case NodeKind::slice:
      return slice(node, current);
    case NodeKind::projection:
      return projection(node, current);
    case NodeKind::value_projection:
      return value_projection(node, current);
    case NodeKind::filter_projection:
      return filter_projection(node, current);
    case NodeKind::flatten:
      return flatten(node, current);
    case NodeKind::multi_list:
      return multi_list(node, current);
    case NodeKind::multi_hash:
      return multi_hash(node, current);
    case NodeKind::literal:
      return node.literal;
    case NodeKind::pipe:
      return eval(*node.rhs, eval(*node.lhs, current));
    case NodeKind::or_: {
      const Val left = eval(*node.lhs, current);
      return truthy(left) ? left : eval(*node.rhs, current);
    }
    case NodeKind::and_: {
      const Val left = eval(*node.lhs, current);
      return truthy(left) ? eval(*node.rhs, current) : left;
    }
    case NodeKind::not_:
      return Val::boolean(!truthy(eval(*node.lhs, current)));
    case NodeKind::compare:
      return compare(node, current);
    case NodeKind::function:
      return function(node, current);
    case NodeKind::expref:
      return Val::expref(node.lhs);
  }
  return Val::null();
}

Val Interpreter::field_path(const Node& node, const Val& current) {
  return follow_path(node, current);
}

Val Interpreter::slice(const Node& node, const Val& current) {
  if (type_of(current) != Type::array) return Val::null();
  // Python's slice semantics; the lexer saturates numbers at 2^62, so nothing overflows.
  const auto len = static_cast<std::int64_t>(array_size(current));
  const std::int64_t step = node.step;
  auto clamp = [&](std::int64_t v) {
    if (v < 0) {
      v += len;
      if (v < 0) v = step < 0 ? -1 : 0;
    } else if (v >= len) {
      v = step < 0 ? len - 1 : len;
    }
    return v;
  };
  const std::int64_t start = node.has_start ? clamp(node.start) : (step < 0 ? len - 1 : 0);
  const std::int64_t stop = node.has_stop ? clamp(node.stop) : (step < 0 ? -1 : len);
  std::int64_t count = 0;
  if (step > 0 && start < stop) count = (stop - start + step - 1) / step;
  if (step < 0 && start > stop) count = (start - stop + (-step) - 1) / (-step);
  Val* out = arena().make<Val>(static_cast<std::size_t>(count));
  std::int64_t i = start;
  for (std::int64_t k = 0; k < count; ++k, i += step) {
    out[k] = array_at(current, static_cast<std::size_t>(i));
  }
  return Val::array(out, static_cast<std::size_t>(count));
}

Val Interpreter::projection(const Node& node, const Val& current) {
  const Val base = node.lhs ? eval(*node.lhs, current) : current;
  if (type_of(base) != Type::array) return Val::null();
  const std::size_t size = array_size(base);
  Val* out = arena().make<Val>(size);
  std::size_t n = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const Val element = array_at(base, i);
    const Val r = node.rhs ? eval(*node.rhs, element) : element;
    if (!r.is_null()) out[n++] = r;
  }
  return Val::array(out, n);
}

Val Interpreter::value_projection(const Node& node, const Val& current) {
  const Val base = node.lhs ? eval(*node.lhs, current) : current;
  if (type_of(base) != Type::object) return Val::null();
  const std::size_t size = object_size(base);
  Val* out = arena().make<Val>(size);
  std::size_t n = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const Val element = object_value(base, i);
    const Val r = node.rhs ? eval(*node.rhs, element) : element;
    if (!r.is_null()) out[n++] = r;
  }
  return Val::array(out, n);
}

Val Interpreter::filter_projection(const Node& node, const Val& current) {
  const Val base = node.lhs ? eval(*node.lhs, current) : current;
  if (type_of(base) != Type::array) return Val::null();
  const std::size_t size = array_size(base);
  Val* out = arena().make<Val>(size);
  std::size_t n = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const Val element = array_at(base, i);
    if (!truthy(eval(*node.cond, element))) continue;
    const Val r = node.rhs ? eval(*node.rhs, element) : element;
    if (!r.is_null()) out[n++] = r;
  }
  return Val::array(out, n);
}

Val Interpreter::flatten(const Node& node, const Val& current) {
  const Val base = node.lhs ? eval(*node.lhs, current) : current;
  if (type_of(base) != Type::array) return Val::null();
  const std::size_t size = array_size(base);
  std::size_t total = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const Val e = array_at(base, i);
    total += type_of(e) == Type::array ? array_size(e) : 1;
  }
  Val* out = arena().make<Val>(total);
  std::size_t n = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const Val e = array_at(base, i);
    if (type_of(e) == Type::array) {
      const std::size_t inner = array_size(e);
      for (std::size_t k = 0; k < inner; ++k)
        out[n++] = array_at(e, k);
    } else {
      out[n++] = e;
    }
  }
  return Val::array(out, n);
}

Val Interpreter::multi_list(const Node& node, const Val& current) {
  if (current.is_null()) return Val::null();
  const std::size_t size = node.children.size();
  Val* out = arena().make<Val>(size);
  for (std::size_t i = 0; i < size; ++i)
    out[i] = eval(*node.children[i], current);
  return Val::array(out, size);
}

Val Interpreter::multi_hash(const Node& node, const Val& current) {
  if (current.is_null()) return Val::null();
  const std::size_t size = node.children.size();
  auto* out = arena().make<Member>(size);
  for (std::size_t i = 0; i < size; ++i) {
    new (&out[i]) Member{node.keys[i], eval(*node.children[i], current)};
  }
  return Val::object(out, size);
}

Val Interpreter::compare(const Node& node, const Val& current) {
  const Val left = eval(*node.lhs, current);
  const Val right = eval(*node.rhs, current);
  const auto op = static_cast<Comparator>(node.op);
  if (op == Comparator::eq) return Val::boolean(equals(left, right, ctx_.budget));
  if (op == Comparator::ne) return Val::boolean(!equals(left, right, ctx_.budget));
  // Ordering is defined on numbers only; anything else compares to null.
  if (type_of(left) != Type::number || type_of(right) != Type::number) return Val::null();
  const int c = compare_numbers(left, right);
  switch (op) {
    case Comparator::lt:
      return Val::boolean(c < 0);
    case Comparator::lte:
      return Val::boolean(c <= 0);
    case Comparator::gt:
      return Val::boolean(c > 0);
    case Comparator::gte:
      return Val::boolean(c >= 0);
    default:
      return Val::null();
  }
}

Val Interpreter::function(const Node& node, const Val& current) {
  if (node.join_fields) return join_fields(node, current);
  const std::size_t count = node.children.size();
  const auto id = static_cast<Function>(node.op);
  // Fixed-arity functions take at most 2 arguments; only merge/not_null can take more.
  // Uninitialised, like join_list's buffer: every used slot is assigned below.
  union Local {
    Local() noexcept {}
    Val at[4];
  } local;
  Val* args = count <= 4 ? local.at : arena().make<Val>(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Node& arg = *node.children[i];
    if (arg.kind == NodeKind::expref) {
      args[i] = Val::expref(arg.lhs);
    } else if (arg.kind == NodeKind::literal) {  // join's glue, without the eval() dispatch
      ctx_.budget.spend();
      args[i] = arg.literal;
    } else if (id == Function::join && i == 1 && arg.kind == NodeKind::multi_list &&
               type_of(args[0]) == Type::string) {
      return join_list(args[0], arg, current);
    } else {
      args[i] = eval(arg, current);
    }
  }
  return call_function(id, args, count, *this);
}

// join('glue', [a.b, c, ...]) over plain field paths (marked at compile time): each path is
// walked straight to its string. Walking is free of side effects, so when some item is not an
// input string (missing, a number, a computed value) the general join_list below redoes the
// work with its own checks, and errors stay identical. Otherwise the budget and arena are
// charged exactly as the general path would.
Val Interpreter::join_fields(const Node& node, const Val& current) {
  const Val glue = node.literal;  // children[0]'s, copied at compile time
  const Node& list = *node.children[1];
  const std::size_t n = list.children.size();  // 1 to kJoinFieldsMax, checked at compile time
  union Parts {
    Parts() noexcept {}
    std::string_view at[kJoinFieldsMax];
  } parts;
  const auto sep = as_string(glue);
  std::size_t total = sep.size() * (n - 1);
  bool strings = current.kind != Kind::null;
  for (std::size_t i = 0; i < n && strings; ++i) {
    const Val v = follow_path(*list.children[i], current);
    if (v.kind == Kind::json && v.u.json->IsString()) {
      parts.at[i] = {v.u.json->GetString(), v.u.json->GetStringLength()};
      total += parts.at[i].size();
    } else {
      strings = false;
    }
  }
  if (!strings) {
    ctx_.budget.spend();  // the glue literal, as eval() would
    return join_list(glue, list, current);
  }
  ctx_.budget.spend(2 + n);         // the glue, the list and each path, as eval() would
  arena().charge(n * sizeof(Val));  // the list the general path would allocate
  return join_strings(arena(), sep, n, total, [&parts](std::size_t i) { return parts.at[i]; });
}

// join(glue, [a, b, ...]), the usual way to build a key from several fields: the items are
// joined straight from a stack buffer instead of becoming an arena array first. Budget and
// arena charges match the general path, and anything but an all-string list is handed to it,
// so results, limits and errors are unchanged.
Val Interpreter::join_list(Val glue, const Node& list, const Val& current) {
  constexpr std::size_t kInlineItems = 8;
  ctx_.budget.spend();  // what eval() would charge for the list node
  const std::size_t n = list.children.size();
  if (current.is_null() || n > kInlineItems) {
    const Val args[2] = {glue, multi_list(list, current)};
    return call_function(Function::join, args, 2, *this);
  }
  if (n > 0) arena().charge(n * sizeof(Val));  // the list the general path would allocate
  // Left uninitialised: zeroing the whole buffer costs more than joining two short strings.
  union Items {
    Items() noexcept {}
    Val at[kInlineItems];
  } items;
  const auto sep = as_string(glue);
  std::size_t total = n > 1 ? sep.size() * (n - 1) : 0;
  bool strings = true;
  for (std::size_t i = 0; i < n; ++i) {
    const Node& child = *list.children[i];
    if (child.kind == NodeKind::field_path) {  // the usual item, without the eval() dispatch
      ctx_.budget.spend();
      items.at[i] = follow_path(child, current);
    } else {
      items.at[i] = eval(child, current);
    }
    if (type_of(items.at[i]) == Type::string) {
      total += as_string(items.at[i]).size();
    } else {
      strings = false;
    }
  }
  if (!strings) {
    // Already charged above: allocate without charging twice.
    auto* copy = static_cast<Val*>(arena().allocator().Malloc(n * sizeof(Val)));
    if (!copy) throw std::bad_alloc();
    std::copy(items.at, items.at + n, copy);
    const Val args[2] = {glue, Val::array(copy, n)};
    return call_function(Function::join, args, 2, *this);
  }
  return join_strings(arena(), sep, n, total,
                      [&items](std::size_t i) { return as_string(items.at[i]); });
}

}  // namespace eventdest::jmespath::detail
