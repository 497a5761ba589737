#include "aiguillage/interop/pack_export.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "aiguillage/core/error.hpp"
#include "aiguillage/interop/dmn_import.hpp"
#include "aiguillage/rules/pack.hpp"
#include "aiguillage/rules/test_cases.hpp"

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

// Every pack shipped under rules/ (a folder holding pack.json).
std::vector<fs::path> shipped_packs() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(AIG_SOURCE_DIR) / "rules"))
    if (e.path().filename() == "pack.json") out.push_back(e.path().parent_path());
  std::sort(out.begin(), out.end());
  return out;
}

// id, source and status of every rule, per decision, in order.
std::vector<std::string> rule_provenance(const std::string& pack_json) {
  std::vector<std::string> out;
  ojson pack = ojson::parse(pack_json);
  for (const auto& d : pack["decisions"])
    for (const auto& r : d.value("rules", ojson::array()))
      out.push_back(d["id"].get<std::string>() + "/" + r["id"].get<std::string>() + " " +
                    r.value("source", "") + " " + r.value("status", ""));
  return out;
}

TEST(DmnExport, EveryShippedPackRoundTripsToTheSameLogicHash) {
  std::vector<fs::path> packs = shipped_packs();
  ASSERT_GE(packs.size(), 5u);
  for (const fs::path& dir : packs) {
    SCOPED_TRACE(dir.string());
    std::string original = slurp(dir / "pack.json");
    std::string dmn = export_dmn(original);
    std::string imported = import_dmn(dmn);
    EXPECT_EQ(pack_logic_hash(imported), pack_logic_hash(original));
    // Rule ids, legal sources and statuses survive as annotations.
    EXPECT_EQ(rule_provenance(imported), rule_provenance(original));
    // The pack's own test cases (outputs and the rules that fire) pass on the re-import.
    Pack pack = Pack::load(imported);
    TestRun run = run_test_dir(pack, dir.string());
    EXPECT_GT(run.passed, 0u);
    EXPECT_EQ(run.failed, 0u) << run.to_text();
    ojson back = ojson::parse(imported);
    EXPECT_EQ(back["id"], ojson::parse(original)["id"]);
    EXPECT_EQ(back["version"], ojson::parse(original)["version"]);
  }
}

TEST(DmnExport, TheModelIsDmn13AndSimpleCellsStayFeel) {
  std::string original =
      slurp(fs::path(AIG_SOURCE_DIR) / "rules/examples/youth-guidance/pack.json");
  std::string dmn = export_dmn(original);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(dmn.c_str()));
  pugi::xml_node root = doc.document_element();
  EXPECT_STREQ(root.name(), "definitions");
  EXPECT_STREQ(root.attribute("xmlns").value(), "https://www.omg.org/spec/DMN/20191111/MODEL/");
  // The enum input is an item definition with its allowed values.
  pugi::xpath_node item = doc.select_node("/definitions/itemDefinition[@name='t_boe_status']");
  ASSERT_TRUE(item);
  EXPECT_STREQ(item.node().child("allowedValues").child_value("text"),
               "\"none\",\"rqth\",\"pending\"");
  // "> 24" and "[16..25]" are S-FEEL as written; years_between is not FEEL and is declared
  // in the pack's own expression language.
  int feel = 0, foreign = 0;
  for (pugi::xpath_node n : doc.select_nodes("//inputEntry")) {
    std::string text = n.node().child_value("text");
    bool is_foreign = n.node().attribute("expressionLanguage");
    if (text == "> 24" || text == "[16..25]") {
      EXPECT_FALSE(is_foreign) << text;
    }
    (is_foreign ? foreign : feel)++;
  }
  EXPECT_GT(feel, 0);
  pugi::xpath_node age = doc.select_node("/definitions/decision[@name='age']/literalExpression");
  ASSERT_TRUE(age);
  EXPECT_STREQ(age.node().attribute("expressionLanguage").value(), "urn:aiguillage:expression:1");
  EXPECT_STREQ(age.node().child_value("text"), "years_between(birth_date, reference_date)");
  // Multi-output table: the annotations and hit policy.
  pugi::xpath_node table =
      doc.select_node("/definitions/decision[@name='organisme_referent']/decisionTable");
  ASSERT_TRUE(table);
  EXPECT_STREQ(table.node().attribute("hitPolicy").value(), "FIRST");
  EXPECT_STREQ(table.node().child("annotation").attribute("name").value(), "rule id");
  EXPECT_STREQ(table.node().child("rule").child("annotationEntry").child_value("text"), "O1");
}

TEST(DmnExport, CollectCountIsAnAggregation) {
  std::string dmn = export_dmn(slurp(fs::path(AIG_SOURCE_DIR) / "rules/eligibility/iae/pack.json"));
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(dmn.c_str()));
  pugi::xpath_node t = doc.select_node("/definitions/decision[@name='level1_count']/decisionTable");
  ASSERT_TRUE(t);
  EXPECT_STREQ(t.node().attribute("hitPolicy").value(), "COLLECT");
  EXPECT_STREQ(t.node().attribute("aggregation").value(), "COUNT");
}

const char* kSmall = R"({
  "schema": "aiguillage.ruleset", "schema_version": "1.1", "id": "t/small", "version": "1.0.0",
  "valid_from": "2025-01-01", "title": "small", "sources": [{"id": "S", "title": "source"}],
  "inputs": [{"name": "kind", "type": "enum", "values": ["a", "b"], "label": {"fr": "genre"}}],
  "decisions": [{"id": "out", "kind": "table", "hit_policy": "UNIQUE", "label": {"fr": "sortie"},
    "inputs": [{"expression": "kind"}], "outputs": [{"name": "out", "type": "integer"}],
    "rules": [{"id": "R1", "when": ["\"a\""], "then": ["1"], "source": "S", "status": "verified"},
              {"id": "R2", "when": ["\"b\""], "then": ["2"], "source": "S", "status": "verified"}]}]
})";

TEST(PackLogicHash, IgnoresLabelsAndSeesCells) {
  std::string base = pack_logic_hash(kSmall);
  ojson changed = ojson::parse(kSmall);
  changed["title"] = "another title";
  changed["decisions"][0]["label"]["fr"] = "autre";
  changed["decisions"][0]["rules"][0]["id"] = "X1";
  EXPECT_EQ(pack_logic_hash(changed.dump()), base);
  changed["decisions"][0]["rules"][0]["then"][0] = "3";
  EXPECT_NE(pack_logic_hash(changed.dump()), base);
  ojson typed = ojson::parse(kSmall);
  typed["decisions"][0]["outputs"][0]["type"] = "decimal";
  EXPECT_NE(pack_logic_hash(typed.dump()), base);
}

TEST(DmnExport, IntegerOutputsStayIntegers) {
  std::string imported = import_dmn(export_dmn(kSmall));
  EXPECT_EQ(ojson::parse(imported)["decisions"][0]["outputs"][0]["type"], "integer");
  EXPECT_EQ(pack_logic_hash(imported), pack_logic_hash(kSmall));
}

TEST(DmnExport, AnEnumValueWithAQuoteIsInexpressible) {
  ojson pack = ojson::parse(kSmall);
  pack["inputs"][0]["values"][1] = "b\"c";
  pack["decisions"][0]["rules"][1]["when"][0] = "\"b\\\"c\"";
  try {
    (void)export_dmn(pack.dump());
    FAIL() << "exported";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::inexpressible);
    EXPECT_EQ(e.pointer(), "/inputs/0");
  }
}

TEST(DmnExport, AnInvalidPackIsTheLoadError) {
  try {
    (void)export_dmn(R"({"schema": "aiguillage.ruleset"})");
    FAIL() << "exported";
  } catch (const Error& e) {
    EXPECT_NE(e.code(), ErrorCode::inexpressible);
  }
}

// The command line: export to a file, import it back, same logic hash.
TEST(DmnExport, CommandLineRoundTrip) {
  fs::path dir = fs::temp_directory_path() / ("aig_export_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string pack = std::string(AIG_SOURCE_DIR) + "/rules/sanctions/fr-2025";
  std::string cli = AIG_CLI_PATH;
  ASSERT_EQ(
      std::system((cli + " export --to dmn " + pack + " > " + (dir / "p.dmn").string()).c_str()),
      0);
  ASSERT_EQ(std::system((cli + " import-dmn " + (dir / "p.dmn").string() + " > " +
                         (dir / "p.json").string())
                            .c_str()),
            0);
  EXPECT_EQ(pack_logic_hash(slurp(dir / "p.json")), pack_logic_hash(slurp(pack + "/pack.json")));
  EXPECT_NE(std::system((cli + " export --to xml " + pack + " 2>/dev/null").c_str()), 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace aiguillage

namespace aiguillage {
namespace {

// The names an expression text reads: identifiers outside string literals.
std::set<std::string> names_in(const std::string& text) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '"' || c == '\'') {
      std::size_t j = i + 1;
      while (j < text.size() && text[j] != c) j += text[j] == '\\' ? 2 : 1;
      i = j + 1;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) ||
                                 text[j] == '_' || text[j] == '.'))
        ++j;
      out.insert(text.substr(i, j - i));
      i = j;
    } else {
      ++i;
    }
  }
  return out;
}

// The DRD's arrows match the pack's dependency graph, read from the pack document's own text:
// each variable and decision requires the inputs it names (an inputData) and the variables and
// decisions whose values it names (a decision), and nothing else.
TEST(DmnExport, InformationRequirementsAreThePacksDependencyGraph) {
  for (const fs::path& dir : shipped_packs()) {
    SCOPED_TRACE(dir.string());
    ojson pack = ojson::parse(slurp(dir / "pack.json"));
    std::map<std::string, std::string> owner;  // name -> "input:x" or "decision:x"
    for (const auto& in : pack["inputs"])
      owner[in["name"]] = "input:" + in["name"].get<std::string>();
    for (const auto& v : pack.value("variables", ojson::array()))
      owner[v["name"]] = "decision:" + v["name"].get<std::string>();
    std::map<std::string, std::set<std::string>> expected;  // element name -> requirements
    for (const auto& v : pack.value("variables", ojson::array()))
      for (const std::string& n : names_in(v["expression"])) expected[v["name"]].insert(n);
    for (const auto& d : pack["decisions"]) {
      std::string id = d["id"];
      if (d.contains("output")) owner[d["output"]["name"]] = "decision:" + id;
      for (const auto& o : d.value("outputs", ojson::array())) owner[o["name"]] = "decision:" + id;
      std::set<std::string>& names = expected[id];
      if (d.contains("expression")) names = names_in(d["expression"]);
      for (const auto& c : d.value("inputs", ojson::array()))
        for (const std::string& n : names_in(c["expression"])) names.insert(n);
      for (const auto& r : d.value("rules", ojson::array()))
        for (const char* side : {"when", "then"})
          for (const auto& cell : r[side])
            for (const std::string& n : names_in(cell)) names.insert(n);
    }
    for (auto& [element, names] : expected) {
      std::set<std::string> resolved;
      for (const std::string& n : names)
        if (auto it = owner.find(n); it != owner.end() && it->second != "decision:" + element)
          resolved.insert(it->second);
      names = std::move(resolved);
    }
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(export_dmn(slurp(dir / "pack.json")).c_str()));
    std::map<std::string, std::string> by_id;  // DRD id -> "input:x" / "decision:x"
    for (pugi::xpath_node n : doc.select_nodes("/definitions/inputData"))
      by_id[n.node().attribute("id").value()] =
          std::string("input:") + n.node().attribute("name").value();
    for (pugi::xpath_node n : doc.select_nodes("/definitions/decision"))
      by_id[n.node().attribute("id").value()] =
          std::string("decision:") + n.node().attribute("name").value();
    std::size_t arrows = 0;
    for (pugi::xpath_node n : doc.select_nodes("/definitions/decision")) {
      std::string name = n.node().attribute("name").value();
      std::set<std::string> got;
      for (pugi::xml_node r : n.node().children("informationRequirement")) {
        ASSERT_TRUE(r.attribute("id"));
        pugi::xml_node ref = r.first_child();
        std::string href = ref.attribute("href").value();
        ASSERT_EQ(href.front(), '#');
        ASSERT_TRUE(by_id.count(href.substr(1))) << href;
        std::string target = by_id[href.substr(1)];
        EXPECT_EQ(std::string(ref.name()) == "requiredInput", target.rfind("input:", 0) == 0);
        got.insert(target);
        ++arrows;
      }
      EXPECT_EQ(got, expected[name]) << name;
      // DMN's order: requirements after the variable, before the expression.
      pugi::xml_node last = n.node().last_child();
      EXPECT_TRUE(std::string(last.name()) == "decisionTable" ||
                  std::string(last.name()) == "literalExpression");
    }
    EXPECT_GT(arrows, 0u);
    // The arrows change nothing in the logic read back.
    EXPECT_EQ(pack_logic_hash(import_dmn(export_dmn(slurp(dir / "pack.json")))),
              pack_logic_hash(slurp(dir / "pack.json")));
  }
}

}  // namespace
}  // namespace aiguillage
