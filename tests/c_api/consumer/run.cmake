# Installs the build into a temporary prefix, then builds and runs, outside the source tree:
#  1. a C-only CMake project (find_package): tests/c_api/consumer and the installed C example;
#  2. the C example compiled with `cc $(pkg-config --cflags --libs aiguillage)`;
#  3. the C++ example with find_package;
#  4. a FetchContent consumer, which must not configure the project's tests, benchmarks, Python
#     or examples.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DC_COMPILER=... -DCXX_COMPILER=...
#         [-DSUBPROJECT=ON] -P run.cmake
# SUBPROJECT=ON runs 4 alone (it compiles the library again).
set(prefix ${WORK_DIR}/prefix)
set(persons ${prefix}/share/aiguillage/examples/data/persons-1000.jsonl)
set(fr2025 ${prefix}/share/aiguillage/rules/orientation/fr-2025)
set(youth ${prefix}/share/aiguillage/rules/examples/youth-guidance)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()
function(expect text pattern)
  if(NOT text MATCHES "${pattern}")
    message(FATAL_ERROR "expected /${pattern}/ in:\n${text}")
  endif()
endfunction()

# 4. FetchContent / add_subdirectory.
if(SUBPROJECT)
  file(REMOVE_RECURSE ${WORK_DIR})
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/c_api/consumer/subproject -B ${WORK_DIR}/sub
    -DAIG_SOURCE_DIR=${SOURCE_DIR} -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER} -DCMAKE_C_COMPILER_LAUNCHER=${LAUNCHER}
    -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/sub --target help)
  foreach(t core_tests rules_tests c_api_test _aiguillage example_evaluate example_c_portal
      rules_bench aiguillage_python)
    if(last_output MATCHES "\\.\\.\\. ${t}\n")
      message(FATAL_ERROR "the subproject build has the target ${t}")
    endif()
  endforeach()
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/sub --target consumer -j2)
  run(${WORK_DIR}/sub/consumer ${SOURCE_DIR}/rules/examples/youth-guidance)
  expect("${last_output}" "0.1")
  message(STATUS "FetchContent consumer: ${last_output}")
  return()
endif()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
file(GLOB libdirs ${prefix}/lib ${prefix}/lib/*-linux-gnu*)
foreach(dir ${libdirs})
  if(EXISTS ${dir}/pkgconfig/aiguillage.pc)
    set(libdir ${dir})
  endif()
endforeach()
foreach(f include/aiguillage.h include/aiguillage/version.h include/aiguillage/rules/pack.hpp
    share/aiguillage/rules/schemas/aiguillage.ruleset.schema.json
    share/aiguillage/rules/orientation/fr-2025/pack.json
    share/aiguillage/data/rome-subset share/aiguillage/examples/data/persons-1000.jsonl bin/aiguillage)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
foreach(f libaiguillage.so libaiguillage.a cmake/aiguillage/aiguillageConfig.cmake)
  if(NOT EXISTS ${libdir}/${f})
    message(FATAL_ERROR "not installed: ${libdir}/${f}")
  endif()
endforeach()
# Nothing internal in the installed tree.
file(GLOB_RECURSE headers RELATIVE ${prefix}/include ${prefix}/include/*)
foreach(h ${headers})
  if(h MATCHES "detail/|_impl|nlohmann|Eigen|boost")
    message(FATAL_ERROR "internal header installed: include/${h}")
  endif()
  file(READ ${prefix}/include/${h} text)
  if(text MATCHES "#include <(nlohmann|Eigen|boost)")
    message(FATAL_ERROR "installed header include/${h} needs a private dependency")
  endif()
endforeach()

# 1. C-only CMake project.
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/c_api/consumer -B ${WORK_DIR}/c
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=${C_COMPILER})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/c)
# The installed library finds its data beside itself (dladdr), without any environment.
set(ENV{AIG_DATA_DIR} "")
run(${WORK_DIR}/c/consumer)
expect("${last_output}" "data=${prefix}/share/aiguillage ")
message(STATUS "C find_package consumer: ${last_output}")
set(ENV{LD_LIBRARY_PATH} ${libdir})
run(${WORK_DIR}/c/portal ${fr2025} ${persons} 2025-03-01 3)
expect("${last_output}" "3 persons, [0-9]+ evident, 0 rejected")
message(STATUS "C example (find_package, C only): ok")

# 2. pkg-config.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${libdir}/pkgconfig)
run(${PKG_CONFIG} --cflags --libs aiguillage)
string(STRIP "${last_output}" flags)
expect("${flags}" "-laiguillage$")
separate_arguments(flags UNIX_COMMAND "${flags}")
run(${C_COMPILER} -std=c99 ${prefix}/share/aiguillage/examples/c/portal.c -o ${WORK_DIR}/portal-pc
  ${flags})
run(${WORK_DIR}/portal-pc ${fr2025} ${persons} 2025-03-01 3)
expect("${last_output}" "3 persons, [0-9]+ evident, 0 rejected")
message(STATUS "C example (pkg-config): ok")

# 3. C++ with find_package.
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/c_api/consumer/cpp -B ${WORK_DIR}/cpp
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/cpp)
run(${WORK_DIR}/cpp/evaluate ${youth} "{\"birth_date\": \"2004-05-02\", \"rsa_beneficiary\": false}"
  2025-03-01)
message(STATUS "C++ example (find_package): ${last_output}")

# The installed CLI finds its packs and referential without a source tree.
run(${prefix}/bin/aiguillage packs)
expect("${last_output}" "fr/orientation")
message(STATUS "installed CLI: aiguillage packs ok")

