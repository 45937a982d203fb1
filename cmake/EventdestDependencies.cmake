find_package(Threads REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)

# Debian's RapidJSON config only sets RAPIDJSON_INCLUDE_DIRS; wrap it in a target.
find_package(RapidJSON QUIET CONFIG)
find_path(EVENTDEST_RAPIDJSON_INCLUDE_DIR rapidjson/document.h HINTS ${RAPIDJSON_INCLUDE_DIRS})
if(NOT EVENTDEST_RAPIDJSON_INCLUDE_DIR)
  message(FATAL_ERROR "RapidJSON not found (Debian: apt-get install rapidjson-dev)")
endif()
if(NOT TARGET eventdest_rapidjson)
  add_library(eventdest_rapidjson INTERFACE)
  target_include_directories(eventdest_rapidjson SYSTEM INTERFACE ${EVENTDEST_RAPIDJSON_INCLUDE_DIR})
  # std::string support in RapidJSON's API.
  target_compile_definitions(eventdest_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
endif()

# librdkafka ships rdkafka.pc but no CMake config on Debian.
set(EVENTDEST_KAFKA_ENABLED OFF)
if(NOT EVENTDEST_WITH_KAFKA STREQUAL "OFF")
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(RDKAFKA IMPORTED_TARGET rdkafka)
  endif()
  if(RDKAFKA_FOUND)
    set(EVENTDEST_KAFKA_ENABLED ON)
  elseif(EVENTDEST_WITH_KAFKA STREQUAL "ON")
    message(FATAL_ERROR "EVENTDEST_WITH_KAFKA=ON but librdkafka was not found "
                        "(Debian: apt-get install librdkafka-dev)")
  else()
    message(STATUS "eventdest: librdkafka not found, native Kafka adapter not built")
  endif()
endif()
