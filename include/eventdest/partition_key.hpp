// Partition keys: a JMESPath template evaluated against {"metadata": {...}, "data": <data>}.
//
// Thread-safety: immutable after construction; key() may be called from many threads at once.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "eventdest/event.hpp"
#include "eventdest/export.hpp"
#include "eventdest/jmespath.hpp"

namespace eventdest {

class EVENTDEST_API PartitionKeyTemplate {
 public:
  /// An empty template: every key is the event id.
  PartitionKeyTemplate() = default;
  /// Compiles `expression` (empty: event-id keys). Throws jmespath::SyntaxError or
  /// jmespath::RuntimeError for an invalid template.
  explicit PartitionKeyTemplate(std::string_view expression);

  /// The key for `event` whose merged metadata is `metadata` (see merged_metadata()). Result to
  /// key: string as is; number as its JSON text; true/false; arrays and objects as compact JSON.
  /// Empty template, evaluation error, null or empty string: the event id.
  std::string key(const Event& event, const MetadataList& metadata) const;
  /// The template's result as key() writes it, or nullopt where key() falls back to the event
  /// id (empty template, evaluation error, null or empty string).
  std::optional<std::string> value(const Event& event, const MetadataList& metadata) const;
  /// Convenience: computes the merged metadata with `format` first.
  std::string key(const Event& event, TimestampFormat format = TimestampFormat::unix_seconds) const;

  bool empty() const noexcept { return !expression_.has_value(); }
  /// False when the template provably never reads `metadata`: key() may then be given an empty
  /// list instead of the merged metadata.
  bool reads_metadata() const noexcept { return reads_metadata_; }
  const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
  std::optional<jmespath::Expression> expression_;
  // False when the template provably never reads `data`: its DOM is then not even parsed.
  bool reads_data_ = false;
  bool reads_metadata_ = false;
  // True for `data.a.b` style templates: the key is read by a SAX scan of the data (no DOM).
  bool data_field_path_ = false;
};

/// Number of Unicode code points in UTF-8 `s` (Kinesis counts characters, not bytes).
EVENTDEST_API std::size_t utf8_length(std::string_view s) noexcept;
/// Kinesis' rule: 1..256 Unicode characters. Returns an empty string if valid, else why not.
EVENTDEST_API std::string check_kinesis_partition_key(std::string_view key);

}  // namespace eventdest
