// Nesting limit for JSON we did not write: input events and every response body read from the
// network. RapidJSON's default reader recurses once per level, and whatever works on a DOM
// afterwards (writers, JMESPath, comparisons) recurses too, so a few hundred thousand `[` would
// overflow the stack. Untrusted text is therefore parsed by the iterative reader through a
// handler that stops at the limit, before any deeper DOM exists.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstddef>

namespace eventdest::detail {

/// Deepest nesting of arrays and objects accepted in an input event (its `data` included) and in
/// any response body; an event nested deeper is an `invalid_event`, a response a malformed one.
/// Documented in the README.
constexpr std::size_t kMaxJsonDepth = 512;

/// Forwards SAX events to `Handler`, failing the parse (kParseErrorTermination) at the first
/// array or object nested more than `max_depth` levels.
template <typename Handler>
class DepthLimitedHandler {
 public:
  using Ch = char;
  using SizeType = rapidjson::SizeType;

  explicit DepthLimitedHandler(Handler& handler, std::size_t max_depth = kMaxJsonDepth)
      : handler_(handler), max_depth_(max_depth) {}

  /// True when the parse stopped because of the limit.
  bool too_deep() const noexcept { return too_deep_; }

  bool Null() { return handler_.Null(); }
  bool Bool(bool b) { return handler_.Bool(b); }
  bool Int(int i) { return handler_.Int(i); }
  bool Uint(unsigned i) { return handler_.Uint(i); }
  bool Int64(std::int64_t i) { return handler_.Int64(i); }
  bool Uint64(std::uint64_t i) { return handler_.Uint64(i); }
  bool Double(double d) { return handler_.Double(d); }
  bool RawNumber(const Ch* s, SizeType n, bool copy) { return handler_.RawNumber(s, n, copy); }
  bool String(const Ch* s, SizeType n, bool copy) { return handler_.String(s, n, copy); }
  bool Key(const Ch* s, SizeType n, bool copy) { return handler_.Key(s, n, copy); }
  bool StartObject() { return enter() && handler_.StartObject(); }
  bool EndObject(SizeType members) {
    --depth_;
    return handler_.EndObject(members);
  }
  bool StartArray() { return enter() && handler_.StartArray(); }
  bool EndArray(SizeType elements) {
    --depth_;
    return handler_.EndArray(elements);
  }

 private:
  bool enter() {
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }

  Handler& handler_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
};

/// The outcome of a depth-limited parse.
struct JsonParseResult {
  rapidjson::ParseResult result;
  bool too_deep = false;  ///< refused for nesting deeper than the limit
  bool ok() const noexcept { return !result.IsError(); }
};

/// Reads one JSON text from `input` into the SAX `handler` without recursion, refusing nesting
/// deeper than `max_depth`.
template <unsigned Flags = 0, typename Reader, typename InputStream, typename Handler>
JsonParseResult parse_json_limited(Reader& reader, InputStream& input, Handler& handler,
                                   std::size_t max_depth = kMaxJsonDepth) {
  DepthLimitedHandler<Handler> limited(handler, max_depth);
  JsonParseResult out;
  out.result = reader.template Parse<Flags | rapidjson::kParseIterativeFlag>(input, limited);
  out.too_deep = limited.too_deep();
  return out;
}

/// doc.Parse<Flags>(s, n) for untrusted text: iterative, depth-limited. On failure `doc` is left
/// null (check the result, not doc.HasParseError()).
template <unsigned Flags = 0, typename Document>
JsonParseResult parse_document_limited(Document& doc, const char* s, std::size_t n,
                                       std::size_t max_depth = kMaxJsonDepth) {
  JsonParseResult out;
  // Populate() moves the finished root out of the document's stack, as Parse() does; the
  // generator decides success.
  auto generate = [&](auto& document_handler) {
    rapidjson::MemoryStream memory(s, n);
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(memory);
    // The reader's state stack starts on the stack: no allocation for documents of ordinary
    // depth (a default reader mallocs it per parse).
    alignas(8) char reader_stack[1024];
    rapidjson::MemoryPoolAllocator<> reader_allocator(reader_stack, sizeof reader_stack);
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>
        reader(&reader_allocator, sizeof reader_stack / 2);
    out = parse_json_limited<Flags>(reader, input, document_handler, max_depth);
    return out.ok();
  };
  doc.SetNull();
  doc.Populate(generate);
  return out;
}

}  // namespace eventdest::detail
