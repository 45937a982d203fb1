#include "kafka_rest/emulator/fast_rest_proxy.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <ctime>
#include <iterator>
#include <set>
#include <utility>

#include "util/json_scan.hpp"

namespace eventdest::test {
namespace {

constexpr std::size_t kMaxBodyBytes = 64u << 20;
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The emulator's own codec (not eventdest's): it checks what the client encodes.
std::string encode_base64(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, in.size() - i);
    std::uint32_t v = 0;
    for (std::size_t j = 0; j < 3; ++j)
      v = (v << 8) | (j < n ? static_cast<unsigned char>(in[i + j]) : 0u);
    for (std::size_t j = 0; j < 4; ++j)
      out += j <= n ? kAlphabet[(v >> (18 - 6 * j)) & 63] : '=';
  }
  return out;
}

constexpr std::array<signed char, 256> reverse_alphabet() {
  std::array<signed char, 256> t{};
  for (auto& v : t)
    v = -1;
  for (int i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
  return t;
}
constexpr std::array<signed char, 256> kReverse = reverse_alphabet();

/// Appends the bytes of `in` to `out` if it is padded standard base64: length a multiple of 4,
/// the standard alphabet, at most two '=' and only at the end (what Python's
/// binascii.a2b_base64(strict_mode=True) accepts). On false, `out` holds garbage past its old size.
bool append_strict_base64(std::string_view in, std::string& out) {
  if (in.size() % 4 != 0) return false;
  std::size_t pad = 0;
  while (pad < in.size() && pad < 2 && in[in.size() - 1 - pad] == '=')
    ++pad;
  const std::size_t n = in.size() - pad;  // n % 4 is 0, 2 or 3
  const std::size_t old = out.size();
  out.resize(old + n * 6 / 8);
  char* o = out.data() + old;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {  // four characters, three bytes
    const int a = kReverse[p[i]], b = kReverse[p[i + 1]], c = kReverse[p[i + 2]],
              d = kReverse[p[i + 3]];
    if ((a | b | c | d) < 0) return false;
    const auto v = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6 | d);
    *o++ = static_cast<char>(v >> 16);
    *o++ = static_cast<char>(v >> 8);
    *o++ = static_cast<char>(v);
  }
  if (i == n) return true;
  // Two or three characters before the padding; like strict_mode, leftover bits under the
  // padding are not checked ("Zh==").
  const int a = kReverse[p[i]], b = kReverse[p[i + 1]], c = n - i == 3 ? kReverse[p[i + 2]] : 0;
  if ((a | b | c) < 0) return false;
  *o++ = static_cast<char>(a << 2 | b >> 4);
  if (n - i == 3) *o = static_cast<char>((b & 15) << 4 | c >> 2);
  return true;
}

bool valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // ASCII runs eight bytes at a time: request bodies are nearly all ASCII.
    std::uint64_t word;
    while (i + 8 <= s.size() &&
           (std::memcpy(&word, s.data() + i, 8), (word & 0x8080808080808080ull) == 0))
      i += 8;
    if (i >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xe  ? 3
                    : (c >> 3) == 0x1e ? 4
                                       : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

/// Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2).
std::uint32_t murmur2(std::string_view data) {
  constexpr std::uint32_t m = 0x5bd1e995;
  const auto length = static_cast<std::uint32_t>(data.size());
  std::uint32_t h = 0x9747b28c ^ length;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  for (std::uint32_t i = 0; i < length / 4; ++i) {
    std::uint32_t k = p[4 * i] | (p[4 * i + 1] << 8) | (p[4 * i + 2] << 16) |
                      (static_cast<std::uint32_t>(p[4 * i + 3]) << 24);
    k *= m;
    k ^= k >> 24;
    k *= m;
    h *= m;
    h ^= k;
  }
  const std::uint32_t tail = length & ~3u;
  switch (length % 4) {
    case 3:
      h ^= static_cast<std::uint32_t>(p[tail + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<std::uint32_t>(p[tail + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= p[tail];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

std::string json_string(std::string_view s) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(b.GetString(), b.GetSize());
}

void append_compact(std::string& out, const rapidjson::Value& v) {
  thread_local rapidjson::StringBuffer b;  // keeps its capacity between records
  b.Clear();
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  v.Accept(w);
  out.append(b.GetString(), b.GetSize());
}

std::string compact(const rapidjson::Value& v) {
  std::string out;
  append_compact(out, v);
  return out;
}

std::string error_body(int code, const std::string& message, const std::string& id = {}) {
  std::string out = "{";
  if (!id.empty()) out += "\"id\":" + json_string(id) + ",";
  return out + "\"error_code\":" + std::to_string(code) + ",\"message\":" + json_string(message) +
         "}";
}

Action error(int status, int code, const std::string& message) {
  return Action::respond(status, {{"Content-Type", "application/json"}}, error_body(code, message));
}

std::string iso_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct RecordError {
  int code;
  std::string message;
};

using Stored = FastRestProxy::Stored;
using DataType = FastRestProxy::DataType;

const char* type_name(DataType t) {
  switch (t) {
    case DataType::json:
      return "JSON";
    case DataType::string:
      return "STRING";
    case DataType::binary:
      return "BINARY";
    case DataType::none:
      break;
  }
  return "";
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
  auto m = obj.FindMember(name);
  return m == obj.MemberEnd() ? nullptr : &m->value;
}

std::string_view name_of(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

/// One pass over the members of `obj`: the first member named names[i] goes to found[i] (what
/// FindMember would find); false, with the name in `unknown`, at the first member whose name is
/// not one of `names`.
template <std::size_t N>
bool scan_members(const rapidjson::Value& obj, const std::string_view (&names)[N],
                  const rapidjson::Value* (&found)[N], std::string& unknown) {
  for (const auto& m : obj.GetObject()) {
    const std::string_view name = name_of(m.name);
    std::size_t i = 0;
    while (i < N && names[i] != name)
      ++i;
    if (i == N) {
      unknown = std::string(name);
      return false;
    }
    if (found[i] == nullptr) found[i] = &m.value;
  }
  return true;
}

void append_u32(std::string& out, std::uint32_t v) {
  char b[sizeof v];
  std::memcpy(b, &v, sizeof v);
  out.append(b, sizeof v);
}

std::uint32_t read_u32(const char*& p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  p += sizeof v;
  return v;
}

// A ProduceRequestData object: its type, and its bytes appended to `out`; DataType::none (and
// nothing appended) when absent or null. Returns the number of bytes appended.
std::uint32_t data_bytes(const char* field, const rapidjson::Value* obj, DataType& type,
                         std::string& out) {
  type = DataType::none;
  if (obj == nullptr || obj->IsNull()) return 0;
  if (!obj->IsObject())
    throw RecordError{400, std::string("Bad Request: ") + field + " must be an object"};
  static constexpr std::string_view kFields[] = {
      "type", "data", "subject", "subject_name_strategy", "schema_id", "schema_version", "schema"};
  const rapidjson::Value* found[std::size(kFields)] = {};
  std::string unknown;
  if (!scan_members(*obj, kFields, found, unknown)) {
    throw RecordError{400, "Bad Request: unknown field(s) ['" + unknown + "'] in " + field};
  }
  const rapidjson::Value* t = found[0];
  const std::string_view name = t && t->IsString() ? name_of(*t) : std::string_view();
  type = name == "JSON"     ? DataType::json
         : name == "STRING" ? DataType::string
         : name == "BINARY" ? DataType::binary
                            : DataType::none;
  if (type == DataType::none) {
    throw RecordError{400, std::string("Bad Request: ") + field + ".type is not supported here"};
  }
  const rapidjson::Value* d = found[1];
  if (d == nullptr) {
    throw RecordError{400, std::string("Bad Request: ") + field + ".data is required"};
  }
  const std::size_t start = out.size();
  if (type == DataType::string) {
    if (!d->IsString()) {
      throw RecordError{400, std::string("Bad Request: ") + field + ".data is not a string"};
    }
    out.append(d->GetString(), d->GetStringLength());
  } else if (type == DataType::binary) {
    if (!d->IsString() || !append_strict_base64(name_of(*d), out)) {
      throw RecordError{400, "Bad Request: data is not a base64 string."};
    }
  } else {
    append_compact(out, *d);
  }
  return static_cast<std::uint32_t>(out.size() - start);
}

// Validates one ProduceRequest (everything rest_proxy_emulator.py's State.produce checks except
// the partition range, which needs the topic), appending its bytes to `out` and describing them
// in `s` (s.begin is where they start). Throws RecordError; `out` then holds garbage past s.begin.
void validate(const rapidjson::Value& record, std::string& out, Stored& s,
              std::optional<int>& partition) {
  if (!record.IsObject()) throw RecordError{400, "Bad Request: a record must be a JSON object"};
  static constexpr std::string_view kFields[] = {"partition_id", "headers",   "key",
                                                 "value",        "timestamp", "id"};
  const rapidjson::Value* found[std::size(kFields)] = {};
  std::string unknown;
  if (!scan_members(record, kFields, found, unknown)) {
    throw RecordError{400, "Bad Request: unknown field(s) ['" + unknown + "']"};
  }
  s.key_size = data_bytes("key", found[2], s.key_type, out);
  s.value_size = data_bytes("value", found[3], s.value_type, out);
  if (const auto* headers = found[1]; headers && !headers->IsNull()) {
    if (!headers->IsArray()) throw RecordError{400, "Bad Request: headers must be [{name, value}]"};
    for (const auto& h : headers->GetArray()) {
      static constexpr std::string_view kHeaderFields[] = {"name", "value"};
      const rapidjson::Value* parts[2] = {};
      if (!h.IsObject() || !scan_members(h, kHeaderFields, parts, unknown) || !parts[0] ||
          !parts[0]->IsString()) {
        throw RecordError{400, "Bad Request: headers must be [{name, value}]"};
      }
      const std::string_view name = name_of(*parts[0]);
      append_u32(out, static_cast<std::uint32_t>(name.size()));
      out.append(name);
      const auto* value = parts[1];
      if (value && !value->IsNull()) {
        const std::size_t size_at = out.size();
        append_u32(out, 0);  // the size, once known
        if (!value->IsString() || !append_strict_base64(name_of(*value), out)) {
          throw RecordError{400, "Bad Request: header '" + std::string(name) +
                                     "' value is not padded standard base64"};
        }
        const auto size = static_cast<std::uint32_t>(out.size() - size_at - sizeof(std::uint32_t));
        std::memcpy(out.data() + size_at, &size, sizeof size);
      } else {
        append_u32(out, FastRestProxy::kNullHeader);
      }
      ++s.headers;
    }
  }
  if (const auto* p = found[0]; p && !p->IsNull()) {
    if (!p->IsInt()) throw RecordError{404, "Partition " + compact(*p) + " not found"};
    partition = p->GetInt();
  }
}

// The part of a success report after its prefix, written into a stack buffer and appended
// once (a dozen small appends per report showed up in profiles).
class ReportTail {
 public:
  ReportTail(const Stored& s, std::string_view iso) {
    text("\"partition_id\":");
    number(s.partition);
    text(",\"offset\":");
    number(s.offset);
    text(",\"timestamp\":\"");
    text(iso.substr(0, 32));
    text("\",\"key\":");
    data(s.key_type, s.key_size);
    text(",\"value\":");
    data(s.value_type, s.value_size);
    text("}");
  }
  std::string_view view() const { return {buffer_, static_cast<std::size_t>(end_ - buffer_)}; }

 private:
  void text(std::string_view s) {
    std::memcpy(end_, s.data(), s.size());
    end_ += s.size();
  }
  void number(std::int64_t v) { end_ = std::to_chars(end_, buffer_ + sizeof buffer_, v).ptr; }
  void data(DataType type, std::uint32_t size) {
    if (type == DataType::none) return text("null");
    text("{\"type\":\"");
    text(type_name(type));
    text("\",\"size\":");
    number(size);
    text("}");
  }

  char buffer_[256];  // fits the longest: 2 x 20 digits, 32 of timestamp, 2 x 35 of data, ~70
  char* end_ = buffer_;
};

void append_success_report(std::string& out, const std::string& prefix, const Stored& s,
                           const std::string& iso) {
  out += '{';
  out += prefix;
  out += ReportTail(s, iso).view();
}

// One record's validation result, before it is placed under the lock.
struct Pending {
  Stored stored;  // its bytes are in the request's block from stored.begin
  std::optional<int> partition;
  bool valid = false;
  RecordError error{0, {}};
  std::string id;  // batch entries
};

// partition_id must name one of the topic's partitions (checked once the topic is known).
void reject_unknown_partition(Pending& p, int partitions, const std::string& topic) {
  if (p.valid && p.partition && (*p.partition < 0 || *p.partition >= partitions)) {
    p.error = {404,
               "Partition " + std::to_string(*p.partition) + " of topic " + topic + " not found"};
    p.valid = false;
  }
}

// The records eventdest (and most clients) send, read and stored without a DOM: compact JSON,
// strings without escapes or control characters, numbers that are plain integers, each field
// once. It takes only records that validate() accepts and stores the same bytes: a JSON value's
// text is then what the DOM path's compact() writes. Anything else - any record validate()
// would reject included - makes read() return false with `block` unchanged, and the DOM path
// takes the record from the same place, so every answer is still the DOM path's.
class FastRecord {
 public:
  FastRecord(const char* begin, const char* end) : p_(begin), end_(end) {}

  /// On true, the record is `used` bytes long, its bytes are appended to `block` and `s`
  /// describes them (s.begin set by the caller).
  bool read(std::string& block, Stored& s, std::optional<int>& partition, std::size_t& used) {
    const char* const start = p_;
    if (!record()) return false;
    const std::size_t begin = block.size();
    if (!append_data(key_, block, s.key_size) || !append_data(value_, block, s.value_size)) {
      block.resize(begin);
      return false;
    }
    for (std::size_t i = 0; i < header_count_; ++i) {
      const Header& h = headers_[i];
      append_u32(block, static_cast<std::uint32_t>(h.name.size()));
      block.append(h.name);
      if (!h.has_value) {
        append_u32(block, FastRestProxy::kNullHeader);
        continue;
      }
      const std::size_t size_at = block.size();
      append_u32(block, 0);  // the size, once known
      if (!append_strict_base64(h.value, block)) {
        block.resize(begin);
        return false;
      }
      const auto size = static_cast<std::uint32_t>(block.size() - size_at - sizeof(std::uint32_t));
      std::memcpy(block.data() + size_at, &size, sizeof size);
    }
    s.key_type = key_.type;
    s.value_type = value_.type;
    s.headers = static_cast<std::uint32_t>(header_count_);
    if (has_partition_) partition = partition_;
    used = static_cast<std::size_t>(p_ - start);
    return true;
  }

 private:
  struct Data {
    DataType type = DataType::none;  // none: absent or null
    std::string_view data;           // JSON: its text; STRING and BINARY: the string's content
  };
  struct Header {
    std::string_view name;
    bool has_value = false;
    std::string_view value;  // base64
  };
  static constexpr std::size_t kMaxHeaders = 16;
  static constexpr int kMaxDepth = 32;

  static bool append_data(const Data& d, std::string& block, std::uint32_t& size) {
    const std::size_t start = block.size();
    if (d.type == DataType::binary) {
      if (!append_strict_base64(d.data, block)) return false;
    } else {
      block.append(d.data);  // none: empty
    }
    size = static_cast<std::uint32_t>(block.size() - start);
    return true;
  }

  // s == literal with the length known at compile time: inlined, no memcmp call.
  template <std::size_t N>
  static bool is(std::string_view s, const char (&literal)[N]) {
    return s.size() == N - 1 && std::memcmp(s.data(), literal, N - 1) == 0;
  }

  bool at(char c) const { return p_ != end_ && *p_ == c; }
  bool take(char c) {
    if (!at(c)) return false;
    ++p_;
    return true;
  }
  template <std::size_t N>
  bool literal(const char (&word)[N]) {
    if (static_cast<std::size_t>(end_ - p_) < N - 1 || std::memcmp(p_, word, N - 1) != 0) {
      return false;
    }
    p_ += N - 1;
    return true;
  }

  // A string without escapes or control characters; `out` is its content.
  bool string(std::string_view& out) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* const start = p_ + 1;
    const char* const close = detail::find_plain_string_end(start, end_);
    if (close == nullptr) return false;
    out = std::string_view(start, static_cast<std::size_t>(close - start));
    p_ = close + 1;
    return true;
  }

  // An integer as the DOM path's Writer writes it back: no leading zero, no "-0", at most 18
  // digits (an int64; more could become a double).
  bool integer() {
    const char* p = p_;
    if (p != end_ && *p == '-') ++p;
    const char* const digits = p;
    while (p != end_ && *p >= '0' && *p <= '9')
      ++p;
    const auto n = p - digits;
    if (n == 0 || n > 18 || (*digits == '0' && (n > 1 || digits != p_))) return false;
    if (p != end_ && (*p == '.' || *p == 'e' || *p == 'E')) return false;
    p_ = p;
    return true;
  }

  // A JSON value whose text is its compact form; `is_string` tells whether it is a string.
  bool value(int depth, bool* is_string = nullptr) {
    if (depth > kMaxDepth || p_ == end_) return false;
    if (is_string) *is_string = *p_ == '"';
    std::string_view ignored;
    switch (*p_) {
      case '"':
        return string(ignored);
      case '{':
        ++p_;
        if (take('}')) return true;
        do {
          if (!string(ignored) || !take(':') || !value(depth + 1)) return false;
        } while (take(','));
        return take('}');
      case '[':
        ++p_;
        if (take(']')) return true;
        do {
          if (!value(depth + 1)) return false;
        } while (take(','));
        return take(']');
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return integer();
    }
  }

  // null or {"type": JSON|STRING|BINARY, "data": ...}, those two fields only.
  bool data(Data& out) {
    if (literal("null")) return true;
    if (!take('{')) return false;
    bool has_type = false, has_data = false, data_is_string = false;
    std::string_view type, text;
    do {
      std::string_view name;
      if (!string(name) || !take(':')) return false;
      if (is(name, "type") && !has_type) {
        has_type = true;
        if (!string(type)) return false;
      } else if (is(name, "data") && !has_data) {
        has_data = true;
        const char* const start = p_;
        if (!value(1, &data_is_string)) return false;
        text = std::string_view(start, static_cast<std::size_t>(p_ - start));
      } else {
        return false;
      }
    } while (take(','));
    if (!take('}') || !has_type || !has_data) return false;
    if (is(type, "JSON")) {
      out.type = DataType::json;
      out.data = text;
    } else if ((is(type, "STRING") || is(type, "BINARY")) && data_is_string) {
      out.type = is(type, "STRING") ? DataType::string : DataType::binary;
      out.data = text.substr(1, text.size() - 2);
    } else {
      return false;
    }
    return true;
  }

  bool headers() {
    if (literal("null")) return true;
    if (!take('[')) return false;
    if (take(']')) return true;
    do {
      if (header_count_ == kMaxHeaders || !take('{')) return false;
      Header& h = headers_[header_count_++];
      bool has_name = false, seen_value = false;
      do {
        std::string_view name;
        if (!string(name) || !take(':')) return false;
        if (is(name, "name") && !has_name) {
          has_name = true;
          if (!string(h.name)) return false;
        } else if (is(name, "value") && !seen_value) {
          seen_value = true;
          if (literal("null")) continue;
          h.has_value = true;
          if (!string(h.value)) return false;
        } else {
          return false;
        }
      } while (take(','));
      if (!take('}') || !has_name) return false;
    } while (take(','));
    return take(']');
  }

  bool partition_id() {
    if (literal("null")) return true;
    const char* const start = p_;
    // Non-negative and at most 9 digits: an int (a negative one is left to the DOM path).
    if (!at('-') && integer() && p_ - start <= 9) {
      has_partition_ = true;
      partition_ = 0;
      for (const char* d = start; d != p_; ++d)
        partition_ = partition_ * 10 + (*d - '0');
      return true;
    }
    return false;
  }

  bool record() {
    if (!take('{')) return false;
    if (take('}')) return true;
    enum Field { key, value_field, headers_field, partition, timestamp, id, count };
    bool seen[count] = {};
    do {
      std::string_view name;
      if (!string(name) || !take(':')) return false;
      const Field f = is(name, "key")            ? key
                      : is(name, "value")        ? value_field
                      : is(name, "headers")      ? headers_field
                      : is(name, "partition_id") ? partition
                      : is(name, "timestamp")    ? timestamp
                      : is(name, "id")           ? id
                                                 : count;
      if (f == count || seen[f]) return false;
      seen[f] = true;
      bool ok = false;
      switch (f) {
        case key:
          ok = data(key_);
          break;
        case value_field:
          ok = data(value_);
          break;
        case headers_field:
          ok = headers();
          break;
        case partition:
          ok = partition_id();
          break;
        case timestamp:
        case id:
          ok = value(1);  // not used, but valid JSON
          break;
        case count:
          break;
      }
      if (!ok) return false;
    } while (take(','));
    return take('}');
  }

  const char* p_;
  const char* const end_;
  Data key_, value_;
  Header headers_[kMaxHeaders];
  std::size_t header_count_ = 0;
  bool has_partition_ = false;
  int partition_ = 0;
};

// Validates `record` into a new Pending, its bytes appended to `block` (nothing appended when
// it is invalid).
Pending& validate_pending(const rapidjson::Value& record, std::string& block,
                          std::vector<Pending>& pending) {
  Pending& p = pending.emplace_back();
  p.stored.begin = static_cast<std::uint32_t>(block.size());
  try {
    validate(record, block, p.stored, p.partition);
    p.valid = true;
  } catch (const RecordError& e) {
    p.error = e;
    block.resize(p.stored.begin);
  }
  return p;
}

}  // namespace

FastRestProxy::FastRestProxy(FastRestProxyOptions options)
    : options_(std::move(options)),
      expected_authorization_(
          options_.api_key.empty()
              ? std::string()
              : "Basic " + encode_base64(options_.api_key + ":" + options_.api_secret)),
      server_([this](const ServerRequest& r) { return handle(r); }) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [name, partitions] : options_.topics) {
    Topic t;
    t.partitions = std::max(1, partitions);
    t.next_offset.assign(static_cast<std::size_t>(t.partitions), 0);
    topics_[name] = std::move(t);
  }
}

std::string FastRestProxy::url() const {
  return server_.url("");
}

std::size_t FastRestProxy::accepted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return accepted_;
}
std::size_t FastRestProxy::rejected() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rejected_;
}
std::size_t FastRestProxy::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

Action FastRestProxy::handle(const ServerRequest& request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++requests_;
  }
  if (request.body.size() > kMaxBodyBytes) return error(413, 413, "Request Entity Too Large");
  std::string path = request.target.substr(0, request.target.find('?'));
  // /kafka/v3/clusters/{cluster}/topics/{topic}/records[:batch]
  const std::string prefix = "/kafka/v3/clusters/";
  std::string cluster, topic_name;
  bool batch = false;
  bool matched = false;
  if (request.method == "POST" && path.rfind(prefix, 0) == 0) {
    const std::string rest = path.substr(prefix.size());
    const auto slash = rest.find('/');
    const std::string topics = "/topics/";
    if (slash != std::string::npos && rest.compare(slash, topics.size(), topics) == 0) {
      cluster = rest.substr(0, slash);
      const std::string tail = rest.substr(slash + topics.size());
      const auto end = tail.find('/');
      if (end != std::string::npos && end > 0) {
        topic_name = tail.substr(0, end);
        const std::string what = tail.substr(end);
        matched = what == "/records" || what == "/records:batch";
        batch = what == "/records:batch";
      }
    }
  }
  if (!matched || cluster.empty()) return error(404, 404, "Not Found");
  if (!expected_authorization_.empty() &&
      request.header("authorization") != expected_authorization_) {
    return error(401, 40101, "Unauthorized");
  }
  if (cluster != options_.cluster_id) return error(404, 40401, "Cluster " + cluster + " not found");
  Topic* topic = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = topics_.find(topic_name);
    if (it != topics_.end()) topic = &it->second;  // topics_ never changes after construction
  }
  if (!topic) return error(404, 40403, "Topic " + topic_name + " not found");
  std::string content_type = request.header("content-type");
  content_type = content_type.substr(0, content_type.find(';'));
  content_type.erase(std::remove(content_type.begin(), content_type.end(), ' '),
                     content_type.end());
  std::transform(content_type.begin(), content_type.end(), content_type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (content_type != "application/json") {
    return error(
        415, 415,
        "HTTP 415 Unsupported Media Type: " + (content_type.empty() ? "none" : content_type));
  }
  if (!valid_utf8(request.body)) return error(400, 400, "Bad Request: body is not UTF-8");
  return batch ? produce_batch(*topic, topic_name, request.body)
               : produce_stream(*topic, topic_name, request.body);
}

void FastRestProxy::place(Topic& topic, Stored& s, std::string_view key,
                          std::optional<int> partition) {
  int p;
  if (partition) {
    p = *partition;
  } else if (s.key_type != DataType::none) {
    p = static_cast<int>((murmur2(key) & 0x7fffffffu) % static_cast<unsigned>(topic.partitions));
  } else {
    p = static_cast<int>(topic.round_robin++ % static_cast<unsigned>(topic.partitions));
  }
  s.partition = p;
  s.offset = topic.next_offset[static_cast<std::size_t>(p)]++;
}

Action FastRestProxy::produce_stream(Topic& topic, const std::string& name,
                                     const std::string& body) {
  // Concatenated ProduceRequest objects, each parsed in place into a stack-buffered document and
  // validated outside the lock, their bytes appended to one block; placing and storing happen
  // under the lock, once for the whole request, in order.
  std::string block;
  block.reserve(body.size() / 2);             // decoded records are smaller than their JSON
  thread_local std::vector<Pending> pending;  // keeps its capacity between requests
  pending.clear();
  pending.reserve(body.size() / 256 + 1);
  std::string parse_error;
  // A parse-in-place copy of the body for the DOM path, made when a record first needs it. The
  // stream's head is the copy's start, so Tell() and error offsets count from the body's start.
  thread_local std::string text;
  bool copied = false;
  rapidjson::InsituStringStream stream(nullptr);
  std::size_t pos = 0;
  while (true) {
    while (pos < body.size() &&
           (body[pos] == ' ' || body[pos] == '\t' || body[pos] == '\r' || body[pos] == '\n'))
      ++pos;
    if (pos >= body.size() || body[pos] == '\0') break;
    {
      Pending& p = pending.emplace_back();
      p.stored.begin = static_cast<std::uint32_t>(block.size());
      std::size_t used = 0;
      if (FastRecord(body.data() + pos, body.data() + body.size())
              .read(block, p.stored, p.partition, used)) {
        p.valid = true;
        pos += used;
        continue;
      }
      pending.pop_back();
    }
    if (!copied) {
      text.assign(body);
      stream = rapidjson::InsituStringStream(text.data());
      copied = true;
    }
    stream.src_ = text.data() + pos;
    // Values and the parse stack in stack buffers: no heap allocation per record.
    alignas(8) char buffer[16384];
    alignas(8) char parse_stack[2048];
    rapidjson::MemoryPoolAllocator<> allocator(buffer, sizeof buffer);
    rapidjson::MemoryPoolAllocator<> stack_allocator(parse_stack, sizeof parse_stack);
    rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                               rapidjson::MemoryPoolAllocator<>>
        doc(&allocator, sizeof parse_stack, &stack_allocator);
    const std::size_t start = stream.Tell();
    doc.ParseStream<rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseInsituFlag>(stream);
    if (doc.HasParseError()) {
      parse_error = std::string("Bad Request: ") +
                    rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                    std::to_string(start + doc.GetErrorOffset());
      break;
    }
    validate_pending(doc, block, pending);
    pos = stream.Tell();
  }
  if (pos < body.size() && parse_error.empty()) {
    parse_error = "Bad Request: unexpected NUL at offset " + std::to_string(pos);
  }
  const std::string iso = iso_now();
  const std::string where =
      "\"error_code\":200,\"cluster_id\":" + json_string(options_.cluster_id) +
      ",\"topic_name\":" + json_string(name) + ",";
  std::string out;
  out.reserve(pending.size() * 200);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto block_index = static_cast<std::uint32_t>(blocks_.size());
    const std::string* topic_name = &topics_.find(name)->first;
    for (auto& p : pending) {
      reject_unknown_partition(p, topic.partitions, name);
      if (!p.valid) {
        ++rejected_;
        out += error_body(p.error.code, p.error.message);
      } else {
        p.stored.topic = topic_name;
        p.stored.block = block_index;
        place(topic, p.stored, std::string_view(block).substr(p.stored.begin, p.stored.key_size),
              p.partition);
        append_success_report(out, where, p.stored, iso);
        store_.push_back(p.stored);
        ++accepted_;
      }
      out += "\r\n";
    }
    if (!parse_error.empty()) {
      ++rejected_;
      out += error_body(400, parse_error) + "\r\n";
    }
    blocks_.push_back(std::move(block));
  }
  std::vector<std::string> parts;
  if (!out.empty()) parts.push_back(std::move(out));
  return Action::chunked(200, {{"Content-Type", "application/json"}}, std::move(parts));
}

Action FastRestProxy::produce_batch(Topic& topic, const std::string& name,
                                    const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) {
    return error(400, 400,
                 std::string("Bad Request: ") + rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject() || doc.MemberCount() != 1 || !doc.HasMember("entries") ||
      !doc["entries"].IsArray()) {
    return error(400, 400, "Bad Request: expected {\"entries\": [...]}");
  }
  const auto& entries = doc["entries"];
  if (entries.Size() > options_.max_batch_entries) {
    return error(400, 40002,
                 "Bad Request: too many entries (" + std::to_string(entries.Size()) + " > " +
                     std::to_string(options_.max_batch_entries) + ")");
  }
  std::set<std::string> ids;
  std::string block;
  std::vector<Pending> pending;
  pending.reserve(entries.Size());
  for (const auto& e : entries.GetArray()) {
    const auto* id = e.IsObject() ? member(e, "id") : nullptr;
    if (!id || !id->IsString() || id->GetStringLength() < 1 || id->GetStringLength() > 80 ||
        !ids.insert(id->GetString()).second) {
      return error(400, 400, "Bad Request: every entry needs a unique id of 1 to 80 characters");
    }
    validate_pending(e, block, pending).id = id->GetString();
  }
  const std::string iso = iso_now();
  std::string successes, failures;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto block_index = static_cast<std::uint32_t>(blocks_.size());
    const std::string* topic_name = &topics_.find(name)->first;
    for (auto& p : pending) {
      reject_unknown_partition(p, topic.partitions, name);
      if (!p.valid) {
        ++rejected_;
        failures += (failures.empty() ? "" : ",") + error_body(p.error.code, p.error.message, p.id);
        continue;
      }
      p.stored.topic = topic_name;
      p.stored.block = block_index;
      place(topic, p.stored, std::string_view(block).substr(p.stored.begin, p.stored.key_size),
            p.partition);
      const std::string where = "\"id\":" + json_string(p.id) +
                                ",\"cluster_id\":" + json_string(options_.cluster_id) +
                                ",\"topic_name\":" + json_string(name) + ",";
      if (!successes.empty()) successes += ',';
      append_success_report(successes, where, p.stored, iso);
      store_.push_back(p.stored);
      ++accepted_;
    }
    blocks_.push_back(std::move(block));
  }
  return Action::respond(207, {{"Content-Type", "application/json"}},
                         "{\"successes\":[" + successes + "],\"failures\":[" + failures + "]}");
}

rapidjson::Document FastRestProxy::records(const std::string& topic) const {
  rapidjson::Document out(rapidjson::kArrayType);
  auto& a = out.GetAllocator();
  auto text = [&](const char* p, std::uint32_t size) {
    return rapidjson::Value(p, static_cast<rapidjson::SizeType>(size), a);
  };
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& s : store_) {
    if (!topic.empty() && *s.topic != topic) continue;
    const char* p = blocks_[s.block].data() + s.begin;
    rapidjson::Value r(rapidjson::kObjectType);
    r.AddMember("topic", text(s.topic->data(), static_cast<std::uint32_t>(s.topic->size())), a);
    r.AddMember("partition", s.partition, a);
    r.AddMember("offset", s.offset, a);
    r.AddMember("key", s.key_type != DataType::none ? text(p, s.key_size) : rapidjson::Value(), a);
    p += s.key_size;
    rapidjson::Value value;
    if (s.value_type == DataType::json) {
      rapidjson::Document parsed(&a);
      parsed.Parse(p, s.value_size);
      value.CopyFrom(parsed, a);
    } else if (s.value_type != DataType::none) {
      value = text(p, s.value_size);
    }
    p += s.value_size;
    r.AddMember("value", value, a);
    r.AddMember("value_type",
                s.value_type != DataType::none ? rapidjson::Value(type_name(s.value_type), a)
                                               : rapidjson::Value(),
                a);
    rapidjson::Value headers(rapidjson::kArrayType);
    for (std::uint32_t i = 0; i < s.headers; ++i) {
      rapidjson::Value h(rapidjson::kObjectType);
      const std::uint32_t name_size = read_u32(p);
      h.AddMember("name", text(p, name_size), a);
      p += name_size;
      const std::uint32_t value_size = read_u32(p);
      if (value_size == kNullHeader) {
        h.AddMember("value", rapidjson::Value(), a);
      } else {
        h.AddMember("value", text(p, value_size), a);
        p += value_size;
      }
      headers.PushBack(h, a);
    }
    r.AddMember("headers", headers, a);
    out.PushBack(r, a);
  }
  return out;
}

}  // namespace eventdest::test
