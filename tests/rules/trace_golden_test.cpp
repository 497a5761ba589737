// The JSON results with traces of the bundled sample, pinned byte for byte: same input, pack
// hash and engine version must give the same output.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aiguillage/rules/evaluator.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(TraceGoldenTest, SampleResultsWithTracesAreStable) {
  const fs::path root = AIG_SOURCE_DIR;
  Pack pack = Pack::load_file((root / "rules/examples/youth-guidance").string());
  Evaluator evaluator(pack);
  EvalOptions options;
  options.reference_date = Date::parse("2025-03-01");
  std::ifstream in(root / "examples/data/youth-persons.jsonl");
  std::string line, text;
  Evaluation e;
  while (std::getline(in, line)) {
    evaluator.evaluate_json(line, e, options);
    const std::string first = evaluation_to_json(pack, e, true);
    // Evaluating again with the same scratch state gives the same bytes.
    evaluator.evaluate_json(line, e, options);
    ASSERT_EQ(evaluation_to_json(pack, e, true), first);
    text += first + "\n";
  }
  const fs::path golden = root / "tests/golden/traces/youth-persons.jsonl";
  const char* update = std::getenv("AIG_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(golden, std::ios::binary) << text;
    GTEST_SKIP() << "wrote " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with AIG_UPDATE_GOLDEN=1";
  EXPECT_EQ(read_text(golden), text)
      << "traces changed; if intended, regenerate with AIG_UPDATE_GOLDEN=1";
}

}  // namespace
}  // namespace aiguillage
