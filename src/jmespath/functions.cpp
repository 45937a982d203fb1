#include "jmespath/functions.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

#include "jmespath/interpreter.hpp"
#include "jmespath/join.hpp"
#include "jmespath/utf8.hpp"

namespace eventdest::jmespath::detail {
namespace {

// Sorted by name for the binary search in find_function().
constexpr FunctionInfo kFunctions[] = {
    {"abs", Function::abs, 1, 1},
    {"avg", Function::avg, 1, 1},
    {"ceil", Function::ceil, 1, 1},
    {"contains", Function::contains, 2, 2},
    {"ends_with", Function::ends_with, 2, 2},
    {"floor", Function::floor, 1, 1},
    {"join", Function::join, 2, 2},
    {"keys", Function::keys, 1, 1},
    {"length", Function::length, 1, 1},
    {"map", Function::map, 2, 2},
    {"max", Function::max, 1, 1},
    {"max_by", Function::max_by, 2, 2},
    {"merge", Function::merge, 1, kVariadic},
    {"min", Function::min, 1, 1},
    {"min_by", Function::min_by, 2, 2},
    {"not_null", Function::not_null, 1, kVariadic},
    {"reverse", Function::reverse, 1, 1},
    {"sort", Function::sort, 1, 1},
    {"sort_by", Function::sort_by, 2, 2},
    {"starts_with", Function::starts_with, 2, 2},
    {"sum", Function::sum, 1, 1},
    {"to_array", Function::to_array, 1, 1},
    {"to_number", Function::to_number, 1, 1},
    {"to_string", Function::to_string, 1, 1},
    {"type", Function::type, 1, 1},
    {"values", Function::values, 1, 1},
};

// The state of one call: its name and arguments, for type checks and messages.
class Call {
 public:
  Call(Function id, const Val* args, std::size_t count, Interpreter& interp)
      : info_(function_info(id)), args_(args), count_(count), interp_(interp) {}

  const Val& arg(std::size_t i) const noexcept { return args_[i]; }
  std::size_t count() const noexcept { return count_; }
  Interpreter& interp() noexcept { return interp_; }
  Arena& arena() { return interp_.arena(); }

  [[noreturn]] void type_error(std::size_t i, const char* expected, Type got) const {
    throw RuntimeError(RuntimeError::Kind::invalid_type, std::string(info_.name) + "(): argument " +
                                                             std::to_string(i + 1) + " must be " +
                                                             expected + ", got " + type_name(got));
  }

  Type require(std::size_t i, Type t, const char* expected) const {
    const Type got = type_of(args_[i]);
    if (got != t) type_error(i, expected, got);
    return got;
  }
  Type require_any(std::size_t i) const {
    const Type got = type_of(args_[i]);
    if (got == Type::expref) type_error(i, "a value", got);
    return got;
  }

  // An array whose elements all have the type of the first, which must be one of `allowed`
  // (number and/or string). Returns that type (Type::null for an empty array).
  Type require_homogeneous(std::size_t i, bool numbers, bool strings, const char* expected) const {
    require(i, Type::array, expected);
    const Val& a = args_[i];
    const std::size_t n = array_size(a);
    if (n == 0) return Type::null;
    const Type first = type_of(array_at(a, 0));
    if (!((numbers && first == Type::number) || (strings && first == Type::string))) {
      type_error(i, expected, Type::array);
    }
    for (std::size_t k = 1; k < n; ++k) {
      if (type_of(array_at(a, k)) != first) type_error(i, expected, Type::array);
    }
    return first;
  }

  const Node& expression(std::size_t i) const {
    if (args_[i].kind != Kind::expref) type_error(i, "an expression (&...)", type_of(args_[i]));
    return *args_[i].u.expr;
  }

  std::string_view name() const noexcept { return info_.name; }

 private:
  const FunctionInfo& info_;
  const Val* args_;
  std::size_t count_;
  Interpreter& interp_;
};

Val number(double d) {
  if (!std::isfinite(d)) {
    throw RuntimeError(RuntimeError::Kind::invalid_value, "number out of range");
  }
  return Val::real(d);
}

// ceil/floor results are integral: keep them as integers when they fit, like jmespath.py.
Val integral(double d) {
  if (d >= -9.2e18 && d <= 9.2e18) return Val::integer(static_cast<std::int64_t>(d));
  return number(d);
}

Val arena_string(Arena& arena, std::string_view s) {
  if (s.empty()) return Val::string("", 0);
  char* p = arena.make<char>(s.size());
  std::memcpy(p, s.data(), s.size());
  return Val::string(p, s.size());
}

int compare_sortable(const Val& a, const Val& b, Type t) noexcept {
  if (t == Type::number) return compare_numbers(a, b);
  const auto x = as_string(a), y = as_string(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

// JSON number grammar; integers that fit stay integers.
Val parse_number(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto digits = [&] {
    const std::size_t from = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
      ++i;
    return i - from;
  };
  if (i < n && s[i] == '-') ++i;
  const std::size_t int_start = i;
  const std::size_t int_digits = digits();
  if (int_digits == 0 || (int_digits > 1 && s[int_start] == '0')) return Val::null();
  bool integral_text = true;
  if (i < n && s[i] == '.') {
    ++i;
    if (digits() == 0) return Val::null();
    integral_text = false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return Val::null();
    integral_text = false;
  }
  if (i != n) return Val::null();
  if (integral_text) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + n, v);
    if (ec == std::errc() && end == s.data() + n) return Val::integer(v);
  }
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + n, d);
  if (ec != std::errc() || end != s.data() + n || !std::isfinite(d)) return Val::null();
  return Val::real(d);
}

Val fn_abs(Call& c) {
  c.require(0, Type::number, "a number");
  std::int64_t i = 0;
  if (as_int64(c.arg(0), i) && i != std::numeric_limits<std::int64_t>::min()) {
    return Val::integer(i < 0 ? -i : i);
  }
  return number(std::fabs(as_double(c.arg(0))));
}

Val sum_of(const Val& a) {
  const std::size_t n = array_size(a);
  std::int64_t acc = 0;
  double real = 0;
  bool exact = true;
  for (std::size_t i = 0; i < n; ++i) {
    const Val e = array_at(a, i);
    std::int64_t x = 0, next = 0;
    if (exact && as_int64(e, x) && !__builtin_add_overflow(acc, x, &next)) {
      acc = next;
      continue;
    }
    if (exact) {
      exact = false;
      real = static_cast<double>(acc);
    }
    real += as_double(e);
  }
  return exact ? Val::integer(acc) : number(real);
}

Val fn_avg(Call& c) {
  c.require_homogeneous(0, true, false, "an array of numbers");
  const std::size_t n = array_size(c.arg(0));
  if (n == 0) return Val::null();
  const Val total = sum_of(c.arg(0));
  return number(as_double(total) / static_cast<double>(n));
}

Val fn_contains(Call& c) {
  const Type t = c.require_any(0);
  c.require_any(1);
  const Val& subject = c.arg(0);
  const Val& search = c.arg(1);
  if (t == Type::string) {
    if (type_of(search) != Type::string) return Val::boolean(false);
    return Val::boolean(as_string(subject).find(as_string(search)) != std::string_view::npos);
  }
  if (t != Type::array) c.type_error(0, "an array or a string", t);
  const std::size_t n = array_size(subject);
  for (std::size_t i = 0; i < n; ++i) {
    if (equals(array_at(subject, i), search, c.interp().budget())) return Val::boolean(true);
  }
  return Val::boolean(false);
}

Val fn_affix(Call& c, bool prefix) {
  c.require(0, Type::string, "a string");
  c.require(1, Type::string, "a string");
  const auto s = as_string(c.arg(0));
  const auto affix = as_string(c.arg(1));
  if (affix.size() > s.size()) return Val::boolean(false);
  return Val::boolean(prefix ? s.compare(0, affix.size(), affix) == 0
                             : s.compare(s.size() - affix.size(), affix.size(), affix) == 0);
}

Val fn_join(Call& c) {
  c.require(0, Type::string, "a string");
  c.require_homogeneous(1, false, true, "an array of strings");
  const auto glue = as_string(c.arg(0));
  const Val& list = c.arg(1);
  const std::size_t n = array_size(list);
  std::size_t total = n > 1 ? glue.size() * (n - 1) : 0;
  for (std::size_t i = 0; i < n; ++i)
    total += as_string(array_at(list, i)).size();
  return join_strings(c.arena(), glue, n, total,
                      [&list](std::size_t i) { return as_string(array_at(list, i)); });
}

Val fn_keys_or_values(Call& c, bool keys) {
  c.require(0, Type::object, "an object");
  const Val& obj = c.arg(0);
  const std::size_t n = object_size(obj);
  Val* out = c.arena().make<Val>(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (keys) {
      const auto k = object_key(obj, i);
      out[i] = Val::string(k.data(), k.size());
    } else {
      out[i] = object_value(obj, i);
    }
  }
  return Val::array(out, n);
}

Val fn_length(Call& c) {
  const Val& v = c.arg(0);
  switch (type_of(v)) {
    case Type::string:
      return Val::integer(static_cast<std::int64_t>(utf8_count(as_string(v))));
    case Type::array:
      return Val::integer(static_cast<std::int64_t>(array_size(v)));
    case Type::object:
      return Val::integer(static_cast<std::int64_t>(object_size(v)));
    default:
      c.type_error(0, "a string, an array or an object", type_of(v));
  }
}

Val fn_map(Call& c) {
  const Node& expr = c.expression(0);
  c.require(1, Type::array, "an array");
  const Val list = c.arg(1);
  const std::size_t n = array_size(list);
  Val* out = c.arena().make<Val>(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = c.interp().eval(expr, array_at(list, i));
  return Val::array(out, n);
}

Val fn_extreme(Call& c, bool want_max) {
  const Type t = c.require_homogeneous(0, true, true, "an array of numbers or of strings");
  const Val& list = c.arg(0);
  const std::size_t n = array_size(list);
  if (n == 0) return Val::null();
  Val best = array_at(list, 0);
  for (std::size_t i = 1; i < n; ++i) {
    const Val e = array_at(list, i);
    const int cmp = compare_sortable(e, best, t);
    if (want_max ? cmp > 0 : cmp < 0) best = e;
  }
  return best;
}

// Evaluates the key expression of sort_by/min_by/max_by for every element; all keys must be
// numbers or all strings.
Type keys_of(Call& c, const Node& expr, const Val& list, std::vector<Val>& keys) {
  const std::size_t n = array_size(list);
  keys.resize(n);
  Type t = Type::null;
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = c.interp().eval(expr, array_at(list, i));
    const Type kt = type_of(keys[i]);
    if (i == 0) t = kt;
    if ((kt != Type::number && kt != Type::string) || kt != t) {
      throw RuntimeError(RuntimeError::Kind::invalid_type,
                         std::string(c.name()) +
                             "(): the expression must give numbers or strings (all of one "
                             "type), got " +
                             type_name(kt));
    }
  }
  return t;
}

Val fn_extreme_by(Call& c, bool want_max) {
  c.require(0, Type::array, "an array");
  const Node& expr = c.expression(1);
  const Val& list = c.arg(0);
  std::vector<Val> keys;
  const Type t = keys_of(c, expr, list, keys);
  if (keys.empty()) return Val::null();
  std::size_t best = 0;
  for (std::size_t i = 1; i < keys.size(); ++i) {
    const int cmp = compare_sortable(keys[i], keys[best], t);
    if (want_max ? cmp > 0 : cmp < 0) best = i;
  }
  return array_at(list, best);
}

Val fn_merge(Call& c) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < c.count(); ++i) {
    c.require(i, Type::object, "an object");
    total += object_size(c.arg(i));
  }
  auto* out = c.arena().make<Member>(total);
  std::size_t n = 0;
  // Later arguments win; a key keeps the position where it first appeared (dict.update).
  std::unordered_map<std::string_view, std::size_t> index;
  const bool use_index = total > 16;
  for (std::size_t i = 0; i < c.count(); ++i) {
    const Val& obj = c.arg(i);
    const std::size_t size = object_size(obj);
    for (std::size_t k = 0; k < size; ++k) {
      const auto key = object_key(obj, k);
      const Val value = object_value(obj, k);
      std::size_t at = n;
      if (use_index) {
        auto [it, inserted] = index.emplace(key, n);
        at = it->second;
      } else {
        for (std::size_t j = 0; j < n; ++j) {
          if (out[j].key == key) {
            at = j;
            break;
          }
        }
      }
      if (at == n) {
        new (&out[n++]) Member{key, value};
      } else {
        out[at].value = value;
      }
    }
  }
  return Val::object(out, n);
}

Val fn_reverse(Call& c) {
  const Val& v = c.arg(0);
  const Type t = type_of(v);
  if (t == Type::array) {
    const std::size_t n = array_size(v);
    Val* out = c.arena().make<Val>(n);
    for (std::size_t i = 0; i < n; ++i)
      out[i] = array_at(v, n - 1 - i);
    return Val::array(out, n);
  }
  if (t != Type::string) c.type_error(0, "an array or a string", t);
  // Reverse code points, not bytes.
  const auto s = as_string(v);
  if (s.empty()) return Val::string("", 0);
  char* out = c.arena().make<char>(s.size());
  std::size_t w = 0;
  std::size_t end = s.size();
  while (end > 0) {
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
      --start;
    std::memcpy(out + w, s.data() + start, end - start);
    w += end - start;
    end = start;
  }
  return Val::string(out, s.size());
}

Val fn_sort(Call& c) {
  const Type t = c.require_homogeneous(0, true, true, "an array of numbers or of strings");
  const Val& list = c.arg(0);
  const std::size_t n = array_size(list);
  Val* out = c.arena().make<Val>(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = array_at(list, i);
  std::stable_sort(out, out + n,
                   [t](const Val& a, const Val& b) { return compare_sortable(a, b, t) < 0; });
  return Val::array(out, n);
}

Val fn_sort_by(Call& c) {
  c.require(0, Type::array, "an array");
  const Node& expr = c.expression(1);
  const Val& list = c.arg(0);
  std::vector<Val> keys;
  const Type t = keys_of(c, expr, list, keys);
  std::vector<std::size_t> order(keys.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return compare_sortable(keys[a], keys[b], t) < 0;
  });
  Val* out = c.arena().make<Val>(order.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    out[i] = array_at(list, order[i]);
  return Val::array(out, order.size());
}

Val fn_to_array(Call& c) {
  const Type t = c.require_any(0);
  if (t == Type::array) return c.arg(0);
  Val* out = c.arena().make<Val>(1);
  out[0] = c.arg(0);
  return Val::array(out, 1);
}

Val fn_to_string(Call& c) {
  const Type t = c.require_any(0);
  if (t == Type::string) return c.arg(0);
  return arena_string(c.arena(), json_text(c.arg(0)));
}

Val fn_to_number(Call& c) {
  const Type t = c.require_any(0);
  if (t == Type::number) return c.arg(0);
  if (t == Type::string) return parse_number(as_string(c.arg(0)));
  return Val::null();
}

Val fn_type(Call& c) {
  const char* name = type_name(c.require_any(0));
  return Val::string(name, std::strlen(name));
}

}  // namespace

const FunctionInfo* find_function(std::string_view name) noexcept {
  const auto* end = std::end(kFunctions);
  const auto* it =
      std::lower_bound(std::begin(kFunctions), end, name,
                       [](const FunctionInfo& f, std::string_view n) { return f.name < n; });
  return it != end && it->name == name ? it : nullptr;
}

// The table is in enum order, so an id indexes it directly.
constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < std::size(kFunctions); ++i) {
    if (static_cast<std::size_t>(kFunctions[i].id) != i) return false;
    if (i > 0 && !(kFunctions[i - 1].name < kFunctions[i].name)) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "kFunctions must be sorted and in Function enum order");

const FunctionInfo& function_info(Function id) noexcept {
  return kFunctions[static_cast<std::size_t>(id)];
}

Val call_function(Function id, const Val* args, std::size_t count, Interpreter& interp) {
  Call c(id, args, count, interp);
  switch (id) {
    case Function::abs:
      return fn_abs(c);
    case Function::avg:
      return fn_avg(c);
    case Function::ceil:
      c.require(0, Type::number, "a number");
      return integral(std::ceil(as_double(c.arg(0))));
    case Function::floor:
      c.require(0, Type::number, "a number");
      return integral(std::floor(as_double(c.arg(0))));
    case Function::contains:
      return fn_contains(c);
    case Function::ends_with:
      return fn_affix(c, false);
    case Function::starts_with:
      return fn_affix(c, true);
    case Function::join:
      return fn_join(c);
    case Function::keys:
      return fn_keys_or_values(c, true);
    case Function::values:
      return fn_keys_or_values(c, false);
    case Function::length:
      return fn_length(c);
    case Function::map:
      return fn_map(c);
    case Function::max:
      return fn_extreme(c, true);
    case Function::min:
      return fn_extreme(c, false);
    case Function::max_by:
      return fn_extreme_by(c, true);
    case Function::min_by:
      return fn_extreme_by(c, false);
    case Function::merge:
      return fn_merge(c);
    case Function::not_null:
      for (std::size_t i = 0; i < count; ++i) {
        if (!args[i].is_null()) return args[i];
      }
      return Val::null();
    case Function::reverse:
      return fn_reverse(c);
    case Function::sort:
      return fn_sort(c);
    case Function::sort_by:
      return fn_sort_by(c);
    case Function::sum:
      c.require_homogeneous(0, true, false, "an array of numbers");
      return sum_of(c.arg(0));
    case Function::to_array:
      return fn_to_array(c);
    case Function::to_number:
      return fn_to_number(c);
    case Function::to_string:
      return fn_to_string(c);
    case Function::type:
      return fn_type(c);
  }
  return Val::null();
}

}  // namespace eventdest::jmespath::detail
