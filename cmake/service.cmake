# The HTTP service (`aiguillage serve`, src/service/) and the PostgreSQL decision log backend
# (src/audit/pg_decision_log.cpp, in the library). The service is compiled into the command-line
# tool only: the library never depends on the HTTP library. Its transport is Boost.Beast over
# Boost.Asio (header-only, Debian's libboost1.74-dev, found in CMakeLists.txt): nothing more at
# run time. cpp-httplib serves as a client in the tests only.
find_package(PostgreSQL REQUIRED)
# libpq is a private dependency of every form of the library (the internal archive passes it on
# to what links it).
target_link_libraries(aiguillage_objects PRIVATE PostgreSQL::PostgreSQL)
target_link_libraries(aiguillage_internal PUBLIC PostgreSQL::PostgreSQL)
if(TARGET aiguillage_shared)
  target_link_libraries(aiguillage_shared PRIVATE PostgreSQL::PostgreSQL)
endif()
# The static archive's consumers link libpq by name (no imported target in the installed
# package; aiguillage.pc lists -lpq in Libs.private).
target_link_libraries(aiguillage_static PRIVATE pq)

# The OpenAPI document the service serves is the one kept in docs/, embedded at build time.
set(AIG_OPENAPI_JSON ${PROJECT_SOURCE_DIR}/docs/openapi.json)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${AIG_OPENAPI_JSON})
file(READ ${AIG_OPENAPI_JSON} AIG_OPENAPI_TEXT)
configure_file(${PROJECT_SOURCE_DIR}/src/service/openapi.cpp.in
  ${PROJECT_BINARY_DIR}/generated/service/openapi.cpp @ONLY)

# src/service/*.cpp join the CLI with src/cli/*.cpp (CMakeLists.txt); the OpenAPI text too.
target_sources(aiguillage_cli PRIVATE ${PROJECT_BINARY_DIR}/generated/service/openapi.cpp)
target_include_directories(aiguillage_cli PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(aiguillage_cli PRIVATE Boost::boost OpenSSL::Crypto Threads::Threads)

if(AIG_BUILD_TESTS)
  find_program(AIG_PYTEST_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
  add_test(NAME service:python
    COMMAND ${AIG_PYTEST_PYTHON} -m pytest -q ${PROJECT_SOURCE_DIR}/tests/service
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(service:python PROPERTIES LABELS "service;postgres"
    ENVIRONMENT "AIG_CLI=$<TARGET_FILE:aiguillage_cli>;AIG_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    TIMEOUT 900)
endif()

# The service driven by a C++ client (cpp-httplib's) over keep-alive connections.
if(AIG_BUILD_TESTS)
  # Debian builds cpp-httplib as a shared library (libcpp-httplib.so) beside its header.
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(AIG_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
  find_package(GTest REQUIRED)
  add_executable(service_client_tests ${PROJECT_SOURCE_DIR}/tests/service/service_client_test.cpp)
  target_link_libraries(service_client_tests PRIVATE PkgConfig::AIG_HTTPLIB
    nlohmann_json::nlohmann_json GTest::gtest GTest::gtest_main Threads::Threads)
  target_compile_definitions(service_client_tests PRIVATE
    AIG_SOURCE_DIR="${PROJECT_SOURCE_DIR}" AIG_CLI_PATH="$<TARGET_FILE:aiguillage_cli>")
  add_dependencies(service_client_tests aiguillage_cli)
  add_test(NAME service:cpp_client COMMAND service_client_tests)
  set_tests_properties(service:cpp_client PROPERTIES LABELS "service" TIMEOUT 300)
endif()
