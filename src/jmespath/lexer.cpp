#include "jmespath/lexer.hpp"

#include <rapidjson/document.h>

#include "util/json_parse.hpp"
#include "eventdest/jmespath.hpp"
#include "jmespath/utf8.hpp"

namespace eventdest::jmespath::detail {
namespace {

constexpr std::int64_t kNumberLimit = std::int64_t{1} << 62;

bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_identifier_char(char c) {
  return is_identifier_start(c) || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view s, std::size_t at, std::uint32_t& out) {
  if (at + 4 > s.size()) return false;
  out = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    int h = hex_value(s[at + k]);
    if (h < 0) return false;
    out = (out << 4) | static_cast<std::uint32_t>(h);
  }
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    if (auto bad = utf8_invalid_at(text_); bad != std::string_view::npos) {
      fail("invalid UTF-8 in expression", bad);
    }
    std::vector<Token> out;
    while (i_ < text_.size()) {
      const char c = text_[i_];
      const std::size_t start = i_;
      switch (c) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
          ++i_;
          continue;
        case '.':
          out.push_back(simple(Tok::dot, 1));
          continue;
        case '*':
          out.push_back(simple(Tok::star, 1));
          continue;
        case ']':
          out.push_back(simple(Tok::rbracket, 1));
          continue;
        case ',':
          out.push_back(simple(Tok::comma, 1));
          continue;
        case ':':
          out.push_back(simple(Tok::colon, 1));
          continue;
        case '@':
          out.push_back(simple(Tok::current, 1));
          continue;
        case '(':
          out.push_back(simple(Tok::lparen, 1));
          continue;
        case ')':
          out.push_back(simple(Tok::rparen, 1));
          continue;
        case '{':
          out.push_back(simple(Tok::lbrace, 1));
          continue;
        case '}':
          out.push_back(simple(Tok::rbrace, 1));
          continue;
        case '[':
          if (peek(1) == ']') {
            out.push_back(simple(Tok::flatten, 2));
          } else if (peek(1) == '?') {
            out.push_back(simple(Tok::filter, 2));
          } else {
            out.push_back(simple(Tok::lbracket, 1));
          }
          continue;
        case '|':
          out.push_back(peek(1) == '|' ? simple(Tok::or_, 2) : simple(Tok::pipe, 1));
          continue;
        case '&':
          out.push_back(peek(1) == '&' ? simple(Tok::and_, 2) : simple(Tok::expref, 1));
          continue;
        case '!':
          out.push_back(peek(1) == '=' ? simple(Tok::ne, 2) : simple(Tok::not_, 1));
          continue;
        case '<':
          out.push_back(peek(1) == '=' ? simple(Tok::lte, 2) : simple(Tok::lt, 1));
          continue;
        case '>':
          out.push_back(peek(1) == '=' ? simple(Tok::gte, 2) : simple(Tok::gt, 1));
          continue;
        case '=':
          if (peek(1) != '=') fail("expected '==' (a single '=' is not an operator)", start);
          out.push_back(simple(Tok::eq, 2));
          continue;
        case '"':
          out.push_back(quoted_identifier());
          continue;
        case '\'':
          out.push_back(raw_string());
          continue;
        case '`':
          out.push_back(json_literal());
          continue;
        default:
          break;
      }
      if (is_identifier_start(c)) {
        while (i_ < text_.size() && is_identifier_char(text_[i_]))
          ++i_;
        Token t;
        t.type = Tok::unquoted_identifier;
        t.pos = start;
        t.text.assign(text_.substr(start, i_ - start));
        out.push_back(std::move(t));
      } else if (is_digit(c) || c == '-') {
        out.push_back(number());
      } else {
        std::string shown(1, c);
        fail("unexpected character '" + shown + "'", start);
      }
    }
    Token end;
    end.type = Tok::eof;
    end.pos = text_.size();
    out.push_back(std::move(end));
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& message, std::size_t pos) const {
    throw SyntaxError(message, std::string(text_), pos);
  }

  char peek(std::size_t ahead) const {
    return i_ + ahead < text_.size() ? text_[i_ + ahead] : '\0';
  }

  Token simple(Tok type, std::size_t len) {
    Token t;
    t.type = type;
    t.pos = i_;
    i_ += len;
    return t;
  }

  Token number() {
    Token t;
    t.type = Tok::number;
    t.pos = i_;
    bool negative = false;
    if (text_[i_] == '-') {
      negative = true;
      ++i_;
      if (i_ >= text_.size() || !is_digit(text_[i_])) fail("expected digits after '-'", t.pos);
    }
    std::int64_t value = 0;
    while (i_ < text_.size() && is_digit(text_[i_])) {
      // Saturate: an index this large is out of range anyway, and it keeps slice arithmetic
      // free of overflow.
      const int digit = text_[i_] - '0';
      value = value <= (kNumberLimit - digit) / 10 ? value * 10 + digit : kNumberLimit;
      ++i_;
    }
    t.number = negative ? -value : value;
    return t;
  }

  // Consumes from the opening delimiter through the closing one; a backslash keeps the next
  // character (so an escaped delimiter does not close). Returns the body with backslashes intact.
  std::string_view delimited(char delimiter) {
    const std::size_t start = i_;
    ++i_;
    while (i_ < text_.size() && text_[i_] != delimiter) {
      if (text_[i_] == '\\') ++i_;
      ++i_;
    }
    if (i_ >= text_.size()) {
      fail(std::string("unclosed ") + delimiter + " delimiter", start);
    }
    ++i_;
    return text_.substr(start + 1, i_ - start - 2);
  }

  // As jmespath.py: the escaped delimiter is the only escape of raw strings and literals.
  static std::string unescape_delimiter(std::string_view body, char delimiter) {
    std::string out;
    out.reserve(body.size());
    for (std::size_t k = 0; k < body.size(); ++k) {
      if (body[k] == '\\' && k + 1 < body.size() && body[k + 1] == delimiter) continue;
      out += body[k];
    }
    return out;
  }

  Token quoted_identifier() {
    Token t;
    t.type = Tok::quoted_identifier;
    t.pos = i_;
    std::string_view body = delimited('"');
    std::size_t error_offset = 0;
    if (!decode_json_string(body, t.text, error_offset)) {
      fail("invalid quoted identifier", t.pos + 1 + error_offset);
    }
    return t;
  }

  Token raw_string() {
    Token t;
    t.type = Tok::literal;
    t.raw = true;
    t.pos = i_;
    t.text = unescape_delimiter(delimited('\''), '\'');
    return t;
  }

  Token json_literal() {
    Token t;
    t.type = Tok::literal;
    t.pos = i_;
    std::string body = unescape_delimiter(delimited('`'), '`');
    rapidjson::Document probe;
    eventdest::detail::parse_full_precision<rapidjson::kParseIterativeFlag>(probe, body.data(),
                                                                            body.size());
    if (!probe.HasParseError()) {
      t.text = std::move(body);
      return t;
    }
    // Legacy JEP-12 rule (jmespath.py and the compliance suite): text that is not JSON is taken
    // as the body of a JSON string, after leading whitespace.
    std::size_t lead = 0;
    while (lead < body.size() &&
           (body[lead] == ' ' || body[lead] == '\t' || body[lead] == '\n' || body[lead] == '\r')) {
      ++lead;
    }
    std::string decoded;
    std::size_t error_offset = 0;
    if (!decode_json_string(std::string_view(body).substr(lead), decoded, error_offset)) {
      fail("invalid JSON literal", t.pos + 1 + probe.GetErrorOffset());
    }
    t.raw = true;  // now a plain string value
    t.text = std::move(decoded);
    return t;
  }

  std::string_view text_;
  std::size_t i_ = 0;
};

}  // namespace

bool decode_json_string(std::string_view body, std::string& out, std::size_t& error_offset) {
  out.clear();
  out.reserve(body.size());
  for (std::size_t k = 0; k < body.size(); ++k) {
    const char c = body[k];
    if (static_cast<unsigned char>(c) < 0x20 || c == '"') {
      error_offset = k;
      return false;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    const std::size_t escape_at = k;
    if (++k >= body.size()) {
      error_offset = escape_at;
      return false;
    }
    switch (body[k]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        std::uint32_t cp = 0;
        if (!read_hex4(body, k + 1, cp)) {
          error_offset = escape_at;
          return false;
        }
        k += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
          error_offset = escape_at;
          return false;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t low = 0;
          if (k + 2 >= body.size() || body[k + 1] != '\\' || body[k + 2] != 'u' ||
              !read_hex4(body, k + 3, low) || low < 0xDC00 || low > 0xDFFF) {
            error_offset = escape_at;
            return false;
          }
          k += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        utf8_append(out, cp);
        break;
      }
      default:
        error_offset = escape_at;
        return false;
    }
  }
  return true;
}

const char* token_name(Tok t) noexcept {
  switch (t) {
    case Tok::eof:
      return "end of expression";
    case Tok::unquoted_identifier:
      return "identifier";
    case Tok::quoted_identifier:
      return "quoted identifier";
    case Tok::literal:
      return "literal";
    case Tok::number:
      return "number";
    case Tok::dot:
      return "'.'";
    case Tok::star:
      return "'*'";
    case Tok::flatten:
      return "'[]'";
    case Tok::filter:
      return "'[?'";
    case Tok::lbracket:
      return "'['";
    case Tok::rbracket:
      return "']'";
    case Tok::lbrace:
      return "'{'";
    case Tok::rbrace:
      return "'}'";
    case Tok::lparen:
      return "'('";
    case Tok::rparen:
      return "')'";
    case Tok::comma:
      return "','";
    case Tok::colon:
      return "':'";
    case Tok::pipe:
      return "'|'";
    case Tok::or_:
      return "'||'";
    case Tok::and_:
      return "'&&'";
    case Tok::expref:
      return "'&'";
    case Tok::not_:
      return "'!'";
    case Tok::eq:
      return "'=='";
    case Tok::ne:
      return "'!='";
    case Tok::lt:
      return "'<'";
    case Tok::lte:
      return "'<='";
    case Tok::gt:
      return "'>'";
    case Tok::gte:
      return "'>='";
    case Tok::current:
      return "'@'";
  }
  return "token";
}

std::vector<Token> tokenize(std::string_view expression) {
  return Lexer(expression).run();
}

}  // namespace eventdest::jmespath::detail
