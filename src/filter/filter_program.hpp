// The compiled form of a filter (internal): a tree mirroring the filter's JSON with everything
// the evaluator looks up per event decided once ($not, $or, $ref, the operators of an object).
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "filter/js_semantics.hpp"

namespace eventdest::filter_detail {

enum class Op { eq, neq, in, nin, starts_with, ends_with, gte, gt, lte, lt, exist };

/// A parsed `$ref` path: member names and indexes; `placeholder` stands for `[$index]`.
struct RefStep {
  enum Kind { member, index, placeholder } kind;
  std::string name;
  unsigned long number = 0;
};

struct Node {
  rapidjson::Type type = rapidjson::kNullType;
  bool boolean = false;
  double number = 0;
  std::string string;  // string value; JSON.stringify text for arrays and objects
  bool truthy = false;
  // Arrays: the elements (key = index). Objects: the members, last duplicate wins.
  std::vector<std::pair<std::string, Node>> entries;
  /// Objects: how the entries loop of the reference treats each entry (parallel to entries).
  enum class Role : unsigned char { field, skip_not, or_list, and_list };
  std::vector<Role> roles;
  // Objects only: indexes into entries, -1 when absent (or when JavaScript would ignore it).
  int not_entry = -1;        // "$not" with a truthy value
  int or_entry = -1;         // "$or" holding an array
  int ref_entry = -1;        // "$ref" with a truthy value
  bool exist_false = false;  // "$exist": false (a missing field may still match)
  std::vector<std::pair<Op, int>> ops;
  // String nodes used as a `$ref` value: the parsed path (ref_ok false: not a supported path).
  bool ref_ok = false;
  std::vector<RefStep> ref_steps;
  std::size_t ref_placeholders = 0;

  bool is_object() const { return type == rapidjson::kObjectType; }
  bool is_array() const { return type == rapidjson::kArrayType; }
  bool is_primitive() const { return !is_object() && !is_array(); }
  Prim prim() const;
};

/// Builds the tree for any JSON value (never fails: unsupported parts behave as the reference
/// implementation does at run time).
void build_node(const rapidjson::Value& v, Node& out);
/// Parses `path` as a `$ref` path into `node` (sets ref_ok).
void parse_ref_path(const std::string& path, Node& node);

/// The members of the event document {id, topic, time, metadata, data}, as bits.
enum RootField : unsigned {
  root_id = 1,
  root_topic = 2,
  root_time = 4,
  root_metadata = 8,
  root_data = 16,
  root_all = 31
};

struct Program {
  std::string text;
  Node root;
  bool uses_refs = false;    // some `$ref`: evaluation tracks array indexes and reads the root
  unsigned root_fields = 0;  // the event document members evaluation may read (RootField bits)
};

/// Sets program.uses_refs and program.root_fields from program.root.
void analyse(Program& program);

/// Whether `doc` matches (simple-json-match's matchJsonToSchema(doc, filter)).
bool evaluate(const Program& program, const rapidjson::Value& doc);

}  // namespace eventdest::filter_detail
