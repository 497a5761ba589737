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
  # JDM import against the real ZEN engine on random tables, at a small size (the full size is
  # in benchmarks/RESULTS.md); skipped when node or the ZEN package is absent
  # (benchmarks/peers/zen/install.sh, or AIG_WITH_ZEN=1 scripts/install-deps.sh).
  find_package(Python3 COMPONENTS Interpreter QUIET)
  if(Python3_Interpreter_FOUND)
    add_test(NAME zen:differential
      COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/benchmarks/peers/zen/differential.py
        --cli $<TARGET_FILE:aiguillage_cli> --tables 40 --records 250 --seed 7)
    set_tests_properties(zen:differential PROPERTIES LABELS "zen;interop" SKIP_RETURN_CODE 77)
    # Every shipped pack exported to JDM and evaluated by ZEN against the engine: the pack's
    # test cases and 10,000 seeded random records each; skipped like the one above.
    add_test(NAME zen:jdm-export
      COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/interop/jdm_export_zen.py
        --cli $<TARGET_FILE:aiguillage_cli> --records 10000 --seed 1)
    set_tests_properties(zen:jdm-export PROPERTIES LABELS "zen;interop;slow" SKIP_RETURN_CODE 77)
  endif()
endif()
