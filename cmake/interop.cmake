# The interop layer (src/interop): DMN and JDM documents in and out of packs. DMN XML is read
# with pugixml (Debian libpugixml-dev).
find_package(pugixml REQUIRED)
# src/interop/*.cpp join the library with the other layers (cmake/aiguillage-library.cmake);
# pugixml is a private dependency of every form of it.
target_link_libraries(aiguillage_objects PRIVATE pugixml::pugixml)
target_link_libraries(aiguillage_internal PUBLIC pugixml::pugixml)
if(TARGET aiguillage_shared)
  target_link_libraries(aiguillage_shared PRIVATE pugixml::pugixml)
endif()
target_link_libraries(aiguillage_static PRIVATE pugixml)

if(AIG_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
  file(GLOB AIG_INTEROP_TESTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/interop/*_test.cpp)
  add_executable(interop_tests ${AIG_INTEROP_TESTS})
  target_include_directories(interop_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests
    ${PROJECT_SOURCE_DIR}/src/interop)
  target_link_libraries(interop_tests PRIVATE aiguillage nlohmann_json::nlohmann_json GTest::gtest
    GTest::gtest_main)
  target_compile_definitions(interop_tests PRIVATE AIG_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    AIG_CLI_PATH="$<TARGET_FILE:aiguillage_cli>")
  add_dependencies(interop_tests aiguillage_cli)
  aig_discover_tests(interop_tests LABEL interop
    ENVIRONMENT "AIG_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endif()
