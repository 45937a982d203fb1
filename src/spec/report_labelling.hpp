// A destination that can put the Router's destination_id into its own reports. Why: otherwise
// the Router copies every report (strings and all) to add the id on the reporting thread.
#pragma once

#include <string>

namespace eventdest::detail {

class ReportLabelling {
 public:
  /// Every report made after this call carries `destination_id`. Called once, before the first
  /// publish() (the Router does so right after building the destination).
  virtual void label_reports(const std::string& destination_id) = 0;

 protected:
  ~ReportLabelling() = default;
};

}  // namespace eventdest::detail
