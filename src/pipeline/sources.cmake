target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/backoff.cpp
  ${CMAKE_CURRENT_LIST_DIR}/delivery_pipeline.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_outcome.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kafka_record.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pipeline_destination.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record_pool.cpp
)
