#include "event/event_line.hpp"

#include <cstddef>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "event/event_text.hpp"
#include "util/json_check.hpp"
#include "util/json_scan.hpp"

namespace eventdest::detail {
namespace {

constexpr int kMaxPlainDepth = 64;

// Strings of the data: valid UTF-8, and no \u escape (one may decode to a lone surrogate, which
// the full reader words as its own error).
bool plain_text(std::string_view content) {
  return content.find("\\u") == std::string_view::npos && is_valid_utf8(content);
}

// A line of ASCII without `\u` needs no check of its strings' text: each is valid UTF-8 and has
// no escape that could decode to a lone surrogate. One pass over the line instead of a check per
// string (a usual event has a dozen or more).
bool ascii_without_unicode_escapes(std::string_view line) {
  const char* p = line.data();
  const char* const end = p + line.size();
  unsigned char seen = 0;  // every byte OR-ed: bit 7 set if any is not ASCII
  bool backslash = false;  // only then can the line hold a \u
#if defined(__SSE2__)
  // Sixteen bytes at a time, the tests accumulated and read once after the loop.
  __m128i any = _mm_setzero_si128(), slashes = _mm_setzero_si128();
  const __m128i slash = _mm_set1_epi8('\\');
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    any = _mm_or_si128(any, v);
    slashes = _mm_or_si128(slashes, _mm_cmpeq_epi8(v, slash));
  }
  if (_mm_movemask_epi8(any) != 0) return false;
  backslash = _mm_movemask_epi8(slashes) != 0;
#endif
  for (; p != end; ++p) {
    seen |= static_cast<unsigned char>(*p);
    backslash |= *p == '\\';
  }
  return (seen & 0x80) == 0 && (!backslash || line.find("\\u") == std::string_view::npos);
}

// A string without escapes at the cursor: its content, accepted by the cursor's text check.
bool plain_string(JsonCheckCursor& r, std::string_view& content) {
  const char* const open = r.position();
  if (!r.eat('"')) return false;
  const char* const close = find_plain_string_end(open + 1, open + 1 + r.remaining());
  if (close == nullptr) return false;
  content = std::string_view(open + 1, static_cast<std::size_t>(close - open - 1));
  r.advance_to(close + 1);
  return r.text_ok(content);
}

// `{"key":"value",...}` of plain strings into out.metadata. Anything else (numbers and booleans,
// which the full reader keeps as their JSON text; null; duplicate keys, which it words as an
// error; more pairs than fit) is the full reader's.
bool plain_metadata(JsonCheckCursor& r, EventLine& out) {
  if (!r.eat('{')) return false;
  r.skip_space();
  if (r.eat('}')) return true;
  do {
    r.skip_space();
    std::string_view key, value;
    if (!plain_string(r, key)) return false;
    r.skip_space();
    if (!r.eat(':')) return false;
    r.skip_space();
    if (!plain_string(r, value)) return false;
    if (out.metadata_count == EventLine::kMaxMetadata) return false;
    for (std::size_t i = 0; i < out.metadata_count; ++i) {
      if (out.metadata[i].first == key) return false;
    }
    out.metadata[out.metadata_count++] = {key, value};
    r.skip_space();
  } while (r.eat(','));
  return r.eat('}');
}

}  // namespace

bool read_plain_event_line(std::string_view line, EventLine& out) {
  // Only the fields: pairs past metadata_count are never read, and all sixteen are half a
  // kilobyte to clear for every line.
  out.id.reset();
  out.topic = {};
  out.time.reset();
  out.data = {};
  out.metadata_count = 0;
  JsonCheckCursor r(line, kMaxPlainDepth,
                    ascii_without_unicode_escapes(line) ? nullptr : &plain_text);
  r.skip_space();
  if (!r.eat('{')) return false;
  bool have_topic = false, have_data = false, have_metadata = false;
  r.skip_space();
  if (r.eat('}')) return false;  // no topic, no data: the full reader says so
  do {
    r.skip_space();
    std::string_view key;
    if (!plain_string(r, key)) return false;
    r.skip_space();
    if (!r.eat(':')) return false;
    r.skip_space();
    std::string_view text;
    if (key == "data") {
      if (have_data) return false;
      const char* start = r.position();
      if (!r.value(1)) return false;
      out.data = std::string_view(start, static_cast<std::size_t>(r.position() - start));
      have_data = true;
    } else if (key == "metadata") {
      if (have_metadata || !plain_metadata(r, out)) return false;
      have_metadata = true;
    } else if (key == "topic" || key == "id" || key == "time") {
      if (!plain_string(r, text)) return false;
      if (key == "topic") {
        if (have_topic || text.empty()) return false;
        out.topic = text;
        have_topic = true;
      } else if (key == "id") {
        if (out.id) return false;
        out.id = text;
      } else {
        if (out.time) return false;
        out.time = text;
      }
    } else {
      return false;  // Outpost's other fields, unknown fields
    }
    r.skip_space();
  } while (r.eat(','));
  if (!r.eat('}')) return false;
  r.skip_space();
  return r.at_end() && have_topic && have_data;
}

}  // namespace eventdest::detail
