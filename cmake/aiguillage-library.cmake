# The library, compiled once (an OBJECT library) and linked in three forms:
#  - aiguillage_internal: a static archive of every object, with the private headers of src/ on
#    its include path. The CLI, the tests, the benchmarks, the fuzzers and the Python extension
#    link it, so they may use any symbol, annotated or not. `aiguillage` is an alias of it, for
#    the project's own CMake code.
#  - aiguillage::aiguillage: the installed library, shared by default (libaiguillage.so.<ABI>),
#    exporting only what carries AIG_API (the C API and the public C++ API) and listed by the
#    version script; static when BUILD_SHARED_LIBS=OFF.
#  - aiguillage::aiguillage_static: the same objects as libaiguillage.a beside the shared one.
#
# Every .cpp under src/<layer>/ (subfolders included) joins the library; the layers below are
# the library's (src/cli and src/service belong to the executable only).
set(AIG_LIBRARY_LAYERS core rules interop orientation matching audit c_api)
set(AIG_LIBRARY_SOURCES)
foreach(layer ${AIG_LIBRARY_LAYERS})
  file(GLOB_RECURSE layer_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${layer}/*.cpp)
  list(APPEND AIG_LIBRARY_SOURCES ${layer_sources})
endforeach()

# aiguillage/version.h: the version macros of the C header, from project().
set(AIG_GENERATED_INCLUDE_DIR ${PROJECT_BINARY_DIR}/include)
configure_file(${PROJECT_SOURCE_DIR}/cmake/version.h.in
  ${AIG_GENERATED_INCLUDE_DIR}/aiguillage/version.h @ONLY)

# Where the data (packs, schemas, referential, sample inputs) is, relative to the folders of
# the installed library and executable: the library looks there first (src/core/data_dir.cpp).
file(RELATIVE_PATH AIG_LIBDIR_TO_DATADIR /prefix/${CMAKE_INSTALL_LIBDIR}
  /prefix/${CMAKE_INSTALL_DATADIR}/aiguillage)
file(RELATIVE_PATH AIG_BINDIR_TO_DATADIR /prefix/${CMAKE_INSTALL_BINDIR}
  /prefix/${CMAKE_INSTALL_DATADIR}/aiguillage)

add_library(aiguillage_objects OBJECT ${AIG_LIBRARY_SOURCES})
target_include_directories(aiguillage_objects
  PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
         $<BUILD_INTERFACE:${AIG_GENERATED_INCLUDE_DIR}>
  PRIVATE ${PROJECT_SOURCE_DIR}/src ${LEMON_INCLUDE_DIRS})
target_link_libraries(aiguillage_objects PRIVATE nlohmann_json::nlohmann_json Boost::boost
  OpenSSL::Crypto ZLIB::ZLIB Eigen3::Eigen Threads::Threads ${CMAKE_DL_LIBS})
target_compile_definitions(aiguillage_objects PRIVATE
  AIG_LIBDIR_TO_DATADIR="${AIG_LIBDIR_TO_DATADIR}"
  AIG_BINDIR_TO_DATADIR="${AIG_BINDIR_TO_DATADIR}")
set_target_properties(aiguillage_objects PROPERTIES
  C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
  POSITION_INDEPENDENT_CODE ON)

# The internal form.
add_library(aiguillage_internal STATIC $<TARGET_OBJECTS:aiguillage_objects>)
add_library(aiguillage ALIAS aiguillage_internal)
set_target_properties(aiguillage_internal PROPERTIES OUTPUT_NAME aiguillage_internal)
target_include_directories(aiguillage_internal PUBLIC ${PROJECT_SOURCE_DIR}/include
  ${AIG_GENERATED_INCLUDE_DIR} ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(aiguillage_internal PUBLIC nlohmann_json::nlohmann_json Boost::boost
  OpenSSL::Crypto ZLIB::ZLIB Eigen3::Eigen Threads::Threads ${CMAKE_DL_LIBS})

# The public form: the include directories are the only usage requirement (no dependency
# reaches a consumer of the shared library).
function(aig_public_library target kind)
  add_library(${target} ${kind} $<TARGET_OBJECTS:aiguillage_objects>)
  set_target_properties(${target} PROPERTIES OUTPUT_NAME aiguillage)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${AIG_GENERATED_INCLUDE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${target} PRIVATE OpenSSL::Crypto ZLIB::ZLIB Threads::Threads
    ${CMAKE_DL_LIBS})
endfunction()

if(AIG_BUILD_SHARED)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/libaiguillage.map.in
    ${PROJECT_BINARY_DIR}/libaiguillage.map @ONLY)
  aig_public_library(aiguillage_shared SHARED)
  set_target_properties(aiguillage_shared PROPERTIES EXPORT_NAME aiguillage
    SOVERSION ${AIG_ABI_VERSION} VERSION ${PROJECT_VERSION}
    LINK_DEPENDS ${PROJECT_BINARY_DIR}/libaiguillage.map)
  target_link_options(aiguillage_shared PRIVATE
    -Wl,--version-script=${PROJECT_BINARY_DIR}/libaiguillage.map)
  if(NOT AIG_SANITIZE AND NOT AIG_BUILD_FUZZERS)
    target_link_options(aiguillage_shared PRIVATE -Wl,--no-undefined)
  endif()
  add_library(aiguillage::aiguillage ALIAS aiguillage_shared)
  aig_public_library(aiguillage_static STATIC)
  set_target_properties(aiguillage_static PROPERTIES EXPORT_NAME aiguillage_static)
  add_library(aiguillage::aiguillage_static ALIAS aiguillage_static)
  set(AIG_PUBLIC_LIBRARY aiguillage_shared)
else()
  aig_public_library(aiguillage_static STATIC)
  set_target_properties(aiguillage_static PROPERTIES EXPORT_NAME aiguillage)
  add_library(aiguillage::aiguillage ALIAS aiguillage_static)
  set(AIG_PUBLIC_LIBRARY aiguillage_static)
endif()

# The build tree has its data folder too (links into the sources), so that the CLI, the C API
# and the Python package built here find it as they find share/aiguillage once installed.
set(AIG_BUILD_DATA_DIR ${PROJECT_BINARY_DIR}/share/aiguillage)
file(MAKE_DIRECTORY ${AIG_BUILD_DATA_DIR}/data)
foreach(link rules examples data/rome-subset)
  if(NOT EXISTS ${AIG_BUILD_DATA_DIR}/${link})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${link} ${AIG_BUILD_DATA_DIR}/${link} SYMBOLIC)
  endif()
endforeach()
