target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/config_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/destination.cpp
  ${CMAKE_CURRENT_LIST_DIR}/destination_registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/event_selector.cpp
  ${CMAKE_CURRENT_LIST_DIR}/spec.cpp
)
