// JSON value equality for tests: numbers compare by value (1 == 1.0), objects ignore order.
#pragma once

#include <rapidjson/document.h>

namespace eventdest::test {

inline bool json_equal(const rapidjson::Value& a, const rapidjson::Value& b) {
  if (a.IsNumber() && b.IsNumber()) {
    if (a.IsInt64() && b.IsInt64()) return a.GetInt64() == b.GetInt64();
    return a.GetDouble() == b.GetDouble();
  }
  if (a.GetType() != b.GetType()) return false;
  switch (a.GetType()) {
    case rapidjson::kStringType:
      return a.GetStringLength() == b.GetStringLength() &&
             std::equal(a.GetString(), a.GetString() + a.GetStringLength(), b.GetString());
    case rapidjson::kArrayType:
      if (a.Size() != b.Size()) return false;
      for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
        if (!json_equal(a[i], b[i])) return false;
      }
      return true;
    case rapidjson::kObjectType:
      if (a.MemberCount() != b.MemberCount()) return false;
      for (const auto& m : a.GetObject()) {
        auto it = b.FindMember(m.name);
        if (it == b.MemberEnd() || !json_equal(m.value, it->value)) return false;
      }
      return true;
    default:
      return true;  // null, true, false: the type says it all
  }
}

}  // namespace eventdest::test
