// ZEN's own example graphs (../shared/data/zen-test-data/graphs): how many import, and how many
// of their embedded tests the imported packs pass. The figures may rise, never fall.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "aiguillage/core/error.hpp"
#include "aiguillage/interop/jdm_import.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kGraphs =
    fs::path(AIG_SOURCE_DIR) / ".." / "shared" / "data" / "zen-test-data" / "graphs";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Expected values compare as ZEN's JSON: numbers by value, everything else exactly.
bool same(const json& expected, const json& actual) {
  if (expected.is_number() && actual.is_number())
    return std::fabs(expected.get<double>() - actual.get<double>()) <=
           1e-6 * std::max(1.0, std::fabs(expected.get<double>()));
  return expected == actual;
}

// Every leaf of the expected output, by dotted path, against the pack's slot of that name.
bool outputs_match(const Pack& pack, const Evaluation& e, const json& expected,
                   const std::string& prefix = "") {
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) {
      if (!outputs_match(pack, e, *it, path)) return false;
      continue;
    }
    const int slot = pack.slot_of(path);
    if (slot < 0) return false;
    if (!same(*it, json::parse(e.frame[slot].to_json()))) return false;
  }
  return true;
}

struct Figures {
  int graphs = 0, imported = 0, tests = 0, passed = 0;
};

Figures run_graphs() {
  Figures f;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kGraphs))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const std::string text = slurp(file);
    const json graph = json::parse(text, nullptr, false);
    const json tests =
        graph.is_object() && graph.contains("tests") ? graph["tests"] : json::array();
    ++f.graphs;
    f.tests += static_cast<int>(tests.size());
    std::optional<Pack> pack;
    try {
      pack = Pack::load(import_jdm(text));
    } catch (const Error&) {
      continue;
    }
    ++f.imported;
    Evaluator evaluator(*pack);
    for (const json& t : tests) {
      Evaluation e;
      EvalOptions options;
      options.reference_date = pack->valid_from();
      options.trace = false;
      options.unknown_fields = UnknownFields::ignore;
      if (!evaluator.evaluate_json(t.value("input", json::object()).dump(), e, options)) continue;
      if (outputs_match(*pack, e, t.value("output", json::object()))) ++f.passed;
    }
  }
  return f;
}

TEST(JdmGraphs, ImportedAndPassedDoNotFall) {
  if (!fs::is_directory(kGraphs)) GTEST_SKIP() << "no ZEN graphs at " << kGraphs;
  Figures f = run_graphs();
  std::cout << "imported " << f.imported << " of " << f.graphs << ", tests passed " << f.passed
            << " of " << f.tests << "\n";
  EXPECT_EQ(f.graphs, 89);
  // Committed figures (docs/interop.md).
  EXPECT_GE(f.imported, 7);
  EXPECT_GE(f.passed, 10);
}

}  // namespace
}  // namespace aiguillage
