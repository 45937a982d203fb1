target_sources(eventdest PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/backoff.cpp
  ${CMAKE_CURRENT_LIST_DIR}/base64.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/delivery_pipeline.cpp
  ${CMAKE_CURRENT_LIST_DIR}/destination.cpp
  ${CMAKE_CURRENT_LIST_DIR}/error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/event.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_outcome.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_util.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kafka_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kafka_rest_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kinesis_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/log.cpp
  ${CMAKE_CURRENT_LIST_DIR}/latency_histogram.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pipeline_destination.cpp
  ${CMAKE_CURRENT_LIST_DIR}/spec.cpp
)
