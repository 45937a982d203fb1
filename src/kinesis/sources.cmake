target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/aggregated_record.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hash_key.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kinesis_destination.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kinesis_records.cpp
  ${CMAKE_CURRENT_LIST_DIR}/list_shards.cpp
  ${CMAKE_CURRENT_LIST_DIR}/put_record.cpp
  ${CMAKE_CURRENT_LIST_DIR}/put_record_sender.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record_aggregation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shard_map.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shard_rate_limiter.cpp
)
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/kinesis_signer.cpp)
  target_sources(eventdest_objects PRIVATE ${CMAKE_CURRENT_LIST_DIR}/kinesis_signer.cpp)
endif()
target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/kinesis_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kinesis_type.cpp
)
