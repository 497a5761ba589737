# GoogleTest binaries register their tests with ctest through aig_discover_tests, which labels
# them: LABELS for every test of the binary, plus `slow` for the tests listed in AIG_SLOW_TESTS.
# The sanitizer runs (make asan) and quick local runs leave the slow label out (-LE slow); the
# optimised build runs everything.
include(GoogleTest)

# GoogleTest filter patterns (colon-separated) of the tests that take a minute or more without
# optimisation: the property sweeps, the 8k-row imported table, the explanation tests that
# re-score every example pair, the banks' random sweeps against scoring every document.
set(AIG_SLOW_TESTS
  "*EvaluatorPropertyTest*"
  "JdmImport.Zen8kTable*"
  "ExplanationTest.ContributionsAndIntercept*"
  "ExplanationTest.ReasonsAreTheLargest*"
  "ExplanationTest.Counterfactual*"
  "ExplanationTest.PartialCredits*"
  "ExplanationTest.OutputIsDeterministic*"
  "QuickScore.*"
  "OfferBank.RandomBanks*"
  "ProfileBank.RandomBanks*"
  "Banks.WithTheDefaultWeights*")

# aig_discover_tests(target LABELS label... [ENVIRONMENT var=value...])
function(aig_discover_tests target)
  cmake_parse_arguments(ARG "" "" "LABELS;ENVIRONMENT" ${ARGN})
  list(JOIN AIG_SLOW_TESTS ":" slow)
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 TEST_FILTER "-${slow}"
    PROPERTIES ENVIRONMENT "${ARG_ENVIRONMENT}" LABELS "${ARG_LABELS}")
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 TEST_FILTER "${slow}"
    PROPERTIES ENVIRONMENT "${ARG_ENVIRONMENT}" LABELS "${ARG_LABELS};slow")
endfunction()
