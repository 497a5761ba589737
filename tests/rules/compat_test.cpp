// Every document version ever released keeps loading: fixtures under
// tests/compat/<schema>-<version>/.
#include <gtest/gtest.h>

#include <filesystem>

#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;

TEST(CompatTest, ReleasedRulesetFixturesLoad) {
  const fs::path dir = fs::path(AIG_SOURCE_DIR) / "tests/compat";
  std::size_t loaded = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".json" ||
        entry.path().parent_path().filename().string().rfind("ruleset-", 0) != 0)
      continue;
    EXPECT_NO_THROW(Pack::load_file(entry.path().string())) << entry.path();
    ++loaded;
  }
  EXPECT_GE(loaded, 1u);
}

}  // namespace
}  // namespace aiguillage
