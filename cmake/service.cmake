# The HTTP service (`aiguillage serve`, src/service/) and the PostgreSQL decision log backend
# (src/audit/pg_decision_log.cpp, in the library). The service is compiled into the command-line
# tool only: the library never depends on the HTTP library.
find_package(PostgreSQL REQUIRED)
find_package(PkgConfig REQUIRED)
# Debian builds cpp-httplib as a shared library (libcpp-httplib.so) beside its header.
pkg_check_modules(AIG_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
target_link_libraries(aiguillage PRIVATE PostgreSQL::PostgreSQL)

# The OpenAPI document the service serves is the one kept in docs/, embedded at build time.
set(AIG_OPENAPI_JSON ${PROJECT_SOURCE_DIR}/docs/openapi.json)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${AIG_OPENAPI_JSON})
file(READ ${AIG_OPENAPI_JSON} AIG_OPENAPI_TEXT)
configure_file(${PROJECT_SOURCE_DIR}/src/service/openapi.cpp.in
  ${PROJECT_BINARY_DIR}/generated/service/openapi.cpp @ONLY)

file(GLOB AIG_SERVICE_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/service/*.cpp)
target_sources(aiguillage_cli PRIVATE ${AIG_SERVICE_SOURCES}
  ${PROJECT_BINARY_DIR}/generated/service/openapi.cpp)
target_include_directories(aiguillage_cli PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(aiguillage_cli PRIVATE PkgConfig::AIG_HTTPLIB OpenSSL::Crypto
  Threads::Threads)

if(AIG_BUILD_TESTS)
  find_program(AIG_PYTEST_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
  add_test(NAME service:python
    COMMAND ${AIG_PYTEST_PYTHON} -m pytest -q ${PROJECT_SOURCE_DIR}/tests/service
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(service:python PROPERTIES LABELS "service;postgres"
    ENVIRONMENT "AIG_CLI=$<TARGET_FILE:aiguillage_cli>;AIG_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    TIMEOUT 900)
endif()
