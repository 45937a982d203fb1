target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/kafka_rest_destination.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rest_errors.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rest_record_encoder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rest_response_parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stream_report_check.cpp
)
target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/kafka_rest_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kafka_rest_type.cpp
)
