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
#include <cstring>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>

#include "event/event_internals.hpp"
#include "event/event_line.hpp"
#include "event/event_text.hpp"
#include "event/json_validation.hpp"
#include "eventdest/error.hpp"
#include "eventdest/json_dom.hpp"
#include "util/json_depth.hpp"
#include "util/json_scan.hpp"
#include "util/json_skip.hpp"
#include "util/json_util.hpp"

namespace eventdest {

struct Event::Data {
  /// Keeps `text` (given by the caller: moved, not copied).
  explicit Data(std::string text) : owned(std::move(text)), raw(owned) {}
  /// Copies `text` to `*bytes`: the room allocated after this object (make_data_copy()).
  Data(std::string_view text, char* const* bytes)
      : raw(static_cast<const char*>(std::memcpy(*bytes, text.data(), text.size())), text.size()) {}
  Data(const Data&) = delete;
  Data& operator=(const Data&) = delete;

  std::string owned;     ///< empty when the text is after this object
  std::string_view raw;  ///< the text, in `owned` or after this object
  mutable std::once_flag parsed;
  // Made on first use: a rapidjson::Document allocates its memory pool when constructed, a
  // malloc and a free per event that most events (sent as raw text) never need.
  mutable std::unique_ptr<rapidjson::Document> document;
};

namespace {

// Allocates the shared block of a data buffer with `extra` bytes after it for the text. Why: an
// event read from a line otherwise costs two allocations for its data (the block and the
// string's buffer), and a destination that holds events long (one that is down) hands both back
// to the allocator cold.
template <class T>
struct TrailingBytesAllocator {
  using value_type = T;
  TrailingBytesAllocator(std::size_t extra_bytes, char** where) noexcept
      : extra(extra_bytes), bytes(where) {}
  template <class U>
  TrailingBytesAllocator(const TrailingBytesAllocator<U>& other) noexcept  // NOLINT: rebinding
      : extra(other.extra), bytes(other.bytes) {}

  T* allocate(std::size_t n) {
    char* block = static_cast<char*>(::operator new(n * sizeof(T) + extra));
    *bytes = block + n * sizeof(T);
    return reinterpret_cast<T*>(block);
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }

  template <class U>
  bool operator==(const TrailingBytesAllocator<U>& other) const noexcept {
    return bytes == other.bytes;
  }
  template <class U>
  bool operator!=(const TrailingBytesAllocator<U>& other) const noexcept {
    return !(*this == other);
  }

  std::size_t extra;
  char** bytes;  ///< where allocate() says the extra bytes are: read during allocate_shared only
};

/// A data buffer holding a copy of `text`, in one allocation.
std::shared_ptr<const Event::Data> make_data_copy(std::string_view text) {
  char* bytes = nullptr;
  return std::allocate_shared<const Event::Data>(
      TrailingBytesAllocator<Event::Data>(text.size(), &bytes), text, &bytes);
}

using detail::has_invalid_string;
using detail::may_escape_invalid_unicode;
using detail::nul_problem;
using detail::parse_problem;
using detail::too_deep_problem;
using detail::validate_json;

// A string value whole (GetString() as a C string would stop at an escaped NUL).
std::string_view string_of(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

// An event whose data is `null` (the default, and every encoded record's) holds no buffer: a
// shared one's reference count, changed by every thread making or dropping such events, moved
// between cores on each. This one is only lent, for its DOM.
const std::shared_ptr<const Event::Data>& null_data() {
  static const auto data = std::make_shared<const Event::Data>("null");
  return data;
}

// Outpost's publish body fields are accepted (and ignored where they mean nothing here) so its
// events can be piped in unchanged; anything else is most likely a typo.
constexpr std::string_view kEventFields[] = {
    "id", "topic", "time", "metadata", "data", "tenant_id", "destination_id", "eligible_for_retry"};

// The index of `name` in kEventFields, or -1.
int event_field_index(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kEventFields); ++i) {
    if (kEventFields[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// The metadata's number values of the input line `json` (a valid JSON object with a "metadata"
// object) as written, e.g. 2.50 stays "2.50" (a DOM would give the double 2.5).
std::map<std::string, std::string> number_texts(std::string_view json) {
  std::map<std::string, std::string> out;
  const auto raw = detail::find_json_member(json, "metadata");
  if (!raw) return out;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseNumbersAsStringsFlag>(raw->data(), raw->size());
  if (!doc.IsObject()) return out;
  for (const auto& m : doc.GetObject())
    if (m.value.IsString()) out.emplace(string_of(m.name), string_of(m.value));
  return out;
}

}  // namespace

Event::Event() {
  detail::EventInternals::fill_unset(*this, false, false);
}

void detail::EventInternals::fill_unset(Event& e, bool id_set, bool time_set) {
  if (id_set && time_set) return;
  const auto now = Clock::now();
  if (!id_set) e.id_ = event_id_at(now);
  if (!time_set) e.time_ = now;
}

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
  return data_ ? data_->raw : std::string_view("null");
}

Event& Event::set_data(std::string json) {
  if (json == "null") {  // the default data: no buffer
    data_.reset();
    return *this;
  }
  auto error = validate_json(json);
  if (!error.empty()) throw EventError("data", "not valid JSON: " + error);
  data_ = std::make_shared<const Data>(std::move(json));
  return *this;
}

const rapidjson::Value& data_document(const Event& event) {
  const auto& data =
      detail::EventInternals::data(event) ? detail::EventInternals::data(event) : null_data();
  std::call_once(data->parsed, [&data] {
    data->document = std::make_unique<rapidjson::Document>();
    data->document->Parse(data->raw.data(), data->raw.size());
  });
  return *data->document;
}

std::size_t Event::approximate_size() const noexcept {
  std::size_t size = sizeof(Event) + id_.size() + topic_.size() + data().size();
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
  const std::string_view data_text = data();
  writer.RawValue(data_text.data(), data_text.size(), rapidjson::kObjectType);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Event Event::from_json(std::string_view json) {
  // Most lines are plain: read without a DOM. The full reader decides everything else and words
  // every error.
  detail::EventLine plain;
  if (detail::read_plain_event_line(json, plain)) {
    Clock::time_point time{};
    if (!plain.time || parse_rfc3339(*plain.time, time)) {
      Event event(Unset{});
      const bool has_id = plain.id && !plain.id->empty();  // an empty id asks for a new one
      if (has_id) event.id_.assign(plain.id->data(), plain.id->size());
      event.topic_.assign(plain.topic.data(), plain.topic.size());
      if (plain.time) event.time_ = time;
      for (std::size_t i = 0; i < plain.metadata_count; ++i) {
        const auto& [key, value] = plain.metadata[i];
        event.metadata_.emplace_hint(event.metadata_.end(), std::string(key), std::string(value));
      }
      detail::EventInternals::fill_unset(event, has_id, plain.time.has_value());
      event.data_ = make_data_copy(plain.data);
      return event;
    }
  }
  return detail::EventInternals::from_json_full(json);
}

Event detail::EventInternals::from_json_full(std::string_view json) {
  if (auto problem = nul_problem(json); !problem.empty()) throw EventError("event", problem);
  // The line's DOM lives only for this call: its pool starts in a buffer on the stack, so a
  // typical line costs no allocation (a default Document mallocs and frees a 64 KiB chunk per
  // line). Longer lines spill to the heap as usual.
  alignas(8) char value_buffer[8192];
  alignas(8) char stack_buffer[4096];
  rapidjson::MemoryPoolAllocator<> value_allocator(value_buffer, sizeof value_buffer);
  rapidjson::MemoryPoolAllocator<> stack_allocator(stack_buffer, sizeof stack_buffer);
  rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                             rapidjson::MemoryPoolAllocator<>>
      doc(&value_allocator, sizeof stack_buffer / 2, &stack_allocator);
  const auto parsed = detail::parse_document_limited<rapidjson::kParseValidateEncodingFlag>(
      doc, json.data(), json.size());
  if (parsed.too_deep) throw EventError("event", too_deep_problem());
  if (!parsed.ok()) throw EventError("event", "not valid JSON: " + parse_problem(parsed.result));
  if (!doc.IsObject()) throw EventError("event", "must be a JSON object");

  // Strings are taken whole (with their length): a C-string copy would cut them at an escaped
  // NUL, and ids, topics and metadata holding one are refused (see event_text.hpp).
  std::vector<FieldProblem> problems;
  unsigned seen = 0;  // a bit per known field: no allocation for the usual line
  std::vector<std::string_view> unknown;
  for (const auto& member : doc.GetObject()) {
    const std::string_view name = string_of(member.name);
    const int known = event_field_index(name);
    if (known >= 0) {
      if (seen & (1u << known)) problems.push_back({detail::printable(name), "duplicate field"});
      seen |= 1u << known;
      continue;
    }
    if (std::find(unknown.begin(), unknown.end(), name) != unknown.end()) {
      problems.push_back({detail::printable(name), "duplicate field"});
    }
    unknown.push_back(name);
    problems.push_back({detail::printable(name), "unknown field"});
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

  Event event = unset();
  bool id_set = false, time_set = false;
  if (auto it = doc.FindMember("id"); it != doc.MemberEnd()) {
    if (auto id = text_field("id", it->value); id && !id->empty()) {  // empty: a new one
      event.id_ = std::string(*id);
      id_set = true;
    }
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
        time_set = true;
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
        time_set = true;
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
  } else if (auto raw = detail::find_json_member(json, "data")) {
    event.data_ = make_data_copy(*raw);
  } else {
    problems.push_back({"data", "could not be located"});  // unreachable for valid JSON
  }
  if (!problems.empty()) throw EventError(std::move(problems));
  fill_unset(event, id_set, time_set);
  return event;
}

}  // namespace eventdest
