// The JDM export: every shipped pack round-trips through import-jdm to the same logic hash;
// rule ids, sources and statuses ride on the rules; what ZEN cannot state is refused. That
// ZEN evaluates the graphs to the pack's outputs is tests/interop/jdm_export_zen.py (label zen).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "aiguillage/core/error.hpp"
#include "aiguillage/interop/jdm_import.hpp"
#include "aiguillage/interop/pack_export.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> shipped_packs() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(AIG_SOURCE_DIR) / "rules"))
    if (e.path().filename() == "pack.json") out.push_back(e.path().parent_path());
  std::sort(out.begin(), out.end());
  return out;
}

const ojson* node_named(const ojson& graph, const std::string& name) {
  for (const auto& n : graph["nodes"])
    if (n["name"] == name) return &n;
  return nullptr;
}

TEST(JdmExport, EveryShippedPackRoundTripsThroughImportJdm) {
  std::vector<fs::path> packs = shipped_packs();
  ASSERT_GE(packs.size(), 5u);
  for (const fs::path& dir : packs) {
    SCOPED_TRACE(dir.string());
    std::string original = slurp(dir / "pack.json");
    std::string jdm = export_jdm(original);
    ojson graph = ojson::parse(jdm);
    ASSERT_EQ(graph["nodes"].front()["type"], "inputNode");
    ASSERT_EQ(graph["nodes"].back()["type"], "outputNode");
    EXPECT_EQ(graph["edges"].size() + 1, graph["nodes"].size());
    EXPECT_EQ(pack_logic_hash(import_jdm(jdm)), pack_logic_hash(original));
    // Rule ids, sources and statuses ride on each rule, where ZEN's editor shows them.
    ojson pack = ojson::parse(original);
    for (const auto& d : pack["decisions"]) {
      if (d.value("kind", "table") != "table") continue;
      const ojson* n = node_named(graph, d["id"]);
      ASSERT_NE(n, nullptr) << d["id"];
      ASSERT_EQ((*n)["content"]["rules"].size(), d["rules"].size());
      for (std::size_t r = 0; r < d["rules"].size(); ++r) {
        const ojson& row = (*n)["content"]["rules"][r];
        EXPECT_EQ(row["_id"], d["rules"][r]["id"]);
        EXPECT_EQ(row["_source"], d["rules"][r]["source"]);
        EXPECT_EQ(row["_status"], d["rules"][r]["status"]);
      }
    }
  }
}

// The test pack that runs through ZEN what the shipped packs do not (aggregations, list
// predicates, text and number functions) round-trips too.
TEST(JdmExport, TheCoveragePackRoundTrips) {
  std::string original =
      slurp(fs::path(AIG_SOURCE_DIR) / "tests/interop/data/jdm-export-coverage/pack.json");
  std::string jdm = export_jdm(original);
  EXPECT_EQ(pack_logic_hash(import_jdm(jdm)), pack_logic_hash(original));
  ojson graph = ojson::parse(jdm);
  const ojson* total = node_named(graph, "total (collect)");
  ASSERT_NE(total, nullptr);
  EXPECT_EQ(total->at("content").at("expressions").at(0).at("value"),
            "(len((aiguillage_collect.total ?? [])) == 0 or some((aiguillage_collect.total ?? []), "
            "#.total == null)) ? null : sum(map((aiguillage_collect.total ?? []), #.total))");
}

TEST(JdmExport, CellsKeepThePacksNullSemantics) {
  ojson graph = ojson::parse(
      export_jdm(slurp(fs::path(AIG_SOURCE_DIR) / "rules/examples/youth-guidance/pack.json")));
  const ojson* table = node_named(graph, "organisme_referent");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ((*table)["content"]["hitPolicy"], "first");
  const ojson& o1 = (*table)["content"]["rules"][0];
  // "> 24" on a missing value is unknown in the pack: the ZEN cell tests for null first, as ZEN
  // fails on a comparison with null; "-" is ZEN's empty cell. The columns have no field: each
  // cell is a whole expression over the column's own.
  std::vector<std::string> cells;
  for (const auto& [key, value] : o1.items())
    if (key.front() != '_') cells.push_back(value.get<std::string>());
  EXPECT_EQ(cells[0], "");
  EXPECT_EQ(cells[1], "rsa_beneficiary != null and (rsa_beneficiary == true)");
  EXPECT_EQ(cells[4], "months_since_last_activity != null and (months_since_last_activity > 24)");
  EXPECT_FALSE((*table)["content"]["inputs"][0].contains("field"));
  EXPECT_EQ(cells[5], "'conseil_departemental'");
}

TEST(JdmExport, AnEditedGraphIsReadFromItsExpressions) {
  std::string original =
      slurp(fs::path(AIG_SOURCE_DIR) / "rules/examples/youth-guidance/pack.json");
  ojson graph = ojson::parse(export_jdm(original));
  for (auto& n : graph["nodes"])
    if (n["name"] == "cej_eligible") n["content"]["rules"][0]["decision-2-out-1"] = "true";
  // The pack carried along no longer describes the graph: it is not taken, and the ZEN
  // expressions are read instead (here refused: d(...) dates are outside the import's subset).
  try {
    std::string imported = import_jdm(graph.dump());
    EXPECT_NE(pack_logic_hash(imported), pack_logic_hash(original));
  } catch (const Error& e) {
    EXPECT_NE(e.code(), ErrorCode::ok);
  }
}

const char* kSmall = R"({
  "schema": "aiguillage.ruleset", "schema_version": "1.1", "id": "t/small", "version": "1.0.0",
  "valid_from": "2025-01-01", "title": "small", "sources": [{"id": "S", "title": "source"}],
  "inputs": [{"name": "n", "type": "integer"}, {"name": "x", "type": "decimal"}],
  "variables": [{"name": "half", "expression": "n + 1"}],
  "decisions": [{"id": "out", "kind": "table", "hit_policy": "FIRST",
    "inputs": [{"expression": "half"}], "outputs": [{"name": "out", "type": "integer"}],
    "rules": [{"id": "R1", "when": ["> 1"], "then": ["1"], "source": "S", "status": "verified"},
              {"id": "R2", "when": ["-"], "then": ["2"], "source": "S", "status": "verified"}]}]
})";

void expect_inexpressible(const ojson& pack, const std::string& pointer) {
  try {
    (void)export_jdm(pack.dump());
    FAIL() << "exported";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::inexpressible) << e.what();
    EXPECT_EQ(e.pointer(), pointer);
  }
}

TEST(JdmExport, WhatZenCannotStateIsInexpressible) {
  EXPECT_NO_THROW((void)export_jdm(kSmall));
  ojson pack = ojson::parse(kSmall);
  pack["variables"][0]["expression"] = "n / 2";  // rounded half to even at 6 places
  expect_inexpressible(pack, "/variables/0/expression");
  pack = ojson::parse(kSmall);
  pack["variables"][0]["expression"] = "round(x)";  // half to even; ZEN rounds half away
  expect_inexpressible(pack, "/variables/0/expression");
  pack = ojson::parse(slurp(fs::path(AIG_SOURCE_DIR) / "rules/examples/youth-guidance/pack.json"));
  pack["decisions"][0]["hit_policy"] = "PRIORITY";  // ranks by the order of enum values
  expect_inexpressible(pack, "/decisions/0/hit_policy");
  pack = ojson::parse(kSmall);
  pack["decisions"][0]["rules"][0]["then"][0] = "n * 3";
  EXPECT_NO_THROW((void)export_jdm(pack.dump()));  // integers multiply exactly
  pack["variables"][0]["expression"] = "x * 3";
  pack["decisions"][0]["rules"][0]["then"][0] = "1";
  expect_inexpressible(pack, "/variables/0/expression");
}

TEST(JdmExport, CommandLineWritesTheGraph) {
  std::string pack = std::string(AIG_SOURCE_DIR) + "/rules/sanctions/fr-2025";
  fs::path out = fs::temp_directory_path() / ("aig_jdm_export_" + std::to_string(::getpid()));
  ASSERT_EQ(
      std::system(
          (std::string(AIG_CLI_PATH) + " export --to jdm " + pack + " > " + out.string()).c_str()),
      0);
  EXPECT_EQ(pack_logic_hash(import_jdm(slurp(out))), pack_logic_hash(slurp(pack + "/pack.json")));
  fs::remove(out);
}

}  // namespace
}  // namespace aiguillage
