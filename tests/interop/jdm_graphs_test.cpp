// ZEN's own example graphs (../shared/data/zen-test-data/graphs): how many import, and how many
// of their embedded tests the imported packs pass. The figures may rise, never fall.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "aiguillage/core/date.hpp"
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

// The record's value at a dotted path, or null.
json record_value(const json& record, const std::string& path) {
  const json* v = &record;
  for (std::size_t i = 0; i <= path.size();) {
    std::size_t j = path.find('.', i);
    if (j == std::string::npos) j = path.size();
    const std::string part = path.substr(i, j - i);
    if (!v->is_object() || !v->contains(part)) return nullptr;
    v = &(*v)[part];
    i = j + 1;
  }
  return *v;
}

// Every leaf of the expected output, by dotted path, against the pack's slot of that name. A
// leaf the pack does not compute is a field of the request that ZEN copies into its response
// (passThrough): it must then be the record's own value.
bool outputs_match(const Pack& pack, const Evaluation& e, const json& expected, const json& record,
                   const std::string& prefix = "", std::string* why = nullptr) {
  if (!expected.is_object()) {  // a collect table's whole response: a list of objects
    if (why) *why = "expects " + expected.dump() + ": a list of objects";
    return false;
  }
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) {
      if (!outputs_match(pack, e, *it, record, path, why)) return false;
      continue;
    }
    const int slot = pack.slot_of(path);
    const json actual =
        slot < 0 ? record_value(record, path) : json::parse(e.frame[slot].to_json());
    if (!same(*it, actual)) {
      if (why) *why = path + ": expected " + it->dump() + ", got " + actual.dump();
      return false;
    }
  }
  return true;
}

struct Figures {
  int graphs = 0, imported = 0, tests = 0, passed = 0;
};

// AIG_JDM_VERBOSE=1 prints why each graph or test does not pass.
Figures run_graphs() {
  const bool verbose = std::getenv("AIG_JDM_VERBOSE") != nullptr;
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
    } catch (const Error& e) {
      if (verbose) std::cout << file.filename().string() << ": " << e.describe() << "\n";
      continue;
    }
    ++f.imported;
    Evaluator evaluator(*pack);
    for (const json& t : tests) {
      Evaluation e;
      EvalOptions options;
      // ZEN's date('now') is the pack's reference date. ZEN's own CI runs these tests on its
      // clock, so they hold on any day after they were written: the data's commit date is one.
      options.reference_date = *Date::parse("2026-08-22");
      options.trace = false;
      options.unknown_fields = UnknownFields::ignore;
      if (!evaluator.evaluate_json(t.value("input", json::object()).dump(), e, options)) {
        if (verbose)
          std::cout << file.filename().string() << ": test refused: "
                    << (e.errors.empty() ? std::string("?") : e.errors[0].describe()) << "\n";
        continue;
      }
      std::string why;
      if (outputs_match(*pack, e, t.value("output", json::object()),
                        t.value("input", json::object()), "", &why))
        ++f.passed;
      else if (verbose)
        std::cout << file.filename().string() << ": " << why << "\n";
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
  EXPECT_GE(f.imported, 59);
  EXPECT_GE(f.passed, 74);
}

}  // namespace
}  // namespace aiguillage
