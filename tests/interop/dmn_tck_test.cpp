#include "aiguillage/interop/dmn_tck.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "aiguillage/core/error.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;

const fs::path kLevel2 =
    fs::path(AIG_SOURCE_DIR) / ".." / "shared" / "data" / "dmn-tck" / "compliance-level-2";

// The committed figure (docs/interop.md): the pass count may rise, never fall.
std::size_t committed_passes() {
  std::ifstream in(fs::path(AIG_SOURCE_DIR) / "tests" / "interop" / "dmn_tck_passed.txt");
  std::size_t n = 0;
  in >> n;
  return n;
}

TEST(DmnTck, ComplianceLevel2DoesNotFall) {
  if (!fs::is_directory(kLevel2)) GTEST_SKIP() << "no TCK data at " << kLevel2;
  TckRun run = run_dmn_tck(kLevel2.string());
  std::cout << "passed " << run.passed() << " of " << run.cases.size() << " test cases\n";
  EXPECT_GE(run.cases.size(), 100u);
  EXPECT_GE(run.passed(), committed_passes());
}

TEST(DmnTck, ResultsCsvHasOneLinePerCase) {
  if (!fs::is_directory(kLevel2)) GTEST_SKIP() << "no TCK data at " << kLevel2;
  TckRun run = run_dmn_tck((kLevel2 / "0004-simpletable-U").string());
  ASSERT_EQ(run.cases.size(), 3u);
  EXPECT_EQ(run.passed(), 3u);
  std::string csv = tck_results_csv(run);
  EXPECT_EQ(csv.substr(0, csv.find('\n') + 1),
            "\"0004-simpletable-U\",\"0004-simpletable-U-test-01.xml\",\"001\",\"SUCCESS\",\"\"\n");
}

TEST(DmnTck, MissingFolderIsAnIoError) {
  EXPECT_THROW(run_dmn_tck("/nonexistent/tck"), Error);
}

}  // namespace
}  // namespace aiguillage
