# The core library's part of the kafka type: its config reader and registration, so kafka specs
# validate without librdkafka. The adapter itself is built by CMakeLists.txt in this folder.
target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/kafka_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kafka_type.cpp
)
