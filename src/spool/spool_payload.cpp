#include "spool/spool_payload.hpp"

#include "event/time_text.hpp"
#include "util/json_util.hpp"

namespace eventdest::detail {

void write_spool_payload(const Event& event, std::string& out) {
  out.clear();
  out += "{\"id\":";
  append_json_string(out, event.id());
  out += ",\"topic\":";
  append_json_string(out, event.topic());
  out += ",\"time\":\"";
  append_event_time(out, event.time());
  out += "\",\"metadata\":";
  append_json_string_object(out, event.metadata());
  out += ",\"data\":";
  out += event.data();
  out += '}';
}

}  // namespace eventdest::detail
