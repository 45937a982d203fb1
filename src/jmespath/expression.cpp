// The public API: Expression, Result and search().
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "eventdest/json_dom.hpp"
#include "jmespath/ast.hpp"
#include "jmespath/interpreter.hpp"
#include "jmespath/parser.hpp"
#include "jmespath/value.hpp"
#include "util/json_parse.hpp"

namespace eventdest::jmespath {
namespace {

// At namespace scope, so that every Result does not check an initialisation guard. Its storage
// is zero before initialisation, which rapidjson already reads as null.
const rapidjson::Value null_value(rapidjson::kNullType);

const rapidjson::Value* static_value(rapidjson::Type type) noexcept {
  static const rapidjson::Value true_value(rapidjson::kTrueType);
  static const rapidjson::Value false_value(rapidjson::kFalseType);
  switch (type) {
    case rapidjson::kTrueType:
      return &true_value;
    case rapidjson::kFalseType:
      return &false_value;
    default:
      return &null_value;
  }
}

}  // namespace

struct Result::Impl {
  detail::Arena arena;
};

namespace {

// Each thread keeps the storage of one destroyed Result for its next evaluation that builds a
// value, so a steady stream of such evaluations (join() keys) does not allocate. Per thread, so
// Expression stays immutable and lock-free. Plain pointer and flag: they stay usable while the
// thread's other thread_locals (possibly holding Results) are destroyed. The helpers are
// templates only so that they can be given Result's private Impl.
thread_local void* t_spare = nullptr;
thread_local bool t_spare_closed = false;

template <class Impl>
struct SpareOwner {
  SpareOwner() = default;
  SpareOwner(const SpareOwner&) = delete;
  SpareOwner& operator=(const SpareOwner&) = delete;
  ~SpareOwner() {
    delete static_cast<Impl*>(t_spare);
    t_spare = nullptr;
    t_spare_closed = true;
  }
};

template <class Impl>
std::unique_ptr<Impl> take_spare() {
  if (!t_spare) return std::make_unique<Impl>();
  std::unique_ptr<Impl> impl(static_cast<Impl*>(t_spare));
  t_spare = nullptr;
  return impl;
}

template <class Impl>
void park_spare(std::unique_ptr<Impl> impl) noexcept {
  if (!impl || t_spare || t_spare_closed) return;  // impl is deleted
  static thread_local SpareOwner<Impl> owner;      // deletes the spare when the thread ends
  impl->arena.reset();
  t_spare = impl.release();
}

}  // namespace

struct Expression::Impl {
  std::string text;
  detail::Ast ast;
};

// ---- Result -----------------------------------------------------------------------------------

Result::Result() : value_(&null_value) {}

Result::Result(const void* value) noexcept : value_(value) {}

Result::Result(Result&& other) noexcept : impl_(std::move(other.impl_)), value_(other.value_) {
  other.value_ = &null_value;
}

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    impl_ = std::move(other.impl_);
    value_ = other.value_;
    other.value_ = &null_value;
  }
  return *this;
}

Result::~Result() {
  park_spare(std::move(impl_));
}

namespace detail {

// The entry points of eventdest/json_dom.hpp, given access to Result's and Expression's insides.
struct DomAccess {
  static const rapidjson::Value& value(const Result& r) noexcept {
    return *static_cast<const rapidjson::Value*>(r.value_);
  }
  static Result run(const Expression& e, Val root) { return e.run(root); }
};

}  // namespace detail

const rapidjson::Value& value(const Result& result) noexcept {
  return detail::DomAccess::value(result);
}

bool Result::is_null() const noexcept {
  return value(*this).IsNull();
}

std::string Result::to_json() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value(*this).Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// ---- Expression -------------------------------------------------------------------------------

Expression::Expression(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Expression::Expression(const Expression&) = default;
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(const Expression&) = default;
Expression& Expression::operator=(Expression&&) noexcept = default;
Expression::~Expression() = default;

Expression Expression::compile(std::string_view text) {
  auto impl = std::make_shared<Impl>();
  impl->text.assign(text);
  detail::parse(impl->text, impl->ast);
  return Expression(std::move(impl));
}

const std::string& Expression::text() const noexcept {
  return impl_->text;
}

bool Expression::may_read_root_field(std::string_view name) const noexcept {
  const auto& ast = impl_->ast;
  return ast.reads_whole_root ||
         std::find(ast.root_fields.begin(), ast.root_fields.end(), name) != ast.root_fields.end();
}

const std::vector<std::string>& Expression::field_path() const noexcept {
  static const std::vector<std::string> none;
  const detail::Node* root = impl_->ast.root;
  return root && root->kind == detail::NodeKind::field_path ? root->names : none;
}

Result evaluate(const Expression& expression, const rapidjson::Value& root) {
  return detail::DomAccess::run(expression, detail::Val::borrow(&root));
}

Result evaluate(const Expression& expression, const RootField* fields, std::size_t count) {
  return detail::DomAccess::run(expression, detail::Val::root(fields, count));
}

Result Expression::run(detail::Val root) const {
  const detail::Node& node = *impl_->ast.root;
  if (node.kind == detail::NodeKind::field_path) {
    // A plain path (the usual partition key) borrows from the input or finds nothing: it needs
    // no interpreter, budget or arena.
    const detail::Val v = detail::follow_path(node, root);
    if (v.kind == detail::Kind::json) return Result(v.u.json);
    if (v.kind == detail::Kind::null) return Result(&null_value);
  }
  return interpret(root);
}

Result Expression::interpret(const detail::Val& root) const {
  const detail::Node& node = *impl_->ast.root;
  Result result;  // the only Result returned, so it is constructed in place
  detail::EvalContext ctx;
  ctx.state = &result;
  ctx.make_arena = [](void* state) -> detail::Arena* {
    auto* r = static_cast<Result*>(state);
    r->impl_ = take_spare<Result::Impl>();
    return &r->impl_->arena;
  };
  detail::Interpreter interpreter(ctx);
  const detail::Val v = interpreter.eval_root(node, root);
  const detail::LiteralStore& literals = *impl_->ast.literals;
  switch (v.kind) {
    case detail::Kind::null:
      return result;
    case detail::Kind::true_:
      result.value_ = static_value(rapidjson::kTrueType);
      return result;
    case detail::Kind::false_:
      result.value_ = static_value(rapidjson::kFalseType);
      return result;
    case detail::Kind::json:
      // The zero-copy case: a node of the input is the answer.
      if (!literals.owns(v.u.json)) {
        result.value_ = v.u.json;
        return result;
      }
      break;
    default:
      break;
  }
  detail::Arena& arena = interpreter.arena();
  if (v.kind == detail::Kind::string && !literals.owns(v.u.s)) {
    // A computed string (a joined key) is already in the arena: reference it, charged as
    // charge_materialized() would. Built in a local, then moved (see materialize()).
    if (v.size > detail::Arena::kMaxBytes) detail::charge_materialized(v, arena);  // throws
    arena.charge(v.size);
    rapidjson::Value text(rapidjson::StringRef(v.u.s, v.size));
    arena.value = text;
    result.value_ = &arena.value;
    return result;
  }
  detail::charge_materialized(v, arena);
  detail::materialize(v, arena.value, arena, literals);
  result.value_ = &arena.value;
  return result;
}

namespace {

// Nesting depth of a JSON value, without recursion.
std::size_t depth_of(const rapidjson::Value& root) {
  std::size_t deepest = 0;
  std::vector<std::pair<const rapidjson::Value*, std::size_t>> stack{{&root, 1}};
  while (!stack.empty()) {
    const auto [v, depth] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, depth);
    if (v->IsArray()) {
      for (const auto& e : v->GetArray())
        stack.emplace_back(&e, depth + 1);
    } else if (v->IsObject()) {
      for (const auto& m : v->GetObject())
        stack.emplace_back(&m.value, depth + 1);
    }
  }
  return deepest;
}

// Writing, comparing and copying values recurse; input deeper than this is refused.
constexpr std::size_t kMaxJsonDepth = 4096;

}  // namespace

std::string search(std::string_view expression, std::string_view json) {
  return Expression::compile(expression).search(json);
}

std::string Expression::search(std::string_view json) const {
  rapidjson::Document doc;
  eventdest::detail::parse_full_precision<rapidjson::kParseIterativeFlag>(doc, json.data(),
                                                                          json.size());
  if (doc.HasParseError()) {
    throw std::invalid_argument(std::string("invalid JSON at offset ") +
                                std::to_string(doc.GetErrorOffset()) + ": " +
                                rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (depth_of(doc) > kMaxJsonDepth) {
    throw std::invalid_argument("JSON input is nested more than " + std::to_string(kMaxJsonDepth) +
                                " levels deep");
  }
  return evaluate(*this, doc).to_json();
}

}  // namespace eventdest::jmespath
