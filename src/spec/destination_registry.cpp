#include "spec/destination_registry.hpp"

#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

namespace eventdest {
namespace {

// Types in registration order: the built-in ones first, so error messages list them the same way
// in every program.
struct Registry {
  std::mutex mutex;
  std::vector<DestinationType> types;

  DestinationType* find(std::string_view name) {
    for (auto& t : types) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

void ensure_builtin_types() {
  static std::once_flag once;
  std::call_once(once, [] { detail::register_builtin_destination_types(); });
}

void check(const DestinationType& type) {
  if (type.name.empty()) throw std::invalid_argument("a destination type needs a name");
  if (!type.validate) {
    throw std::invalid_argument("destination type " + type.name + " needs a validate function");
  }
}

}  // namespace

namespace detail {

std::optional<DestinationType> find_destination_type(std::string_view name) {
  ensure_builtin_types();
  auto& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (const auto* t = r.find(name)) return *t;
  return std::nullopt;
}

void register_builtin_destination_type(DestinationType type) {
  check(type);
  auto& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.find(type.name) == nullptr) r.types.push_back(std::move(type));
}

}  // namespace detail

void register_destination_type(DestinationType type) {
  check(type);
  ensure_builtin_types();
  auto& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (auto* existing = r.find(type.name)) {
    *existing = std::move(type);
  } else {
    r.types.push_back(std::move(type));
  }
}

std::vector<std::string> destination_type_names() {
  ensure_builtin_types();
  auto& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& t : r.types)
    names.push_back(t.name);
  return names;
}

void register_destination_factory(const std::string& type, DestinationFactory factory) {
  ensure_builtin_types();
  auto& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (auto* existing = r.find(type)) {
    existing->create = std::move(factory);
    return;
  }
  DestinationType added;
  added.name = type;
  added.validate = [](const DestinationSpec&) { return std::vector<FieldProblem>{}; };
  added.create = std::move(factory);
  r.types.push_back(std::move(added));
}

bool has_destination_factory(const std::string& type) {
  auto found = detail::find_destination_type(type);
  return found && found->create;
}

}  // namespace eventdest
