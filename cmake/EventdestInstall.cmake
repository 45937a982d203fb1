# Install rules: headers, libraries, the CLI, a relocatable CMake package (targets
# eventdest::eventdest and, as component `kafka`, eventdest::kafka) and pkg-config files.
include(CMakePackageConfigHelpers)

set(EVENTDEST_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/eventdest)
get_target_property(EVENTDEST_LIBRARY_TYPE eventdest TYPE)
if(EVENTDEST_LIBRARY_TYPE STREQUAL "STATIC_LIBRARY")
  set(EVENTDEST_STATIC ON)
else()
  set(EVENTDEST_STATIC OFF)
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/eventdest
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT eventdest_development
        PATTERN "kafka.hpp" EXCLUDE)
install(FILES ${PROJECT_BINARY_DIR}/include/eventdest/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/eventdest COMPONENT eventdest_development)
# A library target in an export set of its own, installed as <prefix>/lib/cmake/eventdest/<set>.cmake.
function(eventdest_install_library target export_set)
  install(TARGETS ${target} EXPORT ${export_set}
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT eventdest_development
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT eventdest_runtime
                  NAMELINK_COMPONENT eventdest_development
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT eventdest_runtime
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT ${export_set} NAMESPACE eventdest:: DESTINATION ${EVENTDEST_CMAKE_DIR}
          COMPONENT eventdest_development)
endfunction()
eventdest_install_library(eventdest eventdestTargets)

# The adapter is a component of its own so a package built without librdkafka stays usable.
if(TARGET eventdest_kafka)
  install(FILES ${PROJECT_SOURCE_DIR}/include/eventdest/kafka.hpp
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/eventdest COMPONENT eventdest_development)
  eventdest_install_library(eventdest_kafka eventdestKafkaTargets)
  install(TARGETS eventdest-mock-kafka RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
          COMPONENT eventdest_runtime)
endif()

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/eventdestConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/eventdestConfig.cmake
                              INSTALL_DESTINATION ${EVENTDEST_CMAKE_DIR})
# 0.x: minor versions may break the API (and the ABI: see EVENTDEST_SOVERSION), so only the same
# minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/eventdestConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/eventdestConfig.cmake
              ${PROJECT_BINARY_DIR}/eventdestConfigVersion.cmake
        DESTINATION ${EVENTDEST_CMAKE_DIR} COMPONENT eventdest_development)

# pkg-config: relative to the .pc file so the install tree can be moved (cmake --install
# --prefix works without reconfiguring).
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(EVENTDEST_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  set(EVENTDEST_PC_PREFIX "\${pcfiledir}")
  string(REPLACE "/" ";" libdir_parts "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
  foreach(part IN LISTS libdir_parts)
    string(APPEND EVENTDEST_PC_PREFIX "/..")
  endforeach()
endif()
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(EVENTDEST_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(EVENTDEST_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
# A static libeventdest needs curl, OpenSSL (and librdkafka) at every final link: they go in
# Requires, so a plain `pkg-config --libs` links them (--static would also demand the static
# closure of libcurl, which distributions do not ship). A shared one keeps them private.
if(EVENTDEST_STATIC)
  set(EVENTDEST_PC_REQUIRES "libcurl openssl")
  set(EVENTDEST_PC_REQUIRES_PRIVATE "")
  set(EVENTDEST_PC_KAFKA_REQUIRES "rdkafka")
  set(EVENTDEST_PC_KAFKA_REQUIRES_PRIVATE "")
else()
  set(EVENTDEST_PC_REQUIRES "")
  set(EVENTDEST_PC_REQUIRES_PRIVATE "libcurl openssl")
  set(EVENTDEST_PC_KAFKA_REQUIRES "")
  set(EVENTDEST_PC_KAFKA_REQUIRES_PRIVATE "rdkafka")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/eventdest.pc.in ${PROJECT_BINARY_DIR}/eventdest.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/eventdest.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT eventdest_development)
if(TARGET eventdest_kafka)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/eventdest-kafka.pc.in
                 ${PROJECT_BINARY_DIR}/eventdest-kafka.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/eventdest-kafka.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT eventdest_development)
endif()
