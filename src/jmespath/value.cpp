#include "jmespath/value.hpp"

#include <rapidjson/writer.h>

namespace eventdest::jmespath::detail {
namespace {

[[noreturn]] void expref_not_a_value() {
  throw RuntimeError(RuntimeError::Kind::invalid_type,
                     "an expression reference (&...) is not a value; it can only be passed to "
                     "functions such as sort_by or map");
}

// A Writer output stream that refuses to grow past the arena's cap.
class CappedString {
 public:
  using Ch = char;
  void Put(char c) {
    if (text_.size() >= Arena::kMaxBytes) {
      throw RuntimeError(RuntimeError::Kind::invalid_value, "to_string(): result too large");
    }
    text_.push_back(c);
  }
  void Flush() {}
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

using JsonWriter = rapidjson::Writer<CappedString>;

void write(const Val& v, JsonWriter& w) {
  switch (v.kind) {
    case Kind::null:
      w.Null();
      return;
    case Kind::false_:
      w.Bool(false);
      return;
    case Kind::true_:
      w.Bool(true);
      return;
    case Kind::integer:
      w.Int64(v.u.i);
      return;
    case Kind::real:
      w.Double(v.u.d);
      return;
    case Kind::string:
      w.String(v.u.s, v.size);
      return;
    case Kind::json:
      v.u.json->Accept(w);
      return;
    case Kind::array:
      w.StartArray();
      for (std::uint32_t i = 0; i < v.size; ++i)
        write(v.u.items[i], w);
      w.EndArray();
      return;
    case Kind::object:
    case Kind::fields: {
      w.StartObject();
      const std::size_t n = object_size(v);
      for (std::size_t i = 0; i < n; ++i) {
        const auto key = object_key(v, i);
        w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        write(object_value(v, i), w);
      }
      w.EndObject();
      return;
    }
    case Kind::expref:
      expref_not_a_value();
  }
}

void set_string(rapidjson::Value& out, const char* s, std::size_t n, Arena& arena,
                const LiteralStore& literals) {
  const auto len = static_cast<rapidjson::SizeType>(n);
  if (literals.owns(s)) {
    out.SetString(s, len, arena.allocator());
  } else {
    // Built in a local and then moved: setting the pointer in place re-reads the flags word it
    // has just written (a store-forwarding stall that cost more than the rest of the copy).
    rapidjson::Value ref(rapidjson::StringRef(s, len));
    out = ref;
  }
}

// Rebuilds a borrowed input node around references to its strings (no character copies).
void reference(const rapidjson::Value& in, rapidjson::Value& out, Arena& arena) {
  switch (in.GetType()) {
    case rapidjson::kStringType:
      out.SetString(rapidjson::StringRef(in.GetString(), in.GetStringLength()));
      return;
    case rapidjson::kArrayType:
      out.SetArray();
      out.Reserve(in.Size(), arena.allocator());
      for (const auto& e : in.GetArray()) {
        rapidjson::Value item;
        reference(e, item, arena);
        out.PushBack(item, arena.allocator());
      }
      return;
    case rapidjson::kObjectType:
      out.SetObject();
      for (const auto& m : in.GetObject()) {
        rapidjson::Value key(rapidjson::StringRef(m.name.GetString(), m.name.GetStringLength()));
        rapidjson::Value value;
        reference(m.value, value, arena);
        out.AddMember(key, value, arena.allocator());
      }
      return;
    default:
      out.CopyFrom(in, arena.allocator());
      return;
  }
}

// Size of `v` once built: bytes of rapidjson nodes for materialize(), or a lower bound of the
// characters for json_text(). Stops counting past `limit`: values share subtrees, so the full
// size can be astronomically larger than the arena holding the handles.
struct Measure {
  bool text;
  std::size_t limit;
  std::size_t total = 0;

  void add(std::size_t n) { total += n; }
  bool over() const { return total > limit; }

  void json(const rapidjson::Value& in) {
    if (over()) return;
    switch (in.GetType()) {
      case rapidjson::kStringType:
        add(text ? in.GetStringLength() + 2 : 0);
        break;
      case rapidjson::kArrayType:
        add(text ? in.Size() + 2 : in.Size() * sizeof(rapidjson::Value));
        for (const auto& e : in.GetArray())
          json(e);
        break;
      case rapidjson::kObjectType:
        add(text ? 2 * in.MemberCount() + 2 : in.MemberCount() * 2 * sizeof(rapidjson::Value));
        for (const auto& m : in.GetObject()) {
          if (text) add(m.name.GetStringLength() + 2);
          json(m.value);
        }
        break;
      default:
        add(text ? 1 : 0);
        break;
    }
  }

  void val(const Val& v) {
    if (over()) return;
    switch (v.kind) {
      case Kind::json:
        json(*v.u.json);
        return;
      case Kind::string:
        add(text ? v.size + 2 : v.size);
        return;
      case Kind::array:
        add(text ? v.size + 2 : std::size_t{v.size} * sizeof(rapidjson::Value));
        for (std::uint32_t i = 0; i < v.size; ++i)
          val(v.u.items[i]);
        return;
      case Kind::object:
      case Kind::fields: {
        const std::size_t n = object_size(v);
        add(text ? 2 * n + 2 : n * 2 * sizeof(rapidjson::Value));
        for (std::size_t i = 0; i < n; ++i) {
          add(object_key(v, i).size() + (text ? 2 : 0));
          val(object_value(v, i));
        }
        return;
      }
      default:
        add(text ? 1 : 0);
        return;
    }
  }
};

[[noreturn]] void too_large(const char* what) {
  throw RuntimeError(RuntimeError::Kind::invalid_value,
                     std::string(what) + " needs more than 256 MiB");
}

}  // namespace

const char* type_name(Type t) noexcept {
  switch (t) {
    case Type::null:
      return "null";
    case Type::boolean:
      return "boolean";
    case Type::number:
      return "number";
    case Type::string:
      return "string";
    case Type::array:
      return "array";
    case Type::object:
      return "object";
    case Type::expref:
      return "expref";
  }
  return "unknown";
}

bool truthy(const Val& v) noexcept {
  switch (type_of(v)) {
    case Type::null:
      return false;
    case Type::boolean:
      return as_bool(v);
    case Type::number:
      return true;
    case Type::string:
      return v.kind == Kind::string ? v.size > 0 : v.u.json->GetStringLength() > 0;
    case Type::array:
      return array_size(v) > 0;
    case Type::object:
      return object_size(v) > 0;
    case Type::expref:
      return true;
  }
  return false;
}

int compare_numbers(const Val& a, const Val& b) noexcept {
  std::int64_t x = 0, y = 0;
  if (as_int64(a, x) && as_int64(b, y)) return x < y ? -1 : (x > y ? 1 : 0);
  const double p = as_double(a), q = as_double(b);
  return p < q ? -1 : (p > q ? 1 : 0);
}

bool equals(const Val& a, const Val& b, Budget& budget) {
  budget.spend();
  // Shared subtrees are common (projections and multi-selects reference, never copy).
  if (a.kind == b.kind && a.size == b.size &&
      ((a.kind == Kind::json && a.u.json == b.u.json) ||
       (a.kind == Kind::array && a.u.items == b.u.items) ||
       (a.kind == Kind::object && a.u.members == b.u.members))) {
    return true;
  }
  const Type t = type_of(a);
  if (t != type_of(b)) return false;
  switch (t) {
    case Type::null:
      return true;
    case Type::boolean:
      return as_bool(a) == as_bool(b);
    case Type::number:
      return compare_numbers(a, b) == 0;
    case Type::string:
      return as_string(a) == as_string(b);
    case Type::array: {
      const std::size_t n = array_size(a);
      if (n != array_size(b)) return false;
      for (std::size_t i = 0; i < n; ++i) {
        if (!equals(array_at(a, i), array_at(b, i), budget)) return false;
      }
      return true;
    }
    case Type::object: {
      const std::size_t n = object_size(a);
      if (n != object_size(b)) return false;
      for (std::size_t i = 0; i < n; ++i) {
        const Val other = object_find(b, object_key(a, i));
        const Val mine = object_value(a, i);
        // object_find reports a missing key as null: tell that apart from a null member.
        if (other.kind == Kind::null && !mine.is_null()) return false;
        if (other.kind == Kind::null) {
          bool present = false;
          const auto key = object_key(a, i);
          for (std::size_t k = 0; k < n && !present; ++k)
            present = object_key(b, k) == key;
          if (!present) return false;
          continue;
        }
        if (!equals(mine, other, budget)) return false;
      }
      return true;
    }
    case Type::expref:
      return a.u.expr == b.u.expr;
  }
  return false;
}

std::string json_text(const Val& v) {
  Measure m{true, Arena::kMaxBytes};
  m.val(v);
  if (m.over()) too_large("to_string()");
  CappedString out;
  JsonWriter writer(out);
  write(v, writer);
  return out.take();
}

void charge_materialized(const Val& v, Arena& arena) {
  if (v.kind == Kind::string) {  // the common computed result (join), without a Measure walk
    if (v.size > Arena::kMaxBytes) too_large("the result");
    arena.charge(v.size);
    return;
  }
  Measure m{false, Arena::kMaxBytes};
  m.val(v);
  if (m.over()) too_large("the result");
  arena.charge(m.total);
}

void materialize(const Val& v, rapidjson::Value& out, Arena& arena, const LiteralStore& literals) {
  auto& alloc = arena.allocator();
  switch (v.kind) {
    case Kind::null:
      out.SetNull();
      return;
    case Kind::false_:
      out.SetBool(false);
      return;
    case Kind::true_:
      out.SetBool(true);
      return;
    case Kind::integer:
      out.SetInt64(v.u.i);
      return;
    case Kind::real:
      out.SetDouble(v.u.d);
      return;
    case Kind::string:
      set_string(out, v.u.s, v.size, arena, literals);
      return;
    case Kind::json:
      if (literals.owns(v.u.json)) {
        out.CopyFrom(*v.u.json, alloc);
      } else {
        reference(*v.u.json, out, arena);
      }
      return;
    case Kind::array:
      out.SetArray();
      out.Reserve(v.size, alloc);
      for (std::uint32_t i = 0; i < v.size; ++i) {
        rapidjson::Value item;
        materialize(v.u.items[i], item, arena, literals);
        out.PushBack(item, alloc);
      }
      return;
    case Kind::object:
    case Kind::fields: {
      out.SetObject();
      const std::size_t n = object_size(v);
      for (std::size_t i = 0; i < n; ++i) {
        const auto name = object_key(v, i);
        rapidjson::Value key;
        // Root field names belong to the caller's vector: copy them like literals.
        if (v.kind == Kind::fields) {
          key.SetString(name.data(), static_cast<rapidjson::SizeType>(name.size()), alloc);
        } else {
          set_string(key, name.data(), name.size(), arena, literals);
        }
        rapidjson::Value value;
        materialize(object_value(v, i), value, arena, literals);
        out.AddMember(key, value, alloc);
      }
      return;
    }
    case Kind::expref:
      expref_not_a_value();
  }
}

LiteralStore::LiteralStore(std::size_t capacity)
    : buffer_(new char[capacity]),
      capacity_(0),
      begin_(buffer_.get()),
      end_(buffer_.get() + capacity),
      pool_(buffer_.get(), capacity, 1024) {
  capacity_ = pool_.Capacity();
}

const char* LiteralStore::copy_string(std::string_view s) {
  if (s.empty()) return "";
  void* p = pool_.Malloc(s.size());
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  return static_cast<const char*>(p);
}

}  // namespace eventdest::jmespath::detail
