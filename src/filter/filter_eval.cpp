// The evaluator: a transliteration of simple-json-match 1.3.0 (lib/index.js, lib/operators.js)
// over RapidJSON values. A missing field (JavaScript's `undefined`) is a null pointer. Where the
// reference throws out of an operator the operator fails; where it throws further out
// (an invalid `$ref`, a member of `undefined`) the enclosing match is false, as there.
#include <cstring>

#include "filter/filter_program.hpp"

namespace eventdest::filter_detail {

namespace {

using Value = rapidjson::Value;

struct Abort {};    // thrown where the reference's matchJsonToSchema would catch
struct OpError {};  // thrown where the reference's operator would throw

const Value& null_value() {
  static const Value v;
  return v;
}

bool is_primitive(const Value* v) {
  return v != nullptr && !v->IsObject() && !v->IsArray();
}

bool truthy(const Value* v) {
  if (v == nullptr) return false;
  switch (v->GetType()) {
    case rapidjson::kNullType:
    case rapidjson::kFalseType:
      return false;
    case rapidjson::kNumberType:
      return v->GetDouble() != 0;
    case rapidjson::kStringType:
      return v->GetStringLength() != 0;
    default:
      return true;
  }
}

Prim prim_of(const Value* v) {
  Prim p;
  if (v == nullptr) return p;
  switch (v->GetType()) {
    case rapidjson::kNullType:
      p.type = Prim::null;
      break;
    case rapidjson::kFalseType:
      p.type = Prim::boolean;
      break;
    case rapidjson::kTrueType:
      p.type = Prim::boolean;
      p.b = true;
      break;
    case rapidjson::kNumberType:
      p.type = Prim::number;
      p.n = v->GetDouble();
      break;
    case rapidjson::kStringType:
      p.type = Prim::string;
      p.s = std::string_view(v->GetString(), v->GetStringLength());
      break;
    default:
      break;
  }
  return p;
}

// input[key] for an object: own members only; the last of duplicate keys wins (JSON.parse),
// hence the search from the end.
const Value* member(const Value& object, std::string_view key) {
  const auto begin = object.MemberBegin();
  for (auto it = object.MemberEnd(); it != begin;) {
    --it;
    if (it->name.GetStringLength() == key.size() && same_bytes(it->name.GetString(), key))
      return &it->value;
  }
  return nullptr;
}

// The array indexes of the containment walk, for `[$index]` references: only tracked when the
// filter has a `$ref` (otherwise nothing reads them, and evaluation allocates nothing).
struct Indexes {
  bool track = false;
  std::vector<unsigned long> stack;
  void push(unsigned long i) {
    if (track) stack.push_back(i);
  }
  void pop() {
    if (track) stack.pop_back();
  }
  std::size_t size() const { return stack.size(); }
  unsigned long operator[](std::size_t k) const { return stack[k]; }
};

// getReferenceValueInInput: the first value the path selects, else null.
const Value& resolve(const Value* root, const Node& ref, const Indexes& indexes) {
  if (ref.type != rapidjson::kStringType) throw Abort{};                    // "Invalid Reference"
  if (!ref.ref_ok || ref.ref_placeholders > indexes.size()) throw Abort{};  // jsonpath parse error
  if (root == nullptr || !(root->IsObject() || root->IsArray())) throw Abort{};
  const Value* cur = root;
  std::size_t next_index = 0;
  for (const auto& step : ref.ref_steps) {
    if (cur == nullptr) break;
    std::string key;
    unsigned long number = 0;
    bool numeric = false;
    if (step.kind == RefStep::member) {
      key = step.name;
      numeric = js_is_index_key(key, number);
    } else {
      number = step.kind == RefStep::index ? step.number : indexes[next_index++];
      key = std::to_string(number);
      numeric = true;
    }
    if (cur->IsObject()) {
      cur = member(*cur, key);
    } else if (cur->IsArray()) {
      cur = numeric && number < cur->Size() ? &(*cur)[static_cast<rapidjson::SizeType>(number)]
                                            : nullptr;
    } else {
      cur = nullptr;
    }
  }
  return cur != nullptr ? *cur : null_value();
}

std::unique_ptr<Node> node_of(const Value& v) {
  auto n = std::make_unique<Node>();
  build_node(v, *n);
  return n;
}

bool apply_in(const Value* v, const Node& compare) {
  Prim pv = prim_of(v);
  bool compare_ok = compare.is_array() || compare.type == rapidjson::kStringType ||
                    compare.type == rapidjson::kNumberType;
  if (!compare_ok || pv.type == Prim::undefined || (v != nullptr && !is_primitive(v)))
    throw OpError{};
  if (compare.is_array()) {
    for (const auto& e : compare.entries)
      if (e.second.type != rapidjson::kStringType && e.second.type != rapidjson::kNumberType)
        throw OpError{};
    for (const auto& e : compare.entries) {
      const Node& c = e.second;
      if (c.type == rapidjson::kStringType && pv.type == Prim::string && c.string == pv.s)
        return true;
      if (c.type == rapidjson::kNumberType && pv.type == Prim::number && c.number == pv.n)
        return true;
    }
    return false;
  }
  if (pv.type != Prim::string) throw OpError{};  // (number|boolean|null).includes
  if (compare.type == rapidjson::kStringType) return pv.s.find(compare.string) != std::string::npos;
  return pv.s.find(js_number_to_string(compare.number)) != std::string::npos;
}

bool apply_affix(const Value* v, const Node& compare, bool starts) {
  if (v == nullptr || !v->IsString()) throw OpError{};
  std::string_view s(v->GetString(), v->GetStringLength());
  auto test = [&](const std::string& c) {
    if (c.size() > s.size()) return false;
    return starts ? s.compare(0, c.size(), c) == 0
                  : s.compare(s.size() - c.size(), c.size(), c) == 0;
  };
  if (compare.type == rapidjson::kStringType) return test(compare.string);
  if (!compare.is_array()) throw OpError{};
  for (const auto& e : compare.entries)
    if (e.second.type != rapidjson::kStringType) throw OpError{};
  for (const auto& e : compare.entries)
    if (test(e.second.string)) return true;
  return false;
}

bool apply_eq(const Value* v, const Node& compare) {
  std::string text;
  Prim a;
  if (v == nullptr || is_primitive(v)) {
    a = prim_of(v);
  } else {
    js_stringify(*v, text);
    a.type = Prim::string;
    a.s = text;
  }
  Prim b;
  if (compare.is_primitive()) {
    b = compare.prim();
  } else {
    b.type = Prim::string;
    b.s = compare.string;
  }
  return js_loose_equal(a, b);
}

bool apply(Op op, const Value* v, const Node& compare) {
  switch (op) {
    case Op::eq:
      return apply_eq(v, compare);
    case Op::neq:
      return !apply_eq(v, compare);
    case Op::in:
      return apply_in(v, compare);
    case Op::nin:
      return !apply_in(v, compare);
    case Op::starts_with:
      return apply_affix(v, compare, true);
    case Op::ends_with:
      return apply_affix(v, compare, false);
    case Op::exist:
      if (compare.type != rapidjson::kTrueType && compare.type != rapidjson::kFalseType)
        throw OpError{};
      return compare.boolean ? v != nullptr : v == nullptr;
    default:
      break;
  }
  // $gt $gte $lt $lte: strings and numbers only.
  auto numeric_or_string = [](rapidjson::Type t) {
    return t == rapidjson::kNumberType || t == rapidjson::kStringType;
  };
  if (v == nullptr || !numeric_or_string(v->GetType()) || !numeric_or_string(compare.type))
    throw OpError{};
  if (v->IsNumber() && compare.type == rapidjson::kNumberType) {
    const double a = v->GetDouble(), b = compare.number;
    switch (op) {
      case Op::gt:
        return a > b;
      case Op::lt:
        return a < b;
      case Op::gte:
        return a >= b;
      case Op::lte:
        return a <= b;
      default:
        return false;
    }
  }
  Prim a = prim_of(v), b = compare.prim();
  switch (op) {
    case Op::gt:
      return js_less(b, a);
    case Op::lt:
      return js_less(a, b);
    case Op::gte:
      return js_less_or_equal(b, a);
    case Op::lte:
      return js_less_or_equal(a, b);
    default:
      return false;
  }
}

bool match(const Value* input, const Node& schema, const Value* root, Indexes& indexes);
bool entries_match(const Value* input, const Node& schema, const Value* root, Indexes& indexes);

// recursivelyMatchValue: true when the value does NOT match.
// input == schema for a primitive input, with the common same-type cases first.
bool loose_equal(const Value& input, const Node& schema) {
  if (schema.type == rapidjson::kStringType && input.IsString())
    return input.GetStringLength() == schema.string.size() &&
           same_bytes(input.GetString(), schema.string);
  if (schema.type == rapidjson::kNumberType && input.IsNumber())
    return input.GetDouble() == schema.number;
  return js_loose_equal(prim_of(&input), schema.prim());
}

bool fails(const Value* input, const Node& schema, const Value* root, Indexes& indexes) {
  if (schema.is_primitive()) {
    if (is_primitive(input)) return !loose_equal(*input, schema);
    if (input != nullptr && input->IsArray()) {
      for (rapidjson::SizeType i = 0; i < input->Size(); ++i) {
        indexes.push(i);
        bool f = fails(&(*input)[i], schema, root, indexes);
        indexes.pop();
        if (!f) return false;
      }
      return true;
    }
    return true;
  }
  if (input != nullptr && input->IsArray()) {
    if (schema.is_array()) {
      for (const auto& sub : schema.entries) {
        bool any = false;
        for (rapidjson::SizeType i = 0; i < input->Size() && !any; ++i) {
          indexes.push(i);
          any = !fails(&(*input)[i], sub.second, root, indexes);
          indexes.pop();
        }
        if (!any) return true;
      }
      return false;
    }
    if (!schema.ops.empty()) {
      for (const auto& [op, entry] : schema.ops) {
        try {
          if (!apply(op, input, schema.entries[static_cast<std::size_t>(entry)].second))
            return true;
        } catch (const OpError&) {
          return true;
        }
      }
      return false;
    }
    for (rapidjson::SizeType i = 0; i < input->Size(); ++i) {
      indexes.push(i);
      bool f = fails(&(*input)[i], schema, root, indexes);
      indexes.pop();
      if (!f) return false;
    }
    return true;
  }
  // schema is an object or an array
  if (schema.or_entry >= 0) {
    for (const auto& cond :
         schema.entries[static_cast<std::size_t>(schema.or_entry)].second.entries)
      if (match(input, cond.second, root, indexes)) return false;
    return true;
  }
  if (schema.ref_entry >= 0) {
    const Value& target =
        resolve(root, schema.entries[static_cast<std::size_t>(schema.ref_entry)].second, indexes);
    auto resolved = node_of(target);
    return fails(input, *resolved, root, indexes);
  }
  if (!schema.ops.empty()) {
    for (const auto& [op, entry] : schema.ops) {
      const Node* value = &schema.entries[static_cast<std::size_t>(entry)].second;
      std::unique_ptr<Node> resolved;
      if (value->is_object() && value->ref_entry >= 0) {
        resolved = node_of(resolve(
            root, value->entries[static_cast<std::size_t>(value->ref_entry)].second, indexes));
        value = resolved.get();
      }
      try {
        if (!apply(op, input, *value)) return true;
      } catch (const OpError&) {
        return true;
      }
    }
    return false;
  }
  if (is_primitive(input)) return true;
  // matchJsonToSchema(input, schema) for the common case of nested field conditions: no $not,
  // an object input, nothing that could replace the root.
  if (schema.not_entry < 0 && schema.is_object() && input != nullptr && input->IsObject() &&
      (!indexes.track || truthy(root))) {
    try {
      return !entries_match(input, schema, root, indexes);
    } catch (const Abort&) {
      return true;
    }
  }
  return !match(input, schema, root, indexes);
}

// The entries loop of matchJsonToSchema (`schema` an object or an array; `input` not a primitive
// nor an array). Throws Abort where the reference throws.
bool entries_match(const Value* input, const Node& schema, const Value* root, Indexes& indexes) {
  for (std::size_t k = 0; k < schema.entries.size(); ++k) {
    const auto& [key, sub] = schema.entries[k];
    const Node::Role role = schema.roles[k];
    if (role != Node::Role::field) {
      if (role == Node::Role::skip_not) continue;
      if (role == Node::Role::or_list) {
        bool any = false;
        for (const auto& cond : sub.entries)
          if ((any = match(input, cond.second, root, indexes))) break;
        if (!any) return false;
        continue;
      }
      for (const auto& cond : sub.entries)  // and_list
        if (!match(input, cond.second, root, indexes)) return false;
      continue;
    }
    if (input == nullptr) throw Abort{};  // undefined[key]
    const Value* v = member(*input, key);
    if (v == nullptr) {
      if (sub.type == rapidjson::kNullType) throw Abort{};  // null['$exist']
      if (!(sub.is_object() && sub.exist_false)) return false;
    }
    if (fails(v, sub, root, indexes)) return false;
  }
  return true;
}

// matchJsonToSchema.
bool match_unguarded(const Value* input, const Node& schema, const Value* root, Indexes& indexes) {
  if (schema.type == rapidjson::kNullType) throw Abort{};  // null['$not']
  if (schema.not_entry >= 0) {
    bool r = match(input, schema.entries[static_cast<std::size_t>(schema.not_entry)].second, root,
                   indexes);
    if (schema.entries.size() == 1 || r) return !r;
  }
  if (indexes.track && !truthy(root)) root = input;  // the root only serves `$ref`
  if (is_primitive(input) || (input != nullptr && input->IsArray()))
    return !fails(input, schema, input, indexes);
  if (!schema.is_primitive()) return entries_match(input, schema, root, indexes);
  return !fails(input, schema, input, indexes);
}

bool match(const Value* input, const Node& schema, const Value* root, Indexes& indexes) {
  try {
    return match_unguarded(input, schema, root, indexes);
  } catch (const Abort&) {
    return false;
  }
}

}  // namespace

Prim Node::prim() const {
  Prim p;
  switch (type) {
    case rapidjson::kNullType:
      p.type = Prim::null;
      break;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      p.type = Prim::boolean;
      p.b = boolean;
      break;
    case rapidjson::kNumberType:
      p.type = Prim::number;
      p.n = number;
      break;
    case rapidjson::kStringType:
      p.type = Prim::string;
      p.s = string;
      break;
    default:
      break;
  }
  return p;
}

namespace {

bool op_of(std::string_view key, Op& op) {
  static const std::pair<const char*, Op> ops[] = {{"$eq", Op::eq},
                                                   {"$neq", Op::neq},
                                                   {"$in", Op::in},
                                                   {"$nin", Op::nin},
                                                   {"$startsWith", Op::starts_with},
                                                   {"$endsWith", Op::ends_with},
                                                   {"$gte", Op::gte},
                                                   {"$gt", Op::gt},
                                                   {"$lte", Op::lte},
                                                   {"$lt", Op::lt},
                                                   {"$exist", Op::exist}};
  for (const auto& [name, o] : ops)
    if (key == name) {
      op = o;
      return true;
    }
  return false;
}

}  // namespace

void build_node(const Value& v, Node& out) {
  out.type = v.GetType();
  out.truthy = truthy(&v);
  switch (v.GetType()) {
    case rapidjson::kTrueType:
      out.boolean = true;
      break;
    case rapidjson::kNumberType:
      out.number = v.GetDouble();
      break;
    case rapidjson::kStringType:
      out.string.assign(v.GetString(), v.GetStringLength());
      break;
    case rapidjson::kArrayType: {
      js_stringify(v, out.string);
      rapidjson::SizeType i = 0;
      for (const auto& e : v.GetArray()) {
        out.entries.emplace_back(std::to_string(i++), Node{});
        build_node(e, out.entries.back().second);
      }
      out.roles.assign(out.entries.size(), Node::Role::field);
      break;
    }
    case rapidjson::kObjectType: {
      js_stringify(v, out.string);
      for (const auto& m : v.GetObject()) {
        std::string key(m.name.GetString(), m.name.GetStringLength());
        Node* slot = nullptr;
        for (auto& e : out.entries)
          if (e.first == key) slot = &e.second;
        if (slot != nullptr) {
          *slot = Node{};
        } else {
          out.entries.emplace_back(key, Node{});
          slot = &out.entries.back().second;
        }
        build_node(m.value, *slot);
      }
      out.roles.assign(out.entries.size(), Node::Role::field);
      for (std::size_t k = 0; k < out.entries.size(); ++k) {
        const auto& [key, sub] = out.entries[k];
        const int idx = static_cast<int>(k);
        if (key == "$not") out.roles[k] = Node::Role::skip_not;
        if (key == "$or" && sub.is_array()) out.roles[k] = Node::Role::or_list;
        if (key == "$and" && sub.is_array()) out.roles[k] = Node::Role::and_list;
        Op op;
        if (key == "$not" && sub.truthy)
          out.not_entry = idx;
        else if (key == "$or" && sub.is_array())
          out.or_entry = idx;
        else if (key == "$ref" && sub.truthy)
          out.ref_entry = idx;
        else if (op_of(key, op)) {
          out.ops.emplace_back(op, idx);
          if (op == Op::exist && sub.type == rapidjson::kFalseType) out.exist_false = true;
        }
        if (key == "$ref" && sub.type == rapidjson::kStringType)
          parse_ref_path(sub.string, out.entries[k].second);
      }
      break;
    }
    default:
      break;
  }
}

namespace {
bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool ident_char(char c) {
  return ident_start(c) || (c >= '0' && c <= '9');
}
}  // namespace

void parse_ref_path(const std::string& path, Node& node) {
  node.ref_ok = false;
  node.ref_steps.clear();
  node.ref_placeholders = 0;
  std::size_t i = 0;
  const std::size_t n = path.size();
  auto read_member = [&]() -> bool {
    std::size_t start = i;
    if (i < n && ident_start(path[i])) {
      while (i < n && ident_char(path[i]))
        ++i;
    } else {
      while (i < n && path[i] >= '0' && path[i] <= '9')
        ++i;
    }
    if (i == start) return false;
    node.ref_steps.push_back({RefStep::member, path.substr(start, i - start), 0});
    return true;
  };
  if (i < n && path[i] == '$' && path.compare(0, 6, "$index") != 0) {
    ++i;  // "$" root
  } else if (i < n && path[i] != '[') {
    if (!read_member()) return;
  }
  while (i < n) {
    if (path[i] == '.') {
      ++i;
      if (!read_member()) return;
    } else if (path[i] == '[') {
      ++i;
      if (path.compare(i, 7, "$index]") == 0) {
        node.ref_steps.push_back({RefStep::placeholder, {}, 0});
        ++node.ref_placeholders;
        i += 7;
      } else if (i < n && (path[i] == '\'' || path[i] == '"')) {
        char q = path[i++];
        std::size_t start = i;
        while (i < n && path[i] != q && path[i] != '\\')
          ++i;
        if (i >= n || path[i] != q || i + 1 >= n || path[i + 1] != ']') return;
        node.ref_steps.push_back({RefStep::member, path.substr(start, i - start), 0});
        i += 2;
      } else {
        std::size_t start = i;
        unsigned long v = 0;
        while (i < n && path[i] >= '0' && path[i] <= '9' && i - start < 9)
          v = v * 10 + static_cast<unsigned long>(path[i++] - '0');
        if (i == start || i >= n || path[i] != ']') return;
        node.ref_steps.push_back({RefStep::index, {}, v});
        ++i;
      }
    } else {
      return;
    }
  }
  node.ref_ok = true;
}

namespace {

bool has_ref(const Node& node) {
  if (node.is_object())
    for (const auto& e : node.entries)
      if (e.first == "$ref") return true;
  for (const auto& e : node.entries)
    if (has_ref(e.second)) return true;
  return false;
}

// The root members a match of `node` against the root object may read: the keys of its field
// entries, and those of the conditions of $not, $or and $and (matched against the root too).
unsigned root_reads(const Node& node) {
  if (!node.is_object() && !node.is_array()) return 0;  // compared with the root as a whole
  unsigned bits = 0;
  for (std::size_t k = 0; k < node.entries.size(); ++k) {
    const auto& [key, sub] = node.entries[k];
    const Node::Role role = node.roles[k];
    if (role == Node::Role::field) {
      bits |= key == "id"         ? root_id
              : key == "topic"    ? root_topic
              : key == "time"     ? root_time
              : key == "metadata" ? root_metadata
              : key == "data"     ? root_data
                                  : 0u;
    } else if (role == Node::Role::skip_not) {
      if (sub.truthy) bits |= root_reads(sub);
    } else {
      for (const auto& cond : sub.entries)
        bits |= root_reads(cond.second);
    }
  }
  return bits;
}

}  // namespace

void analyse(Program& program) {
  program.uses_refs = has_ref(program.root);
  program.root_fields = program.uses_refs ? root_all : root_reads(program.root);
}

bool evaluate(const Program& program, const rapidjson::Value& doc) {
  Indexes indexes;
  indexes.track = program.uses_refs;
  return match(&doc, program.root, nullptr, indexes);
}

}  // namespace eventdest::filter_detail
