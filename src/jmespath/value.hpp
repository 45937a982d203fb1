// The interpreter's value: a 16-byte tagged handle that either borrows a node of the input
// (or of a compiled literal) or refers to data built in the per-evaluation arena. Evaluating a
// field chain therefore never copies JSON.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "eventdest/json_dom.hpp"

namespace eventdest::jmespath::detail {

struct Node;
struct Member;

enum class Kind : std::uint8_t {
  null,
  false_,
  true_,
  integer,  // computed int64
  real,     // computed double (always finite)
  string,   // ptr + size, not NUL-terminated
  array,    // arena array of Val
  object,   // arena array of Member
  json,     // borrowed rapidjson node
  fields,   // the virtual root of jmespath::evaluate(RootField...)
  expref    // &expression, only meaningful as a function argument
};

/// JMESPath's types (plus expref for expression references).
enum class Type : std::uint8_t { null, boolean, number, string, array, object, expref };

const char* type_name(Type t) noexcept;

struct Val {
  Kind kind = Kind::null;
  std::uint32_t size = 0;  // string bytes, array items, object members, root fields
  union {
    std::int64_t i;
    double d;
    const char* s;
    const Val* items;
    const Member* members;
    const rapidjson::Value* json;
    const RootField* fields;
    const Node* expr;
  } u{};

  static Val null() noexcept { return {}; }
  static Val boolean(bool b) noexcept {
    Val v;
    v.kind = b ? Kind::true_ : Kind::false_;
    return v;
  }
  static Val integer(std::int64_t i) noexcept {
    Val v;
    v.kind = Kind::integer;
    v.u.i = i;
    return v;
  }
  static Val real(double d) noexcept {
    Val v;
    v.kind = Kind::real;
    v.u.d = d;
    return v;
  }
  static Val string(const char* s, std::size_t n) noexcept {
    Val v;
    v.kind = Kind::string;
    v.size = static_cast<std::uint32_t>(n);
    v.u.s = s;
    return v;
  }
  static Val array(const Val* items, std::size_t n) noexcept {
    Val v;
    v.kind = Kind::array;
    v.size = static_cast<std::uint32_t>(n);
    v.u.items = items;
    return v;
  }
  static Val object(const Member* m, std::size_t n) noexcept {
    Val v;
    v.kind = Kind::object;
    v.size = static_cast<std::uint32_t>(n);
    v.u.members = m;
    return v;
  }
  static Val borrow(const rapidjson::Value* j) noexcept {
    Val v;
    v.kind = Kind::json;
    v.u.json = j;
    return v;
  }
  static Val root(const RootField* f, std::size_t n) noexcept {
    Val v;
    v.kind = Kind::fields;
    v.size = static_cast<std::uint32_t>(n);
    v.u.fields = f;
    return v;
  }
  static Val expref(const Node* e) noexcept {
    Val v;
    v.kind = Kind::expref;
    v.u.expr = e;
    return v;
  }
  bool is_null() const noexcept {
    return kind == Kind::null || (kind == Kind::json && u.json->IsNull());
  }
};

struct Member {
  std::string_view key;
  Val value;
};

inline Type type_of(const Val& v) noexcept {
  switch (v.kind) {
    case Kind::null:
      return Type::null;
    case Kind::false_:
    case Kind::true_:
      return Type::boolean;
    case Kind::integer:
    case Kind::real:
      return Type::number;
    case Kind::string:
      return Type::string;
    case Kind::array:
      return Type::array;
    case Kind::object:
    case Kind::fields:
      return Type::object;
    case Kind::expref:
      return Type::expref;
    case Kind::json:
      break;
  }
  switch (v.u.json->GetType()) {
    case rapidjson::kNullType:
      return Type::null;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return Type::boolean;
    case rapidjson::kObjectType:
      return Type::object;
    case rapidjson::kArrayType:
      return Type::array;
    case rapidjson::kStringType:
      return Type::string;
    case rapidjson::kNumberType:
      return Type::number;
  }
  return Type::null;
}

/// Precondition: type_of(v) == Type::string.
inline std::string_view as_string(const Val& v) noexcept {
  if (v.kind == Kind::string) return {v.u.s, v.size};
  return {v.u.json->GetString(), v.u.json->GetStringLength()};
}

/// Precondition: type_of(v) == Type::number.
inline double as_double(const Val& v) noexcept {
  if (v.kind == Kind::integer) return static_cast<double>(v.u.i);
  if (v.kind == Kind::real) return v.u.d;
  return v.u.json->GetDouble();
}

/// Precondition: type_of(v) == Type::number. True (and `out` set) if the number is an integer
/// representable as int64.
inline bool as_int64(const Val& v, std::int64_t& out) noexcept {
  if (v.kind == Kind::integer) {
    out = v.u.i;
    return true;
  }
  if (v.kind == Kind::json && v.u.json->IsInt64()) {
    out = v.u.json->GetInt64();
    return true;
  }
  return false;
}

inline bool as_bool(const Val& v) noexcept {
  return v.kind == Kind::true_ || (v.kind == Kind::json && v.u.json->IsTrue());
}

/// Precondition: type_of(v) == Type::array.
inline std::size_t array_size(const Val& v) noexcept {
  return v.kind == Kind::array ? v.size : v.u.json->Size();
}
inline Val array_at(const Val& v, std::size_t i) noexcept {
  return v.kind == Kind::array ? v.u.items[i]
                               : Val::borrow(&(*v.u.json)[static_cast<rapidjson::SizeType>(i)]);
}

/// Precondition: type_of(v) == Type::object.
inline std::size_t object_size(const Val& v) noexcept {
  return v.kind == Kind::json ? v.u.json->MemberCount() : v.size;
}
inline std::string_view object_key(const Val& v, std::size_t i) noexcept {
  if (v.kind == Kind::object) return v.u.members[i].key;
  if (v.kind == Kind::fields) return v.u.fields[i].first;
  const auto& name = (v.u.json->MemberBegin() + static_cast<std::ptrdiff_t>(i))->name;
  return {name.GetString(), name.GetStringLength()};
}
inline Val object_value(const Val& v, std::size_t i) noexcept {
  if (v.kind == Kind::object) return v.u.members[i].value;
  if (v.kind == Kind::fields) {
    return v.u.fields[i].second ? Val::borrow(v.u.fields[i].second) : Val::null();
  }
  return Val::borrow(&(v.u.json->MemberBegin() + static_cast<std::ptrdiff_t>(i))->value);
}

/// Equality of `n` bytes at `a` and `b`. Member names are short: two overlapping word loads
/// compare them inline, where a memcmp call would cost more than the comparison itself.
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  if (n >= 8) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    std::uint64_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n >= 4) {
    std::uint32_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 4);
    std::memcpy(&b0, b, 4);
    std::memcpy(&a1, a + n - 4, 4);
    std::memcpy(&b1, b + n - 4, 4);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  // 0 to 3 bytes: first, middle and last cover them all.
  return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

inline bool same_name(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && same_bytes(a.data(), b.data(), a.size());
}

/// The first member `name` of a rapidjson object, or nullptr. A plain scan: events are small,
/// and RapidJSON keeps members in an array.
inline const rapidjson::Value* find_member(const rapidjson::Value& obj, const char* name,
                                           std::size_t len) noexcept {
  for (auto m = obj.MemberBegin(), end = obj.MemberEnd(); m != end; ++m) {
    if (m->name.GetStringLength() == len && same_bytes(m->name.GetString(), name, len)) {
      return &m->value;
    }
  }
  return nullptr;
}

/// Field lookup: null unless `v` is an object with that member.
inline Val object_find(const Val& v, std::string_view name) noexcept {
  switch (v.kind) {
    case Kind::json:
      if (v.u.json->IsObject()) {
        if (const auto* m = find_member(*v.u.json, name.data(), name.size())) {
          return Val::borrow(m);
        }
      }
      return Val::null();
    case Kind::object:
      for (std::uint32_t i = 0; i < v.size; ++i) {
        if (same_name(v.u.members[i].key, name)) return v.u.members[i].value;
      }
      return Val::null();
    case Kind::fields:
      for (std::uint32_t i = 0; i < v.size; ++i) {
        if (same_name(v.u.fields[i].first, name)) {
          return v.u.fields[i].second ? Val::borrow(v.u.fields[i].second) : Val::null();
        }
      }
      return Val::null();
    default:
      return Val::null();
  }
}

/// Work allowed to one evaluation. Values can share subtrees (`[@, @]` repeated), so time can
/// grow exponentially without memory growing; this bounds it (67M steps: a fraction of a
/// second, far more than any partition key or realistic query needs).
class Budget {
 public:
  void spend(std::uint64_t units = 1) {
    steps_ += units;
    if (steps_ > kMaxSteps) {
      throw RuntimeError(RuntimeError::Kind::invalid_value,
                         "evaluation exceeds " + std::to_string(kMaxSteps) + " steps");
    }
  }

 private:
  static constexpr std::uint64_t kMaxSteps = std::uint64_t{1} << 26;
  std::uint64_t steps_ = 0;
};

/// JMESPath truthiness: false, null, "", [] and {} are false; everything else (0 too) is true.
bool truthy(const Val& v) noexcept;
/// Deep equality; numbers compare by value (1 == 1.0). Spends one unit of `budget` per node.
bool equals(const Val& a, const Val& b, Budget& budget);
/// Ordering of two numbers.
int compare_numbers(const Val& a, const Val& b) noexcept;

class Arena;
class LiteralStore;

/// Compact JSON text of `v`. Throws RuntimeError: invalid-type for an expression reference,
/// invalid-value past the arena's size cap.
std::string json_text(const Val& v);
/// Builds `v` as a rapidjson value in `arena`. Input strings and nodes are referenced, not
/// copied; anything inside `literals` (owned by the expression) is copied. Throws RuntimeError
/// (invalid-type) for an expression reference.
void materialize(const Val& v, rapidjson::Value& out, Arena& arena, const LiteralStore& literals);
/// Charges the size materialize() will need to `arena` first, so an oversized result fails fast
/// (RuntimeError invalid-value) instead of allocating up to the cap.
void charge_materialized(const Val& v, Arena& arena);

/// Per-evaluation bump allocator. The first block lives inline, so a small evaluation costs one
/// allocation (the Result) or none at all (a borrowed result needs no arena).
class Arena {
 public:
  Arena() : pool_(buffer_, sizeof buffer_, kChunk) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  /// Counts `n` bytes against the cap (allocate() does; so do callers that allocate through
  /// allocator() directly). Bounds runaway expressions (e.g. repeated [@, @][] doubling)
  /// instead of exhausting memory.
  void charge(std::size_t n) {
    used_ += n;
    if (used_ > kMaxBytes) {
      throw RuntimeError(RuntimeError::Kind::invalid_value,
                         "evaluation needs more than 256 MiB of intermediate values");
    }
  }
  static constexpr std::size_t kMaxBytes = std::size_t{256} << 20;

  void* allocate(std::size_t n) {
    if (n == 0) return nullptr;
    charge(n);
    void* p = pool_.Malloc(n);
    if (!p) throw std::bad_alloc();
    return p;
  }
  template <class T>
  T* make(std::size_t n) {
    return static_cast<T*>(allocate(n * sizeof(T)));
  }
  rapidjson::MemoryPoolAllocator<>& allocator() noexcept { return pool_; }

  /// Back to the freshly constructed state (extra blocks freed), for reuse by another
  /// evaluation.
  void reset() noexcept {
    value.SetNull();
    pool_.Clear();
    used_ = 0;
  }

  /// The materialised result, when it is not a borrowed node.
  rapidjson::Value value;

 private:
  // Sized so that the whole Result::Impl stays in glibc's tcache size classes (<= 1032 bytes).
  static constexpr std::size_t kInline = 768;
  static constexpr std::size_t kChunk = 16 * 1024;
  std::size_t used_ = 0;
  alignas(8) char buffer_[kInline];
  rapidjson::MemoryPoolAllocator<> pool_;
};

/// Memory owned by a compiled expression that results may point into (JSON literals, raw
/// strings, multi-select-hash keys). Results must copy from it, because a Result may outlive its
/// Expression; owns() tells them when.
class LiteralStore {
 public:
  explicit LiteralStore(std::size_t capacity);
  LiteralStore(const LiteralStore&) = delete;
  LiteralStore& operator=(const LiteralStore&) = delete;

  bool owns(const void* p) const noexcept {
    const auto* c = static_cast<const char*>(p);
    return c >= begin_ && c < end_;
  }
  /// True if everything allocated so far fits in the single owned block.
  bool fits() const noexcept { return pool_.Capacity() == capacity_; }
  rapidjson::MemoryPoolAllocator<>& allocator() noexcept { return pool_; }
  const char* copy_string(std::string_view s);

 private:
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_;
  const char* begin_;
  const char* end_;
  rapidjson::MemoryPoolAllocator<> pool_;
};

}  // namespace eventdest::jmespath::detail
