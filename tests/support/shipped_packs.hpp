// Every shipped pack (rules/<group>/<name>/pack.json) with the inputs of its own test cases,
// for tests that must hold over all of them.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "aiguillage/rules/pack.hpp"
#include "aiguillage/rules/test_cases.hpp"

namespace aiguillage::test {

struct ShippedCase {
  std::string file, name, input;
  Date reference;
};

struct ShippedPack {
  std::string dir;
  Pack pack;
  std::vector<ShippedCase> cases;
};

inline std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline const std::vector<ShippedPack>& shipped_packs() {
  static const std::vector<ShippedPack> packs = [] {
    namespace fs = std::filesystem;
    std::vector<ShippedPack> out;
    const fs::path rules = fs::path(AIG_SOURCE_DIR) / "rules";
    std::vector<fs::path> dirs;
    for (const auto& group : fs::directory_iterator(rules))
      if (group.is_directory())
        for (const auto& dir : fs::directory_iterator(group.path()))
          if (fs::exists(dir.path() / "pack.json")) dirs.push_back(dir.path());
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) {
      ShippedPack p{dir.string(), Pack::load_file(dir.string()), {}};
      std::vector<fs::path> files;
      if (fs::exists(dir / "tests"))
        for (const auto& f : fs::directory_iterator(dir / "tests"))
          if (f.path().extension() == ".json") files.push_back(f.path());
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) {
        TestSuite suite = load_test_cases(read_all(f));
        for (const TestCase& c : suite.cases)
          p.cases.push_back(ShippedCase{f.filename().string(), c.name, c.input,
                                        c.reference_date.value_or(p.pack.valid_from())});
      }
      out.push_back(std::move(p));
    }
    return out;
  }();
  return packs;
}

}  // namespace aiguillage::test
