target_sources(eventdest_objects PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/sigv4.cpp
  ${CMAKE_CURRENT_LIST_DIR}/blocking_http.cpp
  ${CMAKE_CURRENT_LIST_DIR}/credentials.cpp
  ${CMAKE_CURRENT_LIST_DIR}/credentials_chain.cpp
  ${CMAKE_CURRENT_LIST_DIR}/credentials_env_files.cpp
  ${CMAKE_CURRENT_LIST_DIR}/credentials_http_sources.cpp
  ${CMAKE_CURRENT_LIST_DIR}/credentials_text.cpp
)
