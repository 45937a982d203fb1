target_sources(eventdest PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/sigv4.cpp
)
