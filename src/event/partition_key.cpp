#include "eventdest/partition_key.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "eventdest/json_dom.hpp"
#include "util/field_path_scan.hpp"
#include "util/json_parse.hpp"
#include "util/json_util.hpp"

namespace eventdest {
PartitionKeyTemplate::PartitionKeyTemplate(std::string_view expression) : text_(expression) {
  if (text_.empty()) return;
  expression_.emplace(jmespath::Expression::compile(text_));
  reads_data_ = expression_->may_read_root_field("data");
  reads_metadata_ = expression_->may_read_root_field("metadata");
  const auto& path = expression_->field_path();
  data_field_path_ = !path.empty() && path.front() == "data";
}

std::optional<std::string> PartitionKeyTemplate::value(const Event& event,
                                                       const MetadataList& metadata) const {
  if (!expression_) return std::nullopt;

  if (data_field_path_) {
    auto v = detail::scan_field_path(event.data(), expression_->field_path(), 1);
    switch (v.kind) {
      case detail::FieldPathValue::Kind::null:
        return std::nullopt;
      case detail::FieldPathValue::Kind::string:
        if (v.text.empty()) return std::nullopt;
        return std::move(v.text);
      case detail::FieldPathValue::Kind::boolean:
        return std::move(v.text);
      case detail::FieldPathValue::Kind::other:
      case detail::FieldPathValue::Kind::unreadable:
        break;  // numbers, arrays and objects are written as the evaluator gives them
    }
  }

  // The metadata object only references the strings of `metadata`, in a stack buffer for the
  // usual handful of keys.
  alignas(8) char buffer[1024];
  rapidjson::MemoryPoolAllocator<> allocator(buffer, sizeof buffer);
  rapidjson::Value meta(rapidjson::kObjectType);
  for (const auto& [name, value] : metadata) {
    rapidjson::Value k(rapidjson::StringRef(name.data(), name.size()));
    rapidjson::Value v(rapidjson::StringRef(value.data(), value.size()));
    meta.AddMember(k, v, allocator);
  }
  // The data is parsed into a stack-buffered pool for this evaluation only. Event's own cached
  // DOM (data_document(event)) would keep a 64 KiB RapidJSON chunk alive per buffered event. A
  // template that cannot read `data` skips the parse. Full precision: a number key is written
  // back as text, which must round-trip the publisher's number.
  alignas(8) char data_buffer[4096];
  alignas(8) char parse_stack[1024];
  rapidjson::MemoryPoolAllocator<> data_allocator(data_buffer, sizeof data_buffer);
  rapidjson::MemoryPoolAllocator<> stack_allocator(parse_stack, sizeof parse_stack);
  rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                             rapidjson::MemoryPoolAllocator<>>
      data(&data_allocator, sizeof parse_stack, &stack_allocator);
  const rapidjson::Value* data_value = nullptr;
  if (reads_data_) {
    const std::string_view raw = event.data();
    detail::parse_full_precision(data, raw.data(), raw.size());  // validated JSON
    data_value = &data;
  }
  const jmespath::RootField root[] = {{"metadata", &meta}, {"data", data_value}};

  try {
    const jmespath::Result result = jmespath::evaluate(*expression_, root, 2);
    const rapidjson::Value& v = jmespath::value(result);
    switch (v.GetType()) {
      case rapidjson::kNullType:
        return std::nullopt;
      case rapidjson::kStringType:
        if (v.GetStringLength() == 0) return std::nullopt;
        return std::string(v.GetString(), v.GetStringLength());
      case rapidjson::kTrueType:
        return "true";
      case rapidjson::kFalseType:
        return "false";
      default:
        return detail::compact_json(v);  // numbers as RapidJSON writes them, arrays, objects
    }
  } catch (const jmespath::RuntimeError&) {
    // A template that fails on some event (e.g. a type error on its data) gives no value.
    return std::nullopt;
  }
}

std::string PartitionKeyTemplate::key(const Event& event, const MetadataList& metadata) const {
  auto v = value(event, metadata);
  return v ? std::move(*v) : event.id();
}

std::string PartitionKeyTemplate::key(const Event& event, TimestampFormat format) const {
  if (!expression_) return event.id();
  return key(event, merged_metadata(event, format));
}

std::size_t utf8_length(std::string_view s) noexcept {
  std::size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

std::string check_kinesis_partition_key(std::string_view key) {
  const std::size_t n = utf8_length(key);
  if (n >= 1 && n <= 256) return {};
  return "partition key is " + std::to_string(n) + " characters; Kinesis allows 1 to 256";
}

}  // namespace eventdest
