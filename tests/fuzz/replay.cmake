# The committed corpora (tests/fuzz/corpus/<target>/) replayed by the ordinary build, without
# libFuzzer: a target's LLVMFuzzerTestOneInput runs once per file (label fuzz).
foreach(target fuzz_log fuzz_decision fuzz_test_cases fuzz_record fuzz_pack_loader fuzz_matching
    fuzz_bank_file)
  string(REPLACE "fuzz_" "" corpus ${target})
  if(target STREQUAL "fuzz_pack_loader")
    set(corpus pack)
  elseif(target STREQUAL "fuzz_bank_file")
    set(corpus bank)
  endif()
  set(dir ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${corpus})
  if(NOT EXISTS ${dir})
    continue()
  endif()
  add_executable(${target}_replay ${PROJECT_SOURCE_DIR}/tests/fuzz/${target}.cpp
    ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
  target_link_libraries(${target}_replay PRIVATE aiguillage)
  target_compile_definitions(${target}_replay PRIVATE AIG_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME fuzz_replay:${corpus} COMMAND ${target}_replay ${dir})
  set_tests_properties(fuzz_replay:${corpus} PROPERTIES LABELS "fuzz")
endforeach()
