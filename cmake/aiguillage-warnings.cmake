# Warnings for every target of the project (library, CLI, tests, benchmarks, Python extension,
# examples, fuzzers): included before any of them is declared, so that add_compile_options
# reaches them all, and only them (a project that embeds aiguillage keeps its own flags).
option(AIG_WERROR "Treat compiler warnings as errors (CI turns it on)" OFF)

set(AIG_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # GCC 12 warns that `"literal" + std::string&&` (std::string::insert inlined into memcpy) may
  # overlap by 2^63 bytes: a false positive of its -Wrestrict pass at -O2 under C++20, GCC bug
  # 105651 (same family as 105329), fixed in GCC 13. It fires in a dozen places of the library,
  # all in libstdc++'s basic_string.h, none in our code; other compilers keep the warning.
  list(APPEND AIG_WARNING_FLAGS $<$<COMPILE_LANGUAGE:CXX>:-Wno-restrict>)
endif()
if(AIG_WERROR)
  list(APPEND AIG_WARNING_FLAGS -Werror)
endif()
add_compile_options(${AIG_WARNING_FLAGS})
