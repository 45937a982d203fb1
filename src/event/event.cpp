#include "eventdest/event.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <set>

#include "event/event_internals.hpp"
#include "event/event_text.hpp"
#include "eventdest/error.hpp"
#include "eventdest/json_dom.hpp"
#include "util/json_depth.hpp"
#include "util/json_scan.hpp"
#include "util/json_util.hpp"

namespace eventdest {

struct Event::Data {
  explicit Data(std::string text) : raw(std::move(text)) {}
  std::string raw;
  mutable std::once_flag parsed;
  // Made on first use: a rapidjson::Document allocates its memory pool when constructed, a
  // malloc and a free per event that most events (sent as raw text) never need.
  mutable std::unique_ptr<rapidjson::Document> document;
};

namespace {

// A string value whole (GetString() as a C string would stop at an escaped NUL).
std::string_view string_of(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

// The events' data is shared immutable; `null` is the common default, so share one instance.
std::shared_ptr<const Event::Data> null_data() {
  static const auto data = std::make_shared<const Event::Data>("null");
  return data;
}

std::size_t skip_whitespace(std::string_view t, std::size_t i) {
  while (i < t.size() && detail::is_json_space(t[i]))
    ++i;
  return i;
}

// Returns the index just past the string literal starting at t[i] == '"'.
std::size_t skip_string(std::string_view t, std::size_t i) {
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == '"') {
      return i + 1;
    }
  }
  return t.size();
}

// Returns the index just past the JSON value starting at t[i].
std::size_t skip_value(std::string_view t, std::size_t i) {
  if (i >= t.size()) return i;
  if (t[i] == '"') return skip_string(t, i);
  if (t[i] == '{' || t[i] == '[') {
    int depth = 0;
    for (; i < t.size(); ++i) {
      const char c = t[i];
      if (c == '"') {
        i = skip_string(t, i) - 1;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return t.size();
  }
  while (i < t.size() && !detail::is_json_space(t[i]) && t[i] != ',' && t[i] != '}' &&
         t[i] != ']') {
    ++i;
  }
  return i;
}

// The exact bytes of the top-level member `name` of `t`, an already validated JSON object, so
// the publisher's JSON reaches Kafka/Kinesis byte for byte (a DOM round trip would re-serialise
// it). Keys written with escapes (e.g. "d\u0061ta") are decoded before comparing.
std::optional<std::string_view> find_member(std::string_view t, std::string_view name) {
  std::size_t i = skip_whitespace(t, 0);
  if (i >= t.size() || t[i] != '{') return std::nullopt;
  i = skip_whitespace(t, i + 1);
  while (i < t.size() && t[i] == '"') {
    const std::size_t key_end = skip_string(t, i);
    std::string_view key = t.substr(i + 1, key_end - i - 2);
    bool is_data = key == name;
    if (!is_data && key.find('\\') != std::string_view::npos) {
      rapidjson::Document decoded;
      std::string literal(t.substr(i, key_end - i));
      decoded.Parse(literal.c_str(), literal.size());
      is_data = decoded.IsString() && string_of(decoded) == name;
    }
    i = skip_whitespace(t, key_end);
    if (i < t.size() && t[i] == ':') i = skip_whitespace(t, i + 1);
    const std::size_t value_end = skip_value(t, i);
    if (is_data) return t.substr(i, value_end - i);
    i = skip_whitespace(t, value_end);
    if (i < t.size() && t[i] == ',') i = skip_whitespace(t, i + 1);
  }
  return std::nullopt;
}

// Raw bytes are validated by the reader (kParseValidateEncodingFlag refuses invalid UTF-8,
// encoded surrogates included); only a \u escape can decode to a string that is not valid
// Unicode (a lone surrogate such as "\udc00" becomes bytes that are not UTF-8, and would make
// the request that carries it invalid for the server). Text without one needs no further check.
bool may_escape_invalid_unicode(std::string_view text) {
  return text.find("\\u") != std::string_view::npos;
}

// Checks data JSON without building a DOM: the strings it decodes must be valid Unicode.
class DataValidator : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DataValidator> {
 public:
  explicit DataValidator(bool check_strings) : check_strings_(check_strings) {}
  bool bad_string = false;
  bool String(const char* s, rapidjson::SizeType n, bool) { return check(s, n); }
  bool Key(const char* s, rapidjson::SizeType n, bool) { return check(s, n); }

 private:
  bool check_strings_;
  bool check(const char* s, rapidjson::SizeType n) {
    if (!check_strings_ || detail::is_valid_utf8(std::string_view(s, n))) return true;
    bad_string = true;
    return false;
  }
};

// A NUL byte is never valid JSON, but rapidjson takes it for the end of the text and would
// ignore everything after it.
std::string nul_problem(std::string_view text) {
  const auto nul = text.find('\0');
  if (nul == std::string_view::npos) return {};
  return "contains a NUL byte (at offset " + std::to_string(nul) + ")";
}

std::string too_deep_problem() {
  return "nested more than " + std::to_string(detail::kMaxJsonDepth) + " levels deep";
}

std::string parse_problem(const rapidjson::ParseResult& result) {
  return std::string(rapidjson::GetParseError_En(result.Code())) + " (at offset " +
         std::to_string(result.Offset()) + ")";
}

std::string validate_json(std::string_view text) {
  if (auto problem = nul_problem(text); !problem.empty()) return problem;
  rapidjson::Reader reader;
  DataValidator handler(may_escape_invalid_unicode(text));
  // StringStream (NUL-terminated; the text has no NUL) reads faster than a MemoryStream.
  const std::string copy(text);
  rapidjson::StringStream stream(copy.c_str());
  // The recursive reader (faster than the iterative one here), its recursion bounded by the
  // depth limit: the handler stops the parse before a level deeper than that.
  detail::DepthLimitedHandler<DataValidator> limited(handler);
  const auto result = reader.Parse<rapidjson::kParseValidateEncodingFlag>(stream, limited);
  if (limited.too_deep()) return too_deep_problem();
  if (handler.bad_string) return "a string is not valid Unicode (a lone surrogate escape?)";
  if (result.IsError()) return parse_problem(result);
  return {};
}

// True when some string or key inside `root` is not valid UTF-8 (iterative: `root` is at most
// kMaxJsonDepth deep, but walks stay flat anyway).
bool has_invalid_string(const rapidjson::Value& root) {
  std::vector<const rapidjson::Value*> stack{&root};
  while (!stack.empty()) {
    const rapidjson::Value* v = stack.back();
    stack.pop_back();
    if (v->IsString()) {
      if (!detail::is_valid_utf8(std::string_view(v->GetString(), v->GetStringLength()))) {
        return true;
      }
    } else if (v->IsArray()) {
      for (const auto& e : v->GetArray())
        stack.push_back(&e);
    } else if (v->IsObject()) {
      for (const auto& m : v->GetObject()) {
        stack.push_back(&m.name);
        stack.push_back(&m.value);
      }
    }
  }
  return false;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm): no timegm,
// no time zone database.
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

void civil_from_days(long long z, long long& y, unsigned& m, unsigned& d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

const std::set<std::string_view>& known_event_fields() {
  // Outpost's publish body fields are accepted (and ignored where they mean nothing here) so
  // its events can be piped in unchanged; anything else is most likely a typo.
  static const std::set<std::string_view> fields = {
      "id",   "topic",     "time",           "metadata",
      "data", "tenant_id", "destination_id", "eligible_for_retry"};
  return fields;
}

// The metadata's number values of the input line `json` (a valid JSON object with a "metadata"
// object) as written, e.g. 2.50 stays "2.50" (a DOM would give the double 2.5).
std::map<std::string, std::string> number_texts(std::string_view json) {
  std::map<std::string, std::string> out;
  const auto raw = find_member(json, "metadata");
  if (!raw) return out;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseNumbersAsStringsFlag>(raw->data(), raw->size());
  if (!doc.IsObject()) return out;
  for (const auto& m : doc.GetObject())
    if (m.value.IsString()) out.emplace(string_of(m.name), string_of(m.value));
  return out;
}

}  // namespace

Event::Event() : id_(generate_event_id()), time_(Clock::now()), data_(null_data()) {}

Event::Event(std::string topic, std::string data_json) : Event() {
  std::vector<FieldProblem> problems;
  if (topic.empty()) problems.push_back({"topic", "must not be empty"});
  auto error = validate_json(data_json);
  if (!error.empty()) problems.push_back({"data", "not valid JSON: " + error});
  if (!problems.empty()) throw EventError(std::move(problems));
  topic_ = std::move(topic);
  data_ = std::make_shared<const Data>(std::move(data_json));
}

Event& Event::set_id(std::string id) {
  id_ = id.empty() ? generate_event_id() : std::move(id);
  return *this;
}

Event& Event::set_topic(std::string topic) {
  if (topic.empty()) throw EventError("topic", "must not be empty");
  topic_ = std::move(topic);
  return *this;
}

Event& Event::set_time(Clock::time_point t) noexcept {
  time_ = t;
  return *this;
}

Event& Event::set_metadata(Metadata m) {
  metadata_ = std::move(m);
  return *this;
}

std::string_view Event::data() const noexcept {
  return data_->raw;
}

Event& Event::set_data(std::string json) {
  if (json == "null") {  // the default data: share the one buffer
    data_ = null_data();
    return *this;
  }
  auto error = validate_json(json);
  if (!error.empty()) throw EventError("data", "not valid JSON: " + error);
  data_ = std::make_shared<const Data>(std::move(json));
  return *this;
}

const rapidjson::Value& data_document(const Event& event) {
  const auto& data = detail::EventInternals::data(event);
  std::call_once(data->parsed, [&data] {
    data->document = std::make_unique<rapidjson::Document>();
    data->document->Parse(data->raw.data(), data->raw.size());
  });
  return *data->document;
}

std::size_t Event::approximate_size() const noexcept {
  std::size_t size = sizeof(Event) + id_.size() + topic_.size() + data_->raw.size();
  for (const auto& [k, v] : metadata_)
    size += k.size() + v.size() + 64;
  return size;
}

std::string Event::to_json() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("id");
  writer.String(id_);
  writer.Key("topic");
  writer.String(topic_);
  writer.Key("time");
  writer.String(format_rfc3339(time_));
  writer.Key("metadata");
  writer.StartObject();
  for (const auto& [k, v] : metadata_) {
    writer.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
    writer.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  }
  writer.EndObject();
  writer.Key("data");
  writer.RawValue(data_->raw.data(), data_->raw.size(), rapidjson::kObjectType);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Event Event::from_json(std::string_view json) {
  if (auto problem = nul_problem(json); !problem.empty()) throw EventError("event", problem);
  rapidjson::Document doc;
  const auto parsed = detail::parse_document_limited<rapidjson::kParseValidateEncodingFlag>(
      doc, json.data(), json.size());
  if (parsed.too_deep) throw EventError("event", too_deep_problem());
  if (!parsed.ok()) throw EventError("event", "not valid JSON: " + parse_problem(parsed.result));
  if (!doc.IsObject()) throw EventError("event", "must be a JSON object");

  // Strings are taken whole (with their length): a C-string copy would cut them at an escaped
  // NUL, and ids, topics and metadata holding one are refused (see event_text.hpp).
  std::vector<FieldProblem> problems;
  std::set<std::string_view> seen;
  for (const auto& member : doc.GetObject()) {
    const std::string_view name = string_of(member.name);
    if (!seen.insert(name).second) problems.push_back({detail::printable(name), "duplicate field"});
    if (!known_event_fields().count(name)) {
      problems.push_back({detail::printable(name), "unknown field"});
    }
  }
  // A string field's text, or a problem recorded for it.
  auto text_field = [&problems](const char* field,
                                const rapidjson::Value& v) -> std::optional<std::string_view> {
    if (!v.IsString()) {
      problems.push_back({field, "must be a string"});
      return std::nullopt;
    }
    const std::string_view text = string_of(v);
    if (auto p = detail::text_problem(text); !p.empty()) {
      problems.push_back({field, std::string(p)});
      return std::nullopt;
    }
    return text;
  };

  Event event;
  if (auto it = doc.FindMember("id"); it != doc.MemberEnd()) {
    if (auto id = text_field("id", it->value)) event.set_id(std::string(*id));
  }
  auto topic = doc.FindMember("topic");
  if (topic == doc.MemberEnd()) {
    problems.push_back({"topic", "is required"});
  } else if (auto text = text_field("topic", topic->value)) {
    if (text->empty()) {
      problems.push_back({"topic", "must not be empty"});
    } else {
      event.topic_ = std::string(*text);
    }
  }
  if (auto it = doc.FindMember("time"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (it->value.IsString()) {
      Clock::time_point t;
      if (parse_rfc3339(string_of(it->value), t)) {
        event.time_ = t;
      } else {
        problems.push_back({"time", "must be an RFC 3339 time such as 2024-01-01T00:00:00Z"});
      }
    } else if (it->value.IsNumber()) {
      double seconds = it->value.GetDouble();
      // system_clock counts nanoseconds in 64 bits: it ends in April 2262.
      if (!std::isfinite(seconds) || seconds < 0 || seconds >= 9200000000.0) {
        problems.push_back({"time", "unix seconds out of range (0 to 9200000000)"});
      } else {
        event.time_ = Clock::time_point(
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
      }
    } else {
      problems.push_back({"time", "must be an RFC 3339 string or unix seconds"});
    }
  }
  if (auto it = doc.FindMember("metadata"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsObject()) {
      problems.push_back({"metadata", "must be an object of string values"});
    } else {
      std::optional<std::map<std::string, std::string>> numbers;  // read when needed
      for (const auto& m : it->value.GetObject()) {
        const std::string_view key = string_of(m.name);
        const std::string field = "metadata." + detail::printable(key);
        if (auto p = detail::text_problem(key); !p.empty()) {
          problems.push_back({field, "key " + std::string(p)});
        } else if (!m.value.IsString() && !m.value.IsNumber() && !m.value.IsBool()) {
          problems.push_back({field, "must be a string, number or boolean"});
        } else if (!m.value.IsString()) {
          // As Outpost: numbers keep their JSON text (3, 2.50), booleans become true/false.
          if (!numbers) numbers = number_texts(json);
          const auto written = numbers->find(std::string(key));
          auto text = m.value.IsBool() ? std::string(m.value.GetBool() ? "true" : "false")
                      : written != numbers->end() ? written->second
                                                  : detail::compact_json(m.value);
          if (!event.metadata_.emplace(key, std::move(text)).second) {
            problems.push_back({field, "duplicate key"});
          }
        } else if (auto p = detail::text_problem(string_of(m.value)); !p.empty()) {
          problems.push_back({field, std::string(p)});
        } else if (!event.metadata_.emplace(key, string_of(m.value)).second) {
          // As for top-level fields: which of two values was meant cannot be known.
          problems.push_back({field, "duplicate key"});
        }
      }
    }
  }

  if (doc.FindMember("data") == doc.MemberEnd()) {
    problems.push_back({"data", "is required"});
  } else if (may_escape_invalid_unicode(json) &&
             has_invalid_string(doc.FindMember("data")->value)) {
    problems.push_back({"data", "a string is not valid Unicode (a lone surrogate escape?)"});
  } else if (auto raw = find_member(json, "data")) {
    event.data_ = std::make_shared<const Data>(std::string(*raw));
  } else {
    problems.push_back({"data", "could not be located"});  // unreachable for valid JSON
  }
  if (!problems.empty()) throw EventError(std::move(problems));
  return event;
}

std::string generate_event_id() {
  // UUIDv7 (RFC 9562): 48-bit unix milliseconds, then a 12-bit counter that keeps ids generated
  // in the same millisecond ordered, then 62 random bits.
  static std::mutex mutex;
  static std::uint64_t last_ms = 0;
  static std::uint32_t counter = 0;
  thread_local std::mt19937_64 rng{
      std::random_device{}() ^ static_cast<std::uint64_t>(Clock::now().time_since_epoch().count())};
  std::uint64_t ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
          .count());
  std::uint32_t seq;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (ms <= last_ms) {
      ms = last_ms;
      if (++counter > 0xfff) {  // counter exhausted: borrow the next millisecond
        ++ms;
        counter = 0;
      }
    } else {
      counter = static_cast<std::uint32_t>(rng() & 0x3ff);  // random start leaves headroom
    }
    last_ms = ms;
    seq = counter;
  }
  std::uint64_t rand_b = rng();
  unsigned char b[16];
  for (int i = 0; i < 6; ++i)
    b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>(0x70 | ((seq >> 8) & 0x0f));
  b[7] = static_cast<unsigned char>(seq & 0xff);
  b[8] = static_cast<unsigned char>(0x80 | ((rand_b >> 56) & 0x3f));
  for (int i = 9; i < 16; ++i)
    b[i] = static_cast<unsigned char>(rand_b >> (8 * (15 - i)));
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 0xf]);
  }
  return out;
}

bool parse_rfc3339(std::string_view s, Clock::time_point& out) {
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' ||
      !digits(s, 17, 2, second)) {
    return false;
  }
  static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1] || hour > 23 ||
      minute > 59 || second > 60) {
    return false;
  }
  // system_clock counts nanoseconds in 64 bits: about 1678 to 2261 is representable.
  if (year < 1678 || year > 2261) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return false;
  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    std::int64_t scale = 100000000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return false;
  }
  std::int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return false;
    }
    offset_seconds = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t secs =
      days * 86400 + hour * 3600 + minute * 60 + std::min(second, 59) - offset_seconds;
  out = Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::seconds(secs) + std::chrono::nanoseconds(nanos)));
  return true;
}

std::string format_timestamp(Clock::time_point t, TimestampFormat format) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  auto floor_div = [](long long a, long long b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
  };
  switch (format) {
    case TimestampFormat::unix_seconds:
      return std::to_string(floor_div(ms, 1000));
    case TimestampFormat::unix_ms:
      return std::to_string(ms);
    case TimestampFormat::rfc3339:
    case TimestampFormat::rfc3339_ms: {
      long long secs = floor_div(ms, 1000);
      int millis = static_cast<int>(ms - secs * 1000);
      long long days = floor_div(secs, 86400);
      long long rem = secs - days * 86400;
      long long y;
      unsigned m, d;
      civil_from_days(days, y, m, d);
      char buf[96];  // room for any long long year: no truncation
      if (format == TimestampFormat::rfc3339_ms) {
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03dZ", y, m, d,
                      rem / 3600, rem / 60 % 60, rem % 60, millis);
      } else {
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", y, m, d,
                      rem / 3600, rem / 60 % 60, rem % 60);
      }
      return buf;
    }
  }
  return {};
}

std::string format_rfc3339(Clock::time_point t) {
  const bool whole =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000 ==
      0;
  return format_timestamp(t, whole ? TimestampFormat::rfc3339 : TimestampFormat::rfc3339_ms);
}

namespace {

// Emplaced, not from an initializer list (whose elements would be copied a second time).
void append_system_metadata(MetadataList& out, const Event& e, TimestampFormat format,
                            bool timestamp_ms) {
  out.emplace_back("event-id", e.id());
  out.emplace_back("topic", e.topic());
  out.emplace_back("timestamp", format_timestamp(e.time(), format));
  if (timestamp_ms)
    out.emplace_back("timestamp-ms", format_timestamp(e.time(), TimestampFormat::unix_ms));
}

}  // namespace

MetadataList system_metadata(const Event& e, TimestampFormat format, bool timestamp_ms) {
  MetadataList out;
  out.reserve(4);
  append_system_metadata(out, e, format, timestamp_ms);
  return out;
}

MetadataList merged_metadata(const Event& e, TimestampFormat format, const Metadata& extra,
                             bool timestamp_ms) {
  MetadataList out;
  out.reserve(4 + extra.size() + e.metadata().size());
  append_system_metadata(out, e, format, timestamp_ms);
  auto merge = [&out](const Metadata& m) {
    for (const auto& [k, v] : m) {
      auto it =
          std::find_if(out.begin(), out.end(), [&k = k](const auto& p) { return p.first == k; });
      if (it != out.end()) {
        it->second = v;
      } else {
        out.emplace_back(k, v);
      }
    }
  };
  merge(extra);
  merge(e.metadata());
  return out;
}

}  // namespace eventdest
