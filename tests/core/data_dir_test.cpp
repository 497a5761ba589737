#include "aiguillage/core/data_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/version.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (had_)
      ::setenv(name_, old_.c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST(DataDir, FoundBesideTheBuildLikeAnInstall) {
  ScopedEnv env("AIG_DATA_DIR", nullptr);
  const fs::path dir = data_dir();
  EXPECT_EQ(dir.filename(), "aiguillage");
  EXPECT_EQ(dir.parent_path().filename(), "share");
  EXPECT_TRUE(fs::is_regular_file(dir / "rules/orientation/fr-2025/pack.json")) << dir;
  EXPECT_TRUE(fs::is_directory(dir / "data/rome-subset")) << dir;
  EXPECT_TRUE(fs::is_regular_file(dir / "examples/data/persons-1000.jsonl")) << dir;
}

TEST(DataDir, EnvironmentOverrides) {
  const std::string source = AIG_SOURCE_DIR;
  ScopedEnv env("AIG_DATA_DIR", source.c_str());
  EXPECT_EQ(fs::path(data_dir()), fs::path(source).lexically_normal());
}

TEST(DataDir, BadOverrideNamesTheFolderAndTheVersion) {
  ScopedEnv env("AIG_DATA_DIR", "/nonexistent/aiguillage-data");
  try {
    data_dir();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_NE(e.describe().find("/nonexistent/aiguillage-data"), std::string::npos);
    EXPECT_NE(e.describe().find(AIG_ENGINE_VERSION), std::string::npos);
  }
}

}  // namespace
}  // namespace aiguillage
