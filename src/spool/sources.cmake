target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/spool_inspect.cpp
  ${CMAKE_CURRENT_LIST_DIR}/spool_payload.cpp
  ${CMAKE_CURRENT_LIST_DIR}/spool_segment.cpp
  ${CMAKE_CURRENT_LIST_DIR}/spool_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/spooled_destination.cpp
)
