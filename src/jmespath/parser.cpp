#include "jmespath/parser.hpp"

#include <algorithm>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "util/json_parse.hpp"
#include "eventdest/jmespath.hpp"
#include "jmespath/functions.hpp"
#include "jmespath/lexer.hpp"

namespace eventdest::jmespath::detail {
namespace {

// Tokens whose binding power is below this end a projection's right-hand side.
constexpr int kProjectionStop = 10;

int binding_power(Tok t) noexcept {
  switch (t) {
    case Tok::pipe:
      return 1;
    case Tok::or_:
      return 2;
    case Tok::and_:
      return 3;
    case Tok::eq:
    case Tok::ne:
    case Tok::lt:
    case Tok::lte:
    case Tok::gt:
    case Tok::gte:
      return 5;
    case Tok::flatten:
      return 9;
    case Tok::star:
      return 20;
    case Tok::filter:
      return 21;
    case Tok::dot:
      return 40;
    case Tok::not_:
      return 45;
    case Tok::lbrace:
      return 50;
    case Tok::lbracket:
      return 55;
    case Tok::lparen:
      return 60;
    default:
      return 0;
  }
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens, Ast& ast)
      : text_(text), tokens_(std::move(tokens)), ast_(ast) {}

  Node* parse_all() {
    Node* root = expression(0);
    if (cur().type != Tok::eof) unexpected(cur());
    return root;
  }

 private:
  // ---- token access -------------------------------------------------------------------------
  const Token& cur() const noexcept { return tokens_[i_]; }
  Tok lookahead(std::size_t k) const noexcept {
    return tokens_[std::min(i_ + k, tokens_.size() - 1)].type;
  }
  void advance() noexcept {
    if (i_ + 1 < tokens_.size()) ++i_;
  }
  void match(Tok t) {
    if (cur().type != t) {
      fail(std::string("expected ") + token_name(t) + ", got " + describe(cur()), cur().pos);
    }
    advance();
  }

  static std::string describe(const Token& t) {
    switch (t.type) {
      case Tok::unquoted_identifier:
      case Tok::quoted_identifier:
        return std::string(token_name(t.type)) + " '" + t.text + "'";
      case Tok::number:
        return "number " + std::to_string(t.number);
      default:
        return token_name(t.type);
    }
  }

  [[noreturn]] void fail(const std::string& message, std::size_t pos) const {
    throw SyntaxError(message, std::string(text_), pos);
  }
  [[noreturn]] void unexpected(const Token& t) const { fail("unexpected " + describe(t), t.pos); }

  // ---- node construction -------------------------------------------------------------------
  Node* make(NodeKind kind, std::size_t pos) {
    ast_.nodes.push_back(std::make_unique<Node>(kind, pos));
    return ast_.nodes.back().get();
  }

  // Records the node's depth once its children are set; a too-deep tree would overflow the
  // interpreter's stack, so it is rejected here.
  Node* finish(Node* n) {
    std::uint32_t d = 0;
    for (const Node* c : {n->lhs, n->rhs, n->cond}) {
      if (c) d = std::max(d, c->depth);
    }
    for (const Node* c : n->children)
      d = std::max(d, c->depth);
    n->depth = d + 1;
    if (n->depth > kMaxDepth) fail("expression is nested too deeply", n->pos);
    return n;
  }

  Node* binary(NodeKind kind, std::size_t pos, const Node* lhs, const Node* rhs) {
    Node* n = make(kind, pos);
    n->lhs = lhs;
    n->rhs = rhs;
    return finish(n);
  }

  // ---- Pratt core ---------------------------------------------------------------------------
  struct DepthGuard {
    explicit DepthGuard(Parser& p) : parser(p) {
      if (++parser.depth_ > kMaxDepth) {
        parser.fail("expression is nested too deeply", parser.cur().pos);
      }
    }
    ~DepthGuard() { --parser.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    Parser& parser;
  };

  Node* expression(int rbp) {
    DepthGuard guard(*this);
    const std::size_t at = i_;
    advance();
    Node* left = nud(at);
    while (rbp < binding_power(cur().type)) {
      const std::size_t op = i_;
      advance();
      left = led(op, left);
    }
    return left;
  }

  Node* nud(std::size_t at) {
    const Token& t = tokens_[at];
    switch (t.type) {
      case Tok::literal: {
        Node* n = make(NodeKind::literal, t.pos);
        n->literal_text = t.text;
        n->literal_raw = t.raw;
        return finish(n);
      }
      case Tok::unquoted_identifier: {
        Node* n = make(NodeKind::field_path, t.pos);
        n->names.push_back(t.text);
        n->bare_identifier = true;
        return finish(n);
      }
      case Tok::quoted_identifier: {
        if (cur().type == Tok::lparen) {
          fail("a quoted identifier cannot be a function name", t.pos);
        }
        Node* n = make(NodeKind::field_path, t.pos);
        n->names.push_back(t.text);
        return finish(n);
      }
      case Tok::star: {
        const Node* rhs = projection_rhs(binding_power(Tok::star));
        return binary(NodeKind::value_projection, t.pos, nullptr, rhs);
      }
      case Tok::filter:
        return filter(t.pos, nullptr);
      case Tok::lbrace:
        return multi_hash(t.pos);
      case Tok::lparen: {
        Node* inner = expression(0);
        match(Tok::rparen);
        return inner;
      }
      case Tok::flatten: {
        Node* flat = binary(NodeKind::flatten, t.pos, nullptr, nullptr);
        const Node* rhs = projection_rhs(binding_power(Tok::flatten));
        return binary(NodeKind::projection, t.pos, flat, rhs);
      }
      case Tok::not_: {
        const Node* operand = expression(binding_power(Tok::not_));
        return binary(NodeKind::not_, t.pos, operand, nullptr);
      }
      case Tok::lbracket: {
        if (cur().type == Tok::number || cur().type == Tok::colon) {
          return project_if_slice(t.pos, nullptr, index_expression());
        }
        if (cur().type == Tok::star && lookahead(1) == Tok::rbracket) {
          advance();
          advance();
          const Node* rhs = projection_rhs(binding_power(Tok::star));
          return binary(NodeKind::projection, t.pos, nullptr, rhs);
        }
        return multi_list(t.pos);
      }
      case Tok::current:
        return finish(make(NodeKind::current, t.pos));
      case Tok::expref: {
        const Node* target = expression(0);
        return binary(NodeKind::expref, t.pos, target, nullptr);
      }
      default:
        unexpected(t);
    }
  }

  Node* led(std::size_t at, Node* left) {
    const Token& t = tokens_[at];
    switch (t.type) {
      case Tok::dot: {
        if (cur().type == Tok::star) {
          advance();
          const Node* rhs = projection_rhs(binding_power(Tok::dot));
          return binary(NodeKind::value_projection, t.pos, left, rhs);
        }
        Node* rhs = dot_rhs(binding_power(Tok::dot));
        // a.b.c becomes one field_path node: the common case runs as a tight loop.
        if (left->kind == NodeKind::field_path && rhs->kind == NodeKind::field_path) {
          for (auto& name : rhs->names)
            left->names.push_back(std::move(name));
          left->bare_identifier = false;
          return left;
        }
        return binary(NodeKind::subexpr, left->pos, left, rhs);
      }
      case Tok::pipe:
        return binary(NodeKind::pipe, left->pos, left, expression(binding_power(Tok::pipe)));
      case Tok::or_:
        return binary(NodeKind::or_, left->pos, left, expression(binding_power(Tok::or_)));
      case Tok::and_:
        return binary(NodeKind::and_, left->pos, left, expression(binding_power(Tok::and_)));
      case Tok::lparen:
        return function_call(at, left);
      case Tok::filter:
        return filter(t.pos, left);
      case Tok::eq:
        return comparison(Comparator::eq, left);
      case Tok::ne:
        return comparison(Comparator::ne, left);
      case Tok::lt:
        return comparison(Comparator::lt, left);
      case Tok::lte:
        return comparison(Comparator::lte, left);
      case Tok::gt:
        return comparison(Comparator::gt, left);
      case Tok::gte:
        return comparison(Comparator::gte, left);
      case Tok::flatten: {
        Node* flat = binary(NodeKind::flatten, t.pos, left, nullptr);
        const Node* rhs = projection_rhs(binding_power(Tok::flatten));
        return binary(NodeKind::projection, left->pos, flat, rhs);
      }
      case Tok::lbracket: {
        if (cur().type == Tok::number || cur().type == Tok::colon) {
          return project_if_slice(left->pos, left, index_expression());
        }
        match(Tok::star);
        match(Tok::rbracket);
        const Node* rhs = projection_rhs(binding_power(Tok::star));
        return binary(NodeKind::projection, left->pos, left, rhs);
      }
      default:
        unexpected(t);
    }
  }

  // ---- grammar pieces -----------------------------------------------------------------------
  Node* comparison(Comparator op, Node* left) {
    const Node* right = expression(binding_power(Tok::eq));
    Node* n = make(NodeKind::compare, left->pos);
    n->op = static_cast<std::uint8_t>(op);
    n->lhs = left;
    n->rhs = right;
    return finish(n);
  }

  Node* filter(std::size_t pos, const Node* left) {
    const Node* condition = expression(0);
    match(Tok::rbracket);
    const Node* rhs =
        cur().type == Tok::flatten ? nullptr : projection_rhs(binding_power(Tok::filter));
    Node* n = make(NodeKind::filter_projection, left ? left->pos : pos);
    n->lhs = left;
    n->rhs = rhs;
    n->cond = condition;
    return finish(n);
  }

  // After '[' when the next token is a number or ':'.
  Node* index_expression() {
    if (lookahead(0) == Tok::colon || lookahead(1) == Tok::colon) return slice();
    Node* n = make(NodeKind::index, cur().pos);
    n->index = cur().number;
    advance();
    match(Tok::rbracket);
    return finish(n);
  }

  Node* slice() {
    Node* n = make(NodeKind::slice, cur().pos);
    bool have[3] = {false, false, false};
    std::int64_t part[3] = {0, 0, 1};
    int index = 0;
    while (cur().type != Tok::rbracket) {
      if (cur().type == Tok::colon) {
        if (++index == 3) unexpected(cur());
        advance();
      } else if (cur().type == Tok::number && !have[index]) {
        have[index] = true;
        part[index] = cur().number;
        advance();
      } else {
        unexpected(cur());
      }
    }
    match(Tok::rbracket);
    n->has_start = have[0];
    n->has_stop = have[1];
    n->start = part[0];
    n->stop = part[1];
    n->step = have[2] ? part[2] : 1;
    // A zero step can never succeed; reporting it now makes a bad template a config error.
    if (n->step == 0)
      throw RuntimeError(RuntimeError::Kind::invalid_value, "slice step cannot be 0");
    return finish(n);
  }

  Node* project_if_slice(std::size_t pos, const Node* left, Node* right) {
    Node* access = left ? binary(NodeKind::subexpr, pos, left, right) : right;
    if (right->kind != NodeKind::slice) return access;
    const Node* rhs = projection_rhs(binding_power(Tok::star));
    return binary(NodeKind::projection, pos, access, rhs);
  }

  const Node* projection_rhs(int rbp) {
    const Tok t = cur().type;
    if (binding_power(t) < kProjectionStop) return nullptr;  // identity
    if (t == Tok::lbracket || t == Tok::filter) return expression(rbp);
    if (t == Tok::dot) {
      advance();
      return dot_rhs(rbp);
    }
    unexpected(cur());
  }

  Node* dot_rhs(int rbp) {
    switch (cur().type) {
      case Tok::quoted_identifier:
      case Tok::unquoted_identifier:
      case Tok::star:
        return expression(rbp);
      case Tok::lbracket: {
        const std::size_t pos = cur().pos;
        advance();
        return multi_list(pos);
      }
      case Tok::lbrace: {
        const std::size_t pos = cur().pos;
        advance();
        return multi_hash(pos);
      }
      default:
        fail("expected an identifier, '*', '[' or '{' after '.', got " + describe(cur()),
             cur().pos);
    }
  }

  Node* multi_list(std::size_t pos) {
    Node* n = make(NodeKind::multi_list, pos);
    for (;;) {
      n->children.push_back(expression(0));
      if (cur().type == Tok::rbracket) break;
      match(Tok::comma);
    }
    match(Tok::rbracket);
    return finish(n);
  }

  Node* multi_hash(std::size_t pos) {
    Node* n = make(NodeKind::multi_hash, pos);
    for (;;) {
      if (cur().type != Tok::quoted_identifier && cur().type != Tok::unquoted_identifier) {
        fail("expected a key name, got " + describe(cur()), cur().pos);
      }
      n->names.push_back(cur().text);
      advance();
      match(Tok::colon);
      n->children.push_back(expression(0));
      if (cur().type == Tok::comma) {
        advance();
      } else if (cur().type == Tok::rbrace) {
        advance();
        break;
      } else {
        fail("expected ',' or '}', got " + describe(cur()), cur().pos);
      }
    }
    return finish(n);
  }

  Node* function_call(std::size_t lparen, Node* left) {
    // Only a bare identifier directly before '(' names a function: not "a"(…), @(…) or (a)(…).
    if (left->kind != NodeKind::field_path || !left->bare_identifier || lparen == 0 ||
        tokens_[lparen - 1].type != Tok::unquoted_identifier) {
      fail("invalid function name", left->pos);
    }
    const std::string name = left->names.front();
    Node* n = make(NodeKind::function, left->pos);
    while (cur().type != Tok::rparen) {
      n->children.push_back(expression(0));
      if (cur().type == Tok::comma) {
        advance();
        if (cur().type == Tok::rparen) unexpected(cur());
      } else if (cur().type != Tok::rparen) {
        fail("expected ',' or ')', got " + describe(cur()), cur().pos);
      }
    }
    match(Tok::rparen);
    const FunctionInfo* info = find_function(name);
    if (!info) {
      throw RuntimeError(RuntimeError::Kind::unknown_function, "unknown function: " + name + "()");
    }
    const std::size_t count = n->children.size();
    if (count < info->min_args || count > info->max_args) {
      std::string expected = std::to_string(info->min_args);
      if (info->max_args == kVariadic) {
        expected = "at least " + expected;
      } else if (info->max_args != info->min_args) {
        expected += " or " + std::to_string(info->max_args);
      }
      throw RuntimeError(RuntimeError::Kind::invalid_arity,
                         name + "() takes " + expected + " argument" +
                             (info->min_args == 1 && info->max_args == 1 ? "" : "s") + ", got " +
                             std::to_string(count));
    }
    n->op = static_cast<std::uint8_t>(info->id);
    return finish(n);
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  Ast& ast_;
  std::size_t i_ = 0;
  std::uint32_t depth_ = 0;
};

// Places literals and multi-select-hash keys in one block owned by the expression (see
// LiteralStore), growing the block until everything fits in it.
void resolve_literals(Ast& ast) {
  std::size_t estimate = 256;
  for (const auto& n : ast.nodes) {
    if (n->kind == NodeKind::literal) estimate += 32 * n->literal_text.size() + 64;
    if (n->kind == NodeKind::multi_hash) {
      for (const auto& k : n->names)
        estimate += k.size() + 16;
    }
  }
  for (std::size_t capacity = estimate;; capacity *= 2) {
    auto store = std::make_unique<LiteralStore>(capacity);
    for (const auto& n : ast.nodes) {
      if (n->kind == NodeKind::literal) {
        if (n->literal_raw) {
          n->literal = Val::string(store->copy_string(n->literal_text), n->literal_text.size());
          continue;
        }
        rapidjson::Document doc(&store->allocator());
        eventdest::detail::parse_full_precision<rapidjson::kParseIterativeFlag>(
            doc, n->literal_text.data(), n->literal_text.size());
        void* slot = store->allocator().Malloc(sizeof(rapidjson::Value));
        if (!slot) throw std::bad_alloc();
        auto* value = new (slot) rapidjson::Value();
        value->Swap(doc);
        n->literal = Val::borrow(value);
      } else if (n->kind == NodeKind::multi_hash) {
        n->keys.clear();
        for (const auto& k : n->names)
          n->keys.emplace_back(store->copy_string(k), k.size());
      }
    }
    if (store->fits()) {
      ast.literals = std::move(store);
      return;
    }
  }
}

// Which members of the root `node` (evaluated against the root) can read. Right-hand sides of
// projections, pipes and subexpressions see derived values, and expression references see
// array elements, so only the left-most path from the root matters.
void collect_root_fields(const Node* node, Ast& ast) {
  if (!node || ast.reads_whole_root) return;
  switch (node->kind) {
    case NodeKind::field_path:
      ast.root_fields.push_back(node->names.front());
      return;
    case NodeKind::current:
      ast.reads_whole_root = true;
      return;
    case NodeKind::literal:
    case NodeKind::index:
    case NodeKind::slice:
    case NodeKind::expref:
      return;
    case NodeKind::subexpr:
    case NodeKind::pipe:
    case NodeKind::projection:
    case NodeKind::value_projection:
    case NodeKind::filter_projection:
    case NodeKind::flatten:
      if (!node->lhs) {
        ast.reads_whole_root = true;  // the projection iterates the root itself
        return;
      }
      collect_root_fields(node->lhs, ast);
      return;
    case NodeKind::or_:
    case NodeKind::and_:
    case NodeKind::compare:
    case NodeKind::not_:
      collect_root_fields(node->lhs, ast);
      collect_root_fields(node->rhs, ast);
      return;
    case NodeKind::multi_list:
    case NodeKind::multi_hash:
    case NodeKind::function:
      for (const Node* child : node->children)
        collect_root_fields(child, ast);
      return;
  }
  ast.reads_whole_root = true;
}

// Marks join('glue', [a.b, c, ...]), the usual way to build a key from several fields, for the
// interpreter's direct evaluation (see Interpreter::join_fields). Runs after resolve_literals.
void mark_join_fields(Ast& ast) {
  for (const auto& n : ast.nodes) {
    if (n->kind != NodeKind::function || static_cast<Function>(n->op) != Function::join ||
        n->children.size() != 2) {
      continue;
    }
    const Node& glue = *n->children[0];
    const Node& list = *n->children[1];
    if (glue.kind != NodeKind::literal || type_of(glue.literal) != Type::string ||
        list.kind != NodeKind::multi_list || list.children.empty() ||
        list.children.size() > kJoinFieldsMax) {
      continue;
    }
    n->join_fields = std::all_of(list.children.begin(), list.children.end(),
                                 [](const Node* c) { return c->kind == NodeKind::field_path; });
    if (n->join_fields) n->literal = glue.literal;  // one pointer hop less per evaluation
  }
}

}  // namespace

void parse(std::string_view expression, Ast& ast) {
  Parser parser(expression, tokenize(expression), ast);
  ast.root = parser.parse_all();
  resolve_literals(ast);
  mark_join_fields(ast);
  collect_root_fields(ast.root, ast);
}

}  // namespace eventdest::jmespath::detail
