# Builds and runs the consumer project (consumer/) one way; run by ctest with cmake -P.
#   MODE=install      cmake --install the build tree into PREFIX
#   MODE=package      configure consumer/ with find_package(eventdest) from PREFIX
#   MODE=subdirectory configure consumer/ with add_subdirectory(SOURCE_DIR)
#   MODE=pkgconfig    compile consumer/main.cpp with the flags pkg-config gives for PREFIX
#   MODE=conan_test_package  configure the Conan test_package/ against PREFIX (plain CMake;
#                            the package_conan_create tests run it through Conan)
# Other variables: SOURCE_DIR, BUILD_DIR (eventdest's build tree), WORK_DIR, PREFIX, CXX,
# CXX_FLAGS, LINKER_FLAGS (the parent's, so sanitizer builds link), WITH_KAFKA, CXX_STANDARD,
# DEPENDENCY_PREFIXES (':'-separated prefixes where the parent found its dependencies).
cmake_minimum_required(VERSION 3.25)

# The consumers find eventdest's dependencies where eventdest's build found them.
if(DEPENDENCY_PREFIXES)
  set(ENV{CMAKE_PREFIX_PATH} "${DEPENDENCY_PREFIXES}")
  string(REPLACE ":" "/lib/pkgconfig:" pc_dirs "${DEPENDENCY_PREFIXES}:")
  set(ENV{PKG_CONFIG_PATH} "${pc_dirs}")
endif()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("$ ${ARGN}\n${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()

set(common_args -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Debug
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE ${PREFIX})
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX})
elseif(MODE STREQUAL "package" OR MODE STREQUAL "subdirectory")
  file(REMOVE_RECURSE ${WORK_DIR})
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/consumer -B ${WORK_DIR} ${common_args}
      -DCONSUMER_MODE=${MODE} -DCMAKE_PREFIX_PATH=${PREFIX} -DEVENTDEST_SOURCE_DIR=${SOURCE_DIR}
      -DCONSUMER_WITH_KAFKA=${WITH_KAFKA} -DCONSUMER_CXX_STANDARD=${CXX_STANDARD})
  run(${CMAKE_COMMAND} --build ${WORK_DIR} -j2)
  run(${WORK_DIR}/consumer)
elseif(MODE STREQUAL "pkgconfig")
  file(REMOVE_RECURSE ${WORK_DIR})
  file(MAKE_DIRECTORY ${WORK_DIR})
  find_program(PKG_CONFIG pkg-config REQUIRED)
  set(modules eventdest)
  set(defs "")
  if(WITH_KAFKA)
    set(modules eventdest-kafka)
    set(defs -DCONSUMER_WITH_KAFKA=1)
    if(CXX_FLAGS MATCHES "-fsanitize=thread")  # see consumer/CMakeLists.txt
      list(APPEND defs ${SOURCE_DIR}/src/kafka/tsan_c11_threads.cpp)
    endif()
  endif()
  # The .pc files are found from PREFIX only (PKG_CONFIG_PATH first, the system's after).
  file(GLOB_RECURSE pc_files ${PREFIX}/*/eventdest.pc)
  list(GET pc_files 0 pc_file)
  get_filename_component(pc_dir ${pc_file} DIRECTORY)
  set(ENV{PKG_CONFIG_PATH} "${pc_dir}:$ENV{PKG_CONFIG_PATH}")
  run(${PKG_CONFIG} --modversion ${modules})
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs ${modules}
                  OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config --cflags --libs ${modules} failed")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  # A shared libeventdest outside the loader's path: an rpath, as a user would (or ldconfig).
  execute_process(COMMAND ${PKG_CONFIG} --variable=libdir eventdest
                  OUTPUT_VARIABLE libdir OUTPUT_STRIP_TRAILING_WHITESPACE)
  list(APPEND flags -Wl,-rpath,${libdir})
  separate_arguments(cxx_flags UNIX_COMMAND "${CXX_FLAGS}")
  separate_arguments(linker_flags UNIX_COMMAND "${LINKER_FLAGS}")
  run(${CXX} -std=c++${CXX_STANDARD} -Wall -Wextra -Wpedantic -Werror ${cxx_flags} ${defs}
      ${SOURCE_DIR}/tests/package/consumer/main.cpp -o ${WORK_DIR}/consumer ${flags}
      ${linker_flags})
  run(${WORK_DIR}/consumer)
elseif(MODE STREQUAL "conan_test_package")
  file(REMOVE_RECURSE ${WORK_DIR})
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/test_package -B ${WORK_DIR} ${common_args}
      -DCMAKE_PREFIX_PATH=${PREFIX})
  run(${CMAKE_COMMAND} --build ${WORK_DIR} -j2)
  run(${WORK_DIR}/test_package)
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()
