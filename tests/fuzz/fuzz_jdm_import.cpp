// Any bytes given to the JDM importer give a pack that loads, or an Error with a pinned code:
// never a crash, a hang or another exception. Whatever imports evaluates an empty record.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aiguillage/core/error.hpp"
#include "aiguillage/interop/jdm_import.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aiguillage;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    Evaluator evaluator(Pack::load(import_jdm(text)));
    Evaluation e;
    EvalOptions eval;
    eval.reference_date = evaluator.pack().valid_from();
    (void)evaluator.evaluate_json("{}", e, eval);
  } catch (const Error&) {
  }
  return 0;
}
