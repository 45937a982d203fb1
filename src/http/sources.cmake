target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/curl_global.cpp
  ${CMAKE_CURRENT_LIST_DIR}/response.cpp
  ${CMAKE_CURRENT_LIST_DIR}/transfer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/transport_error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/url.cpp
)
