// Tokenizer for JMESPath expressions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eventdest::jmespath::detail {

enum class Tok : std::uint8_t {
  eof,
  unquoted_identifier,
  quoted_identifier,
  literal,  // `json` or 'raw string'
  number,
  dot,
  star,
  flatten,  // []
  filter,   // [?
  lbracket,
  rbracket,
  lbrace,
  rbrace,
  lparen,
  rparen,
  comma,
  colon,
  pipe,
  or_,
  and_,
  expref,  // &
  not_,
  eq,
  ne,
  lt,
  lte,
  gt,
  gte,
  current  // @
};

const char* token_name(Tok t) noexcept;

struct Token {
  Tok type = Tok::eof;
  std::size_t pos = 0;
  std::string text;         // identifier name, or literal content (JSON text / raw string)
  std::int64_t number = 0;  // saturated to +-2^62
  bool raw = false;         // literal: a raw string rather than JSON text
};

/// Splits `expression` into tokens, ending with Tok::eof. Throws SyntaxError.
std::vector<Token> tokenize(std::string_view expression);

/// Decodes the body of a JSON string (without quotes). Returns false and sets `error_offset`
/// (relative to `body`) on an invalid escape, a lone surrogate or a raw control character.
bool decode_json_string(std::string_view body, std::string& out, std::size_t& error_offset);

}  // namespace eventdest::jmespath::detail
