target_sources(eventdest PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/errors.cpp
  ${CMAKE_CURRENT_LIST_DIR}/expression.cpp
  ${CMAKE_CURRENT_LIST_DIR}/functions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/interpreter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lexer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/value.cpp
  # Partition keys live in core's public API but are built on the engine, so they are listed here.
  ${CMAKE_CURRENT_LIST_DIR}/../core/partition_key.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../core/field_path_scan.cpp
)
