// The registry behind parse_spec(), validate_spec() and make_destination(): every destination
// type, built-in or registered by the program, by name.
#pragma once

#include <optional>
#include <string_view>

#include "eventdest/spec.hpp"

namespace eventdest::detail {

/// The type named `name` (a copy: the registry may change meanwhile); nullopt when none is.
std::optional<DestinationType> find_destination_type(std::string_view name);

/// Called by each built-in type's register_<folder>_destination_type() (listed by CMake in the
/// generated builtin_destination_types.cpp). Does not replace a type the program registered.
void register_builtin_destination_type(DestinationType type);

/// Generated: calls register_<folder>_destination_type() for every folder in
/// EVENTDEST_DESTINATION_TYPES (src/CMakeLists.txt).
void register_builtin_destination_types();

}  // namespace eventdest::detail
