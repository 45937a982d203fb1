target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/filter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/filter_eval.cpp
  ${CMAKE_CURRENT_LIST_DIR}/js_semantics.cpp
)
