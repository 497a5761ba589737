// Loads a rule pack, evaluates one person and prints the result, the fired rules and, when
// something is missing, the questions to ask.
//   evaluate PACK_DIR '{"birth_date": "2004-05-02", ...}' 2025-03-01
#include <cstdio>
#include <string>

#include "aiguillage/rules/evaluator.hpp"

int main(int argc, char** argv) {
  using namespace aiguillage;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PACK_DIR RECORD_JSON YYYY-MM-DD\n", argv[0]);
    return 2;
  }
  try {
    Pack pack = Pack::load_file(argv[1]);
    Evaluator evaluator(pack);
    EvalOptions options;
    options.reference_date = Date::parse(argv[3]);
    Evaluation result;
    if (!evaluator.evaluate_json(argv[2], result, options)) {
      for (const Error& e : result.errors)
        std::fprintf(stderr, "rejected: %s\n", e.describe().c_str());
      return 1;
    }
    std::printf("%s %s (%s): %s\n", pack.id().c_str(), pack.version().c_str(), pack.hash().c_str(),
                std::string(status_name(result.status)).c_str());
    for (std::size_t d = 0; d < pack.decisions().size(); ++d) {
      const Decision& decision = pack.decisions()[d];
      for (const OutputSpec& out : decision.outputs)
        std::printf("  %s = %s\n", out.name.c_str(),
                    result.frame[static_cast<std::size_t>(out.slot)].to_display().c_str());
      for (int r : result.decisions[d].fired)
        std::printf("    by rule %s (%s)\n", decision.rules[static_cast<std::size_t>(r)].id.c_str(),
                    decision.rules[static_cast<std::size_t>(r)].source.c_str());
    }
    for (const MissingInput& m : result.missing)
      std::printf("  to ask: %s (settles %d rules)\n",
                  pack.inputs().field(static_cast<std::size_t>(m.field)).name.c_str(), m.rules);
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.describe().c_str());
    return 3;
  }
}
