// The committed fuzz seeds of the DMN importer (tests/fuzz/corpus/dmn), replayed in the
// ordinary build: each imports to a pack that loads and evaluates, or fails with a pinned Error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "aiguillage/core/error.hpp"
#include "aiguillage/interop/dmn_import.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;

TEST(DmnCorpus, EverySeedImportsOrFailsWithAPinnedError) {
  const fs::path dir = fs::path(AIG_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / "dmn";
  const std::set<std::string> refused{"malformed.dmn", "refused.dmn", "invalid-utf8-name.dmn"};
  std::size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string name = entry.path().filename().string();
    ++seen;
    for (bool skip : {false, true}) {
      DmnImportOptions options;
      options.skip_unmappable_decisions = skip;
      try {
        DmnImport imported = import_dmn_model(ss.str(), options);
        EXPECT_TRUE(skip || !refused.count(name)) << name;
        Evaluator evaluator(Pack::load(imported.pack));
        Evaluation e;
        EvalOptions eval;
        eval.reference_date = evaluator.pack().valid_from();
        EXPECT_TRUE(evaluator.evaluate_json("{}", e, eval)) << name;
      } catch (const Error& e) {
        EXPECT_TRUE(refused.count(name)) << name << ": " << e.describe();
        EXPECT_FALSE(error_code_name(e.code()).empty()) << name;
      }
    }
  }
  EXPECT_GE(seen, 7u);
}

}  // namespace
}  // namespace aiguillage
