target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/event.cpp
  ${CMAKE_CURRENT_LIST_DIR}/event_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/partition_key.cpp
)
