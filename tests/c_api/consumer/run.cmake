# Installs the build into a temporary prefix, then builds and runs a consumer with
# find_package(aiguillage) and a second one with pkg-config.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DC_COMPILER=... -DCXX_COMPILER=... -P run.cmake
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f include/aiguillage.h include/aiguillage/rules/pack.hpp lib/libaiguillage.a
    lib/cmake/aiguillage/aiguillageConfig.cmake lib/cmake/aiguillage/aiguillageTargets.cmake
    lib/pkgconfig/aiguillage.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

# find_package
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/c_api/consumer -B ${WORK_DIR}/build
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer ${SOURCE_DIR}/rules/examples/youth-guidance)
message(STATUS "find_package consumer: ${last_output}")

# pkg-config
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
  run(${PKG_CONFIG} --cflags --libs aiguillage)
  string(STRIP "${last_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(${C_COMPILER} -std=c99 -c ${SOURCE_DIR}/tests/c_api/consumer/main.c -o ${WORK_DIR}/main.o
    ${flags})
  run(${C_COMPILER} ${WORK_DIR}/main.o -o ${WORK_DIR}/consumer-pc ${flags})
  run(${WORK_DIR}/consumer-pc ${SOURCE_DIR}/rules/examples/youth-guidance)
  message(STATUS "pkg-config consumer: ${last_output}")
endif()
