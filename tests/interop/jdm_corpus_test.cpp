// The committed fuzz seeds of the JDM importer (tests/fuzz/corpus/jdm), replayed in the ordinary
// build: each imports to a pack that loads and evaluates, or fails with a pinned Error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "aiguillage/core/error.hpp"
#include "aiguillage/interop/jdm_import.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;

TEST(JdmCorpus, EverySeedImportsOrFailsWithAPinnedError) {
  const fs::path dir = fs::path(AIG_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / "jdm";
  const std::set<std::string> refused{"broken-expressions.json", "cycle.json", "dates-broken.json",
                                      "lists-mixed.json"};
  std::size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string name = entry.path().filename().string();
    ++seen;
    try {
      Evaluator evaluator(Pack::load(import_jdm(ss.str())));
      EXPECT_FALSE(refused.count(name)) << name;
      Evaluation e;
      EvalOptions eval;
      eval.reference_date = evaluator.pack().valid_from();
      eval.unknown_fields = UnknownFields::ignore;
      EXPECT_TRUE(evaluator.evaluate_json("{}", e, eval)) << name;
    } catch (const Error& e) {
      EXPECT_TRUE(refused.count(name)) << name << ": " << e.describe();
      EXPECT_FALSE(error_code_name(e.code()).empty()) << name;
    }
  }
  EXPECT_GE(seen, 8u);
}

}  // namespace
}  // namespace aiguillage
