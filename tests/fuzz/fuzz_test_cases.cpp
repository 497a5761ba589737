// Any bytes as a test-case file: load_test_cases returns the cases or an Error, and running the
// cases against a shipped pack gives results or errors, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"
#include "aiguillage/rules/test_cases.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aiguillage;
  static const Pack pack =
      Pack::load_file(std::string(AIG_SOURCE_DIR) + "/rules/examples/youth-guidance/pack.json");
  static const Evaluator evaluator(pack);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const TestSuite suite = load_test_cases(text);
    Evaluation evaluation;
    for (const TestCase& test : suite.cases) {
      try {
        run_test_case(evaluator, test, evaluation);
      } catch (const Error&) {
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
