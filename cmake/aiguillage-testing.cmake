# GoogleTest binaries register their tests with ctest through aig_discover_tests, which labels
# them: LABEL for every test of the binary, `slow` instead for the tests listed in AIG_SLOW_TESTS.
# The sanitizer runs (make asan) and quick local runs leave the slow label out (-LE slow); the
# optimised build runs everything.
include(GoogleTest)

# GoogleTest filter patterns (colon-separated) of the tests that take a minute or more without
# optimisation: the property sweeps, the 8k-row imported table, the 200,000-rule table, the
# explanation tests that re-score every example pair, the banks' random sweeps against scoring
# every document.
set(AIG_SLOW_TESTS
  "*EvaluatorPropertyTest*"
  "JdmImport.Zen8kTable*"
  "SparseTableTest.TwoHundredThousand*"
  "ExplanationTest.ContributionsAndIntercept*"
  "ExplanationTest.ReasonsAreTheLargest*"
  "ExplanationTest.Counterfactual*"
  "ExplanationTest.PartialCredits*"
  "ExplanationTest.OutputIsDeterministic*"
  "QuickScore.*"
  "OfferBank.RandomBanks*"
  "ProfileBank.RandomBanks*"
  "Banks.WithTheDefaultWeights*")

# aig_discover_tests(target LABEL label [ENVIRONMENT var=value])
# One label a test (gtest_discover_tests passes a list-valued property on split): LABEL for the
# binary's tests, `slow` instead for those AIG_SLOW_TESTS lists.
function(aig_discover_tests target)
  cmake_parse_arguments(ARG "" "LABEL;ENVIRONMENT" "" ${ARGN})
  list(JOIN AIG_SLOW_TESTS ":" slow)
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 TEST_FILTER "-${slow}"
    PROPERTIES ENVIRONMENT "${ARG_ENVIRONMENT}" LABELS ${ARG_LABEL})
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 TEST_FILTER "${slow}"
    PROPERTIES ENVIRONMENT "${ARG_ENVIRONMENT}" LABELS slow)
endfunction()
