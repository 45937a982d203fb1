#include "event/event_text.hpp"

#include <cstdint>
#include <cstring>

#include "jmespath/utf8.hpp"

namespace eventdest::detail {
namespace {

// Eight bytes at a time while they are ASCII without NUL (the usual id, topic and key).
const char* skip_plain_ascii(const char* p, const char* end) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    if (((w - ones) & ~w & highs) != 0 || (w & highs) != 0) break;
    p += 8;
  }
  return p;
}

}  // namespace

bool is_valid_utf8(std::string_view s) noexcept {
  const char* const end = s.data() + s.size();
  const char* const p = skip_plain_ascii(s.data(), end);
  return jmespath::detail::utf8_invalid_at(
             std::string_view(p, static_cast<std::size_t>(end - p))) == std::string_view::npos;
}

std::string_view text_problem(std::string_view s) noexcept {
  // The usual id, topic and metadata: plain ASCII without NUL, accepted in one pass.
  const char* const end = s.data() + s.size();
  const char* p = skip_plain_ascii(s.data(), end);
  while (p != end && *p != '\0' && static_cast<unsigned char>(*p) < 0x80)
    ++p;
  if (p == end) return {};
  if (!is_valid_utf8(s)) return "is not valid Unicode (invalid UTF-8 or a lone surrogate escape)";
  if (s.find('\0') != std::string_view::npos) return "must not contain U+0000 (NUL)";
  return {};
}

std::optional<FieldProblem> event_text_problem(const Event& event) {
  if (auto p = text_problem(event.id()); !p.empty()) return FieldProblem{"id", std::string(p)};
  if (auto p = text_problem(event.topic()); !p.empty()) {
    return FieldProblem{"topic", std::string(p)};
  }
  for (const auto& [key, value] : event.metadata()) {
    if (auto p = text_problem(key); !p.empty()) {
      return FieldProblem{"metadata." + printable(key), "key " + std::string(p)};
    }
    if (auto p = text_problem(value); !p.empty()) {
      return FieldProblem{"metadata." + printable(key), std::string(p)};
    }
  }
  return std::nullopt;
}

std::string printable(std::string_view s) {
  if (is_valid_utf8(s)) {
    bool plain = true;
    for (unsigned char c : s)
      plain = plain && c >= 0x20 && c != 0x7f;
    if (plain) return std::string(s);
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    // A valid multi-byte character is kept; anything else is shown byte by byte.
    std::size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (len > 1 && i + len <= s.size() && is_valid_utf8(s.substr(i, len))) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    }
    ++i;
  }
  return out;
}

}  // namespace eventdest::detail
