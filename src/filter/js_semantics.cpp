#include "filter/js_semantics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

namespace eventdest::filter_detail {

namespace {

// Decodes one UTF-8 code point at s[i] (advancing i); invalid bytes stand for themselves.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + static_cast<std::size_t>(len) > s.size()) len = 1;
  std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
  i += static_cast<std::size_t>(len);
  return cp;
}

bool is_js_space(std::uint32_t cp) {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string_view js_trim(std::string_view s) {
  std::size_t begin = 0;
  while (begin < s.size()) {
    std::size_t next = begin;
    if (!is_js_space(next_code_point(s, next))) break;
    begin = next;
  }
  std::size_t end = begin;
  for (std::size_t i = begin; i < s.size();) {
    if (!is_js_space(next_code_point(s, i))) end = i;
  }
  return s.substr(begin, end - begin);
}

double parse_radix(std::string_view digits, int radix) {
  if (digits.empty()) return std::numeric_limits<double>::quiet_NaN();
  double v = 0;
  for (char c : digits) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'z' ? c - 'a' + 10
            : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                   : 99;
    if (d >= radix) return std::numeric_limits<double>::quiet_NaN();
    v = v * radix + d;
  }
  return v;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

double js_to_number(std::string_view text) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::string_view s = js_trim(text);
  if (s.empty()) return 0;
  if (s.size() > 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') return parse_radix(s.substr(2), 16);
    if (p == 'o' || p == 'O') return parse_radix(s.substr(2), 8);
    if (p == 'b' || p == 'B') return parse_radix(s.substr(2), 2);
  }
  bool negative = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "Infinity")
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  // StrDecimalLiteral: digits [. digits] | . digits, then an optional exponent.
  std::size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < body.size() && is_digit(body[i]))
    ++i, ++int_digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && is_digit(body[i]))
      ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return nan;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < body.size() && is_digit(body[i]))
      ++i, ++exp_digits;
    if (exp_digits == 0) return nan;
  }
  if (i != body.size()) return nan;
  std::string copy(body);  // strtod needs a terminator; the grammar above is locale-free
  double v = std::strtod(copy.c_str(), nullptr);
  return negative ? -v : v;
}

std::string js_number_to_string(double d) {
  if (std::isnan(d)) return "NaN";
  if (d == 0) return "0";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  std::string out;
  if (d < 0) {
    out = "-";
    d = -d;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  std::size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  int exp10 = std::atoi(std::string(sci.substr(e + 1)).c_str());
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

bool js_loose_equal(const Prim& a, const Prim& b) {
  if (a.type == b.type) {
    switch (a.type) {
      case Prim::undefined:
      case Prim::null:
        return true;
      case Prim::boolean:
        return a.b == b.b;
      case Prim::number:
        return a.n == b.n;
      case Prim::string:
        return a.s.size() == b.s.size() && same_bytes(a.s.data(), b.s);
    }
  }
  const bool a_nullish = a.type == Prim::undefined || a.type == Prim::null;
  const bool b_nullish = b.type == Prim::undefined || b.type == Prim::null;
  if (a_nullish || b_nullish) return a_nullish && b_nullish;
  if (a.type == Prim::boolean) {
    Prim n{Prim::number, false, a.b ? 1.0 : 0.0, {}};
    return js_loose_equal(n, b);
  }
  if (b.type == Prim::boolean) {
    Prim n{Prim::number, false, b.b ? 1.0 : 0.0, {}};
    return js_loose_equal(a, n);
  }
  // number and string
  if (a.type == Prim::number) return a.n == js_to_number(b.s);
  return js_to_number(a.s) == b.n;
}

namespace {

// Compares two strings by UTF-16 code units (JavaScript's string order).
int utf16_compare(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    std::uint32_t x = next_code_point(a, i), y = next_code_point(b, j);
    if (x == y) continue;
    auto units = [](std::uint32_t cp) {
      if (cp < 0x10000) return std::pair<std::uint32_t, std::uint32_t>{cp, 0};
      cp -= 0x10000;
      return std::pair<std::uint32_t, std::uint32_t>{0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)};
    };
    auto ux = units(x), uy = units(y);
    if (ux.first != uy.first) return ux.first < uy.first ? -1 : 1;
    return ux.second < uy.second ? -1 : 1;
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

double prim_number(const Prim& p) {
  switch (p.type) {
    case Prim::number:
      return p.n;
    case Prim::string:
      return js_to_number(p.s);
    case Prim::boolean:
      return p.b ? 1 : 0;
    case Prim::null:
      return 0;
    case Prim::undefined:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

bool js_less(const Prim& a, const Prim& b) {
  if (a.type == Prim::string && b.type == Prim::string) return utf16_compare(a.s, b.s) < 0;
  return prim_number(a) < prim_number(b);
}

bool js_less_or_equal(const Prim& a, const Prim& b) {
  if (a.type == Prim::string && b.type == Prim::string) return utf16_compare(a.s, b.s) <= 0;
  return prim_number(a) <= prim_number(b);
}

void js_quote(std::string_view s, std::string& out) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

bool js_is_index_key(std::string_view key, unsigned long& value) {
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  unsigned long long v = 0;
  for (char c : key) {
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<unsigned long long>(c - '0');
  }
  if (v >= 4294967295ULL) return false;
  value = static_cast<unsigned long>(v);
  return true;
}

void js_stringify(const rapidjson::Value& v, std::string& out) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      out += "null";
      return;
    case rapidjson::kFalseType:
      out += "false";
      return;
    case rapidjson::kTrueType:
      out += "true";
      return;
    case rapidjson::kNumberType:
      out += js_number_to_string(v.GetDouble());
      return;
    case rapidjson::kStringType:
      js_quote(std::string_view(v.GetString(), v.GetStringLength()), out);
      return;
    case rapidjson::kArrayType: {
      out += '[';
      bool first = true;
      for (const auto& e : v.GetArray()) {
        if (!first) out += ',';
        first = false;
        js_stringify(e, out);
      }
      out += ']';
      return;
    }
    case rapidjson::kObjectType: {
      // Own keys: integer-like ascending, then the others in first-seen order; the last of
      // duplicate keys wins (JSON.parse).
      struct Key {
        std::string_view name;
        const rapidjson::Value* value;
        bool index;
        unsigned long number;
      };
      std::vector<Key> keys;
      for (const auto& m : v.GetObject()) {
        std::string_view name(m.name.GetString(), m.name.GetStringLength());
        auto same =
            std::find_if(keys.begin(), keys.end(), [&](const Key& k) { return k.name == name; });
        if (same != keys.end()) {
          same->value = &m.value;
          continue;
        }
        Key k{name, &m.value, false, 0};
        k.index = js_is_index_key(name, k.number);
        keys.push_back(k);
      }
      std::stable_sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
        if (a.index != b.index) return a.index;
        return a.index && a.number < b.number;
      });
      out += '{';
      bool first = true;
      for (const auto& k : keys) {
        if (!first) out += ',';
        first = false;
        js_quote(k.name, out);
        out += ':';
        js_stringify(*k.value, out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace eventdest::filter_detail
