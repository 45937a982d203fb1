#include <algorithm>
#include <string>
#include <utility>

#include "eventdest/jmespath.hpp"

namespace eventdest::jmespath {

SyntaxError::SyntaxError(const std::string& message, std::string expression, std::size_t position)
    : std::invalid_argument(message), expression_(std::move(expression)), position_(position) {}

std::string SyntaxError::caret_lines() const {
  // Show only the line holding the position, so the caret lines up in multi-line expressions.
  const std::size_t pos = std::min(position_, expression_.size());
  std::size_t line_start = expression_.rfind('\n', pos == 0 ? std::string::npos : pos - 1);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  std::size_t line_end = expression_.find('\n', line_start);
  if (line_end == std::string::npos) line_end = expression_.size();
  std::string out = expression_.substr(line_start, line_end - line_start);
  out += '\n';
  // One caret column per code point; tabs are kept so the caret stays aligned.
  for (std::size_t i = line_start; i < pos && i < line_end; ++i) {
    const auto c = static_cast<unsigned char>(expression_[i]);
    if ((c & 0xC0) == 0x80) continue;
    out += c == '\t' ? '\t' : ' ';
  }
  out += '^';
  return out;
}

RuntimeError::RuntimeError(Kind kind, const std::string& message)
    : std::runtime_error(message), kind_(kind) {}

const char* RuntimeError::kind_name() const noexcept {
  switch (kind_) {
    case Kind::invalid_type:
      return "invalid-type";
    case Kind::invalid_arity:
      return "invalid-arity";
    case Kind::unknown_function:
      return "unknown-function";
    case Kind::invalid_value:
      return "invalid-value";
  }
  return "error";
}

}  // namespace eventdest::jmespath
