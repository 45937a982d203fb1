// Opt-in RapidJSON DOM access: an event's data as a DOM and JMESPath evaluation against a DOM
// without copying it. The other public headers do not include RapidJSON; include this one (with
// RapidJSON 1.1 on the include path: `eventdest::rapidjson` in CMake) only where it is wanted.
//
// Thread-safety: as Event and jmespath::Expression (const access from many threads at once).
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "eventdest/event.hpp"
#include "eventdest/export.hpp"
#include "eventdest/jmespath.hpp"

namespace eventdest {

/// The event's data parsed to a DOM on first use (thread-safe, cached, shared by copies).
EVENTDEST_API const rapidjson::Value& data_document(const Event& event);

namespace jmespath {

/// One member of a root object given without copying its value (see evaluate()).
using RootField = std::pair<std::string_view, const rapidjson::Value*>;

/// Evaluates `expression` against `root`. Throws RuntimeError.
EVENTDEST_API Result evaluate(const Expression& expression, const rapidjson::Value& root);
/// Evaluates against an object whose members are `fields`, in order, without copying them: lets
/// hot callers (partition keys) keep the fields on the stack.
EVENTDEST_API Result evaluate(const Expression& expression, const RootField* fields,
                              std::size_t count);
inline Result evaluate(const Expression& expression, const std::vector<RootField>& fields) {
  return evaluate(expression, fields.data(), fields.size());
}

/// The value of a result (valid while the result and the evaluated input are alive).
EVENTDEST_API const rapidjson::Value& value(const Result& result) noexcept;

}  // namespace jmespath
}  // namespace eventdest
