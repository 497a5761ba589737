// `aiguillage packs` and the data folder the command finds by itself: the build tree's
// share/aiguillage (as an install's), $AIG_DATA_DIR, and clear errors (exit 3) naming the path.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "support/cli_harness.hpp"

namespace {

namespace fs = std::filesystem;

using Result = aiguillage::test_support::CliResult;

class PacksCliTest : public ::testing::Test, protected aiguillage::test_support::CliHarness {
 protected:
  void SetUp() override { make_dir(); }
  void TearDown() override { remove_dir(); }

  // Runs `env ENV aiguillage ARGS` from the temporary folder (not the source tree).
  Result run(const std::string& env, const std::string& args) {
    return run_cli(args, {"", env, dir_});
  }
  // A data folder with the shipped packs copied in.
  fs::path copy_data() {
    const fs::path data = dir_ / "data-copy";
    fs::create_directories(data);
    fs::copy(fs::path(AIG_SOURCE_DIR) / "rules", data / "rules", fs::copy_options::recursive);
    return data;
  }
};

TEST_F(PacksCliTest, ListsTheShippedPacksFromOutsideTheSources) {
  Result r = run("", "packs");
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* id : {"fr/orientation\t2025.2.0\t2025-01-01..", "examples/youth-guidance",
                         "fr/iae-eligibility", "fr/sanctions"})
    EXPECT_NE(r.out.find(id), std::string::npos) << id << "\n" << r.out;
  EXPECT_NE(r.out.find("\tsha256:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("orientation/fr-2025\n"), std::string::npos) << r.out;
}

TEST_F(PacksCliTest, DataDirOverride) {
  const fs::path data = copy_data();
  fs::remove_all(data / "rules" / "eligibility");
  Result r = run("AIG_DATA_DIR='" + data.string() + "'", "packs");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(data.string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fr/orientation"), std::string::npos);
  EXPECT_EQ(r.out.find("fr/iae-eligibility"), std::string::npos) << r.out;
}

TEST_F(PacksCliTest, MissingDataDirIsALoadErrorNamingIt) {
  const std::string missing = (dir_ / "nowhere").string();
  Result r = run("AIG_DATA_DIR='" + missing + "'", "packs");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("0.1"), std::string::npos) << r.err;  // the expected version
  EXPECT_TRUE(r.out.empty()) << r.out;
  // The matching commands say the same when they need the bundled referential.
  r = run("AIG_DATA_DIR='" + missing + "'", "match --offers x.jsonl --profiles y.jsonl");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

TEST_F(PacksCliTest, CorruptInstalledPackIsALoadErrorNamingItsPath) {
  const fs::path data = copy_data();
  const fs::path pack = data / "rules" / "examples" / "youth-guidance" / "pack.json";
  std::string text = read(pack);
  std::ofstream(pack, std::ios::binary | std::ios::trunc) << text.substr(0, text.size() / 2);
  Result r = run("AIG_DATA_DIR='" + data.string() + "'", "packs");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find(pack.string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("json_syntax"), std::string::npos) << r.err;
}

TEST_F(PacksCliTest, MatchUsesTheBundledReferentialAndScoring) {
  const fs::path examples = fs::path(AIG_SOURCE_DIR) / "examples" / "data";
  Result r =
      run("", "match --offers '" + (examples / "offers-subset.jsonl").string() + "' --profiles '" +
                  (examples / "profiles-subset.jsonl").string() + "' --top 2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"rank\":2"), std::string::npos) << r.out.substr(0, 500);
}

}  // namespace
