#include "eventdest/filter.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>
#include <stdexcept>

#include "eventdest/error.hpp"
#include "eventdest/event.hpp"
#include "eventdest/json_dom.hpp"
#include "filter/filter_program.hpp"
#include "util/json_depth.hpp"

namespace eventdest {

namespace {

using filter_detail::Node;

bool known_operator(std::string_view key) {
  static const char* const names[] = {"$eq",       "$neq", "$in",  "$nin", "$startsWith",
                                      "$endsWith", "$gte", "$gt",  "$lte", "$lt",
                                      "$exist",    "$or",  "$and", "$not", "$ref"};
  for (const char* n : names)
    if (key == n) return true;
  return false;
}

// What cannot be evaluated as written. An operand of a type its operator does not take is not
// an error: it never matches, as in the reference (the conformance cases pin that).
void check(const Node& node, const std::string& path, std::vector<FieldProblem>& problems) {
  if (node.is_array()) {
    for (std::size_t i = 0; i < node.entries.size(); ++i)
      check(node.entries[i].second, path + "[" + std::to_string(i) + "]", problems);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [key, sub] : node.entries) {
    const std::string at = path + "." + key;
    if (!key.empty() && key[0] == '$' && !known_operator(key)) {
      problems.push_back({at,
                          "unknown operator (known: $eq $neq $gt $gte $lt $lte $in $nin "
                          "$startsWith $endsWith $exist $or $and $not $ref)"});
      continue;
    }
    if ((key == "$or" || key == "$and") && !sub.is_array()) {
      problems.push_back({at, "must be an array of conditions"});
      continue;
    }
    if (key == "$not" && !sub.truthy) {
      problems.push_back({at, "must be a condition (false, 0, \"\" and null would be ignored)"});
      continue;
    }
    if (key == "$ref" && sub.type == rapidjson::kStringType && !sub.ref_ok) {
      problems.push_back({at, "unsupported reference path \"" + sub.string +
                                  "\" (use names, [n], ['name'] and [$index], e.g. "
                                  "\"data.items[$index].id\")"});
      continue;
    }
    check(sub, at, problems);
  }
}

}  // namespace

Filter Filter::compile(std::string_view json, std::string_view field) {
  // Filters come from specs and the CLI: parsed without recursion, at most kMaxJsonDepth deep, so
  // neither this parse nor the evaluation's recursion over the filter can exhaust the stack.
  rapidjson::Document doc;
  const auto parsed = detail::parse_document_limited(doc, json.data(), json.size());
  if (parsed.too_deep)
    throw ConfigError(std::string(field),
                      "nested more than " + std::to_string(detail::kMaxJsonDepth) + " levels deep");
  if (!parsed.ok())
    throw ConfigError(std::string(field), std::string("invalid JSON: ") +
                                              rapidjson::GetParseError_En(parsed.result.Code()) +
                                              " at offset " +
                                              std::to_string(parsed.result.Offset()));
  auto program = std::make_shared<filter_detail::Program>();
  filter_detail::build_node(doc, program->root);
  filter_detail::analyse(*program);
  std::vector<FieldProblem> problems;
  check(program->root, std::string(field), problems);
  if (!problems.empty()) throw ConfigError(std::move(problems));
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  program->text.assign(buffer.GetString(), buffer.GetSize());
  return Filter(std::move(program));
}

Filter::Filter(std::shared_ptr<const filter_detail::Program> p) : program_(std::move(p)) {}
Filter::~Filter() = default;

const std::string& Filter::text() const noexcept {
  return program_->text;
}

bool Filter::matches(std::string_view json) const {
  rapidjson::Document doc;
  const auto parsed = detail::parse_document_limited(doc, json.data(), json.size());
  if (parsed.too_deep)
    throw std::invalid_argument("nested more than " + std::to_string(detail::kMaxJsonDepth) +
                                " levels deep");
  if (!parsed.ok())
    throw std::invalid_argument(std::string("not JSON: ") +
                                rapidjson::GetParseError_En(parsed.result.Code()));
  return filter_detail::evaluate(*program_, doc);
}

bool Filter::matches(const Event& event) const {
  using rapidjson::StringRef;
  using Value = rapidjson::Value;
  using filter_detail::RootField;
  const unsigned reads = program_->root_fields;
  // The document {id, topic, time, metadata, data} with only the members the filter may read,
  // strings by reference, in a pool on the stack (no allocation for small metadata).
  char pool[2048];
  rapidjson::MemoryPoolAllocator<> a(pool, sizeof pool);
  Value doc(rapidjson::kObjectType);
  if (reads & filter_detail::root_id)
    doc.AddMember("id", StringRef(event.id().data(), event.id().size()), a);
  if (reads & filter_detail::root_topic)
    doc.AddMember("topic", StringRef(event.topic().data(), event.topic().size()), a);
  std::string time;
  if (reads & filter_detail::root_time) {
    time = format_rfc3339(event.time());
    doc.AddMember("time", StringRef(time.data(), time.size()), a);
  }
  if (reads & filter_detail::root_metadata) {
    Value metadata(rapidjson::kObjectType);
    for (const auto& [k, v] : event.metadata())
      metadata.AddMember(StringRef(k.data(), k.size()), StringRef(v.data(), v.size()), a);
    doc.AddMember("metadata", metadata, a);
  }
  if (reads & filter_detail::root_data) {
    doc.AddMember("data", Value(), a);
    // The event's parsed data is lent, not copied: a bitwise view of the value. Values of a
    // memory-pool allocator free nothing when destroyed (kNeedFree is false), so the view never
    // releases the event's memory; the evaluation only reads it.
    static_assert(!rapidjson::MemoryPoolAllocator<>::kNeedFree,
                  "views need a non-freeing allocator");
    const Value& data = data_document(event);
    std::memcpy(static_cast<void*>(&(doc.MemberEnd() - 1)->value), static_cast<const void*>(&data),
                sizeof(Value));
  }
  return filter_detail::evaluate(*program_, doc);
}

}  // namespace eventdest
