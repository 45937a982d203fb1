// The compiled form of an expression: an immutable tree of nodes owned by the Expression.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "jmespath/value.hpp"

namespace eventdest::jmespath::detail {

enum class NodeKind : std::uint8_t {
  current,            // @
  field_path,         // a or a.b.c: consecutive field lookups, the hot path
  subexpr,            // lhs . rhs (null stops the chain)
  index,              // [n]
  slice,              // [start:stop:step], yields an array (the parser wraps it in a projection)
  projection,         // lhs must be an array; rhs per element, nulls dropped
  value_projection,   // lhs must be an object; rhs per member value
  filter_projection,  // lhs[?cond] rhs
  flatten,            // lhs[] without the projection
  multi_list,         // [a, b]
  multi_hash,         // {k: a, ...}
  literal,            // `json`, 'raw'
  pipe,
  or_,
  and_,
  not_,
  compare,
  function,
  expref  // &expression
};

/// The most paths a join_fields node joins (its strings are collected on the stack).
inline constexpr std::size_t kJoinFieldsMax = 8;

enum class Comparator : std::uint8_t { eq, ne, lt, lte, gt, gte };

enum class Function : std::uint8_t {
  abs,
  avg,
  ceil,
  contains,
  ends_with,
  floor,
  join,
  keys,
  length,
  map,
  max,
  max_by,
  merge,
  min,
  min_by,
  not_null,
  reverse,
  sort,
  sort_by,
  starts_with,
  sum,
  to_array,
  to_number,
  to_string,
  type,
  values
};

struct Node {
  NodeKind kind;
  std::uint8_t op = 0;           // Comparator or Function
  bool bare_identifier = false;  // a field_path from one unquoted identifier (a function name)
  bool join_fields = false;      // join('glue', [path, ...]) over plain field paths
  std::uint32_t depth = 1;
  std::size_t pos = 0;  // byte offset of the node's first token, for messages
  const Node* lhs = nullptr;
  const Node* rhs = nullptr;           // nullptr in projections means identity
  const Node* cond = nullptr;          // filter condition
  std::vector<const Node*> children;   // multi-select items, function arguments
  std::vector<std::string> names;      // field_path segments
  std::vector<std::string_view> keys;  // multi_hash keys (in the LiteralStore)
  std::int64_t index = 0;
  bool has_start = false, has_stop = false;
  std::int64_t start = 0, stop = 0, step = 1;
  std::string literal_text;  // literal: JSON text, or the raw string when literal_raw
  bool literal_raw = false;
  Val literal;  // resolved into the LiteralStore after parsing; a join_fields node's glue

  Node(NodeKind k, std::size_t p) : kind(k), pos(p) {}
};

/// Node storage for one compiled expression.
struct Ast {
  std::vector<std::unique_ptr<Node>> nodes;
  std::unique_ptr<LiteralStore> literals;
  const Node* root = nullptr;
  // Root members the expression can read (see Expression::may_read_root_field).
  bool reads_whole_root = false;
  std::vector<std::string> root_fields;
};

}  // namespace eventdest::jmespath::detail
