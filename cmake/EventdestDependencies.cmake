# Dependencies of the build tree. The installed package finds the same ones through
# eventdestConfig.cmake (cmake/eventdestConfig.cmake.in).
find_package(Threads REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)

# RapidJSON is header-only and appears in public headers. Debian's config only sets
# RAPIDJSON_INCLUDE_DIRS and Conan's sets RapidJSON_INCLUDE_DIRS: wrap whichever in a target.
find_package(RapidJSON QUIET CONFIG)
find_path(EVENTDEST_RAPIDJSON_INCLUDE_DIR rapidjson/document.h
          HINTS ${RAPIDJSON_INCLUDE_DIRS} ${RapidJSON_INCLUDE_DIRS})
if(NOT EVENTDEST_RAPIDJSON_INCLUDE_DIR)
  message(FATAL_ERROR "RapidJSON not found (Debian: apt-get install rapidjson-dev)")
endif()
if(NOT TARGET eventdest_rapidjson)
  add_library(eventdest_rapidjson INTERFACE)
  target_include_directories(eventdest_rapidjson SYSTEM INTERFACE ${EVENTDEST_RAPIDJSON_INCLUDE_DIR})
  # std::string support in RapidJSON's API; consumers get the same definition (one ODR).
  target_compile_definitions(eventdest_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
endif()

# librdkafka: its own CMake config (upstream builds, Conan) when there is one, else pkg-config
# (Debian ships rdkafka.pc only). EVENTDEST_RDKAFKA_TARGET names the target found.
set(EVENTDEST_KAFKA_ENABLED OFF)
set(EVENTDEST_RDKAFKA_VIA_CONFIG OFF)
if(NOT EVENTDEST_WITH_KAFKA STREQUAL "OFF")
  find_package(RdKafka QUIET CONFIG)
  if(TARGET RdKafka::rdkafka)
    set(EVENTDEST_RDKAFKA_TARGET RdKafka::rdkafka)
    set(EVENTDEST_RDKAFKA_VIA_CONFIG ON)
  else()
    find_package(PkgConfig QUIET)
    if(PkgConfig_FOUND)
      pkg_check_modules(RDKAFKA IMPORTED_TARGET rdkafka)
    endif()
    if(RDKAFKA_FOUND)
      set(EVENTDEST_RDKAFKA_TARGET PkgConfig::RDKAFKA)
    endif()
  endif()
  if(EVENTDEST_RDKAFKA_TARGET)
    set(EVENTDEST_KAFKA_ENABLED ON)
  elseif(EVENTDEST_WITH_KAFKA STREQUAL "ON")
    message(FATAL_ERROR "EVENTDEST_WITH_KAFKA=ON but librdkafka was not found "
                        "(Debian: apt-get install librdkafka-dev)")
  else()
    message(STATUS "eventdest: librdkafka not found, native Kafka adapter not built")
  endif()
endif()
