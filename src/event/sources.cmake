target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/event.cpp
  ${CMAKE_CURRENT_LIST_DIR}/event_id.cpp
  ${CMAKE_CURRENT_LIST_DIR}/event_line.cpp
  ${CMAKE_CURRENT_LIST_DIR}/event_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_validation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/partition_key.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system_metadata.cpp
  ${CMAKE_CURRENT_LIST_DIR}/time_format.cpp
)
