target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/router.cpp
)
