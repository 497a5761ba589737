// The JSON Schemas of rules/schemas/ against the documents under rules/ and against the loaders:
// what the schema accepts, the engine accepts, and the other way round.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "aiguillage/rules/pack.hpp"
#include "aiguillage/rules/test_cases.hpp"
#include "support/schema_checker.hpp"

namespace aiguillage {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kSourceDir = AIG_SOURCE_DIR;

json read_json(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

using test::SchemaChecker;  // tests/support/schema_checker.hpp

const SchemaChecker& ruleset_schema() {
  static const SchemaChecker s(
      read_json(kSourceDir + "/rules/schemas/aiguillage.ruleset.schema.json"));
  return s;
}
const SchemaChecker& testcases_schema() {
  static const SchemaChecker s(
      read_json(kSourceDir + "/rules/schemas/aiguillage.testcases.schema.json"));
  return s;
}

// Every JSON document under rules/ (the schemas excepted), with the schema it declares.
std::vector<std::pair<fs::path, json>> documents(std::string_view schema) {
  std::vector<std::pair<fs::path, json>> out;
  for (const auto& entry : fs::recursive_directory_iterator(kSourceDir + "/rules")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    if (entry.path().parent_path().filename() == "schemas") continue;
    json doc = read_json(entry.path());
    if (doc.is_object() && doc.value("schema", "") == schema)
      out.emplace_back(entry.path(), std::move(doc));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

TEST(Schemas, AreDraft202012AndEveryRefResolves) {
  for (const char* name : {"aiguillage.ruleset.schema.json", "aiguillage.testcases.schema.json"}) {
    json s = read_json(kSourceDir + "/rules/schemas/" + name);
    EXPECT_EQ(s.value("$schema", ""), "https://json-schema.org/draft/2020-12/schema") << name;
    SchemaChecker checker(s);
    for (const std::string& ref : checker.refs())
      EXPECT_NE(checker.resolve(ref), nullptr) << name << " " << ref;
  }
}

TEST(Schemas, EveryKeyOfEveryPackIsDeclared) {
  auto packs = documents("aiguillage.ruleset");
  ASSERT_FALSE(packs.empty());
  bool example = false;
  for (const auto& [path, doc] : packs) {
    example = example || path.string().find("/rules/examples/") != std::string::npos;
    EXPECT_EQ(joined(ruleset_schema().undeclared_keys(doc)), "") << path;
    EXPECT_EQ(joined(ruleset_schema().validate(doc)), "") << path;
  }
  EXPECT_TRUE(example) << "no pack under rules/examples/";
}

TEST(Schemas, EveryKeyOfEveryTestFileIsDeclared) {
  auto files = documents("aiguillage.testcases");
  ASSERT_FALSE(files.empty());
  for (const auto& [path, doc] : files) {
    EXPECT_EQ(joined(testcases_schema().undeclared_keys(doc)), "") << path;
    EXPECT_EQ(joined(testcases_schema().validate(doc)), "") << path;
  }
}

bool loader_accepts_pack(const json& doc) {
  try {
    Pack::load(doc.dump());
    return true;
  } catch (const Error&) {
    return false;
  }
}

bool loader_accepts_tests(const json& doc) {
  try {
    load_test_cases(doc.dump());
    return true;
  } catch (const Error&) {
    return false;
  }
}

// Small edits of the example pack, each accepted or refused alike by the schema and the engine.
TEST(Schemas, RulesetSchemaAgreesWithTheLoader) {
  const json base = read_json(kSourceDir + "/rules/examples/youth-guidance/pack.json");
  ASSERT_TRUE(loader_accepts_pack(base));
  struct Edit {
    const char* what;
    std::function<void(json&)> apply;
    bool accepted;
  };
  const std::vector<Edit> edits = {
      {"unknown top-level key", [](json& d) { d["foo"] = 1; }, false},
      {"unknown rule key", [](json& d) { d["decisions"][0]["rules"][0]["foo"] = 1; }, false},
      {"unknown input key", [](json& d) { d["inputs"][0]["foo"] = 1; }, false},
      {"unknown label language", [](json& d) { d["inputs"][0]["label"]["de"] = "x"; }, false},
      {"enum without values", [](json& d) { d["inputs"][2].erase("values"); }, false},
      {"min on a bool", [](json& d) { d["inputs"][1]["min"] = 0; }, false},
      {"context source kind", [](json& d) { d["inputs"][0]["source_kind"] = "context"; }, false},
      {"required as text", [](json& d) { d["inputs"][0]["required"] = "yes"; }, false},
      {"rule without status", [](json& d) { d["decisions"][0]["rules"][0].erase("status"); },
       false},
      {"unknown status", [](json& d) { d["decisions"][0]["rules"][0]["status"] = "draft"; }, false},
      {"unknown hit policy", [](json& d) { d["decisions"][0]["hit_policy"] = "FIRSTS"; }, false},
      {"expression decision without kind", [](json& d) { d["decisions"][2].erase("kind"); }, false},
      {"table without outputs", [](json& d) { d["decisions"][1]["outputs"] = json::array(); },
       false},
      {"missing title", [](json& d) { d.erase("title"); }, false},
      {"schema version 2.0", [](json& d) { d["schema_version"] = "2.0"; }, false},
      {"hit policy in lower case with underscore",
       [](json& d) { d["decisions"][0]["hit_policy"] = "rule_order"; }, true},
      {"hit policy letter", [](json& d) { d["decisions"][0]["hit_policy"] = "F"; }, true},
      {"label as one string", [](json& d) { d["inputs"][0]["label"] = "date de naissance"; }, true},
      {"null kind means table", [](json& d) { d["decisions"][0]["kind"] = nullptr; }, true},
      {"column id", [](json& d) { d["decisions"][0]["inputs"][0]["id"] = 3; }, true},
      {"source without url", [](json& d) { d["sources"][0].erase("url"); }, true},
      {"integer bounds as strings", [](json& d) { d["inputs"][4]["max"] = "600"; }, true},
      {"date bounds", [](json& d) { d["inputs"][0]["min"] = "1900-01-01"; }, true},
      {"no variables",
       [](json& d) {
         d.erase("variables");
         d["decisions"][0]["inputs"][0]["expression"] = "years_between(birth_date, reference_date)";
         d["decisions"][1]["inputs"][0]["expression"] = "years_between(birth_date, reference_date)";
       },
       true},
  };
  for (const Edit& edit : edits) {
    json doc = base;
    edit.apply(doc);
    EXPECT_EQ(loader_accepts_pack(doc), edit.accepted) << edit.what;
    EXPECT_EQ(ruleset_schema().validate(doc).empty(), edit.accepted)
        << edit.what << "\n"
        << joined(ruleset_schema().validate(doc));
  }
}

TEST(Schemas, TestCasesSchemaAgreesWithTheLoader) {
  const json base = read_json(kSourceDir + "/rules/examples/youth-guidance/tests/cases.json");
  ASSERT_TRUE(loader_accepts_tests(base));
  struct Edit {
    const char* what;
    std::function<void(json&)> apply;
    bool accepted;
  };
  const std::vector<Edit> edits = {
      {"unknown case key", [](json& d) { d["cases"][0]["foo"] = 1; }, false},
      {"unknown expectation", [](json& d) { d["cases"][0]["expected"]["foo"] = 1; }, false},
      {"empty expectation", [](json& d) { d["cases"][0]["expected"] = json::object(); }, false},
      {"unknown error name",
       [](json& d) {
         d["cases"][0]["expected"] = {{"error", "no_such_code"}};
       },
       false},
      {"rules as a number", [](json& d) { d["cases"][0]["expected"]["rules"]["cej_eligible"] = 3; },
       false},
      {"empty name", [](json& d) { d["cases"][0]["name"] = ""; }, false},
      {"input not an object", [](json& d) { d["cases"][0]["input"] = json::array(); }, false},
      {"unknown status", [](json& d) { d["cases"][0]["expected"]["status"] = "done"; }, false},
      {"missing as text", [](json& d) { d["cases"][0]["expected"]["missing"] = "birth_date"; },
       false},
      {"description", [](json& d) { d["description"] = "x"; }, true},
      {"rules as a list or null",
       [](json& d) {
         d["cases"][0]["expected"]["rules"]["cej_eligible"] = json::array({"C2"});
         d["cases"][0]["expected"]["rules"]["organisme_referent"] = nullptr;
       },
       true},
      {"no reference date", [](json& d) { d["cases"][0].erase("reference_date"); }, true},
  };
  for (const Edit& edit : edits) {
    json doc = base;
    edit.apply(doc);
    EXPECT_EQ(loader_accepts_tests(doc), edit.accepted) << edit.what;
    EXPECT_EQ(testcases_schema().validate(doc).empty(), edit.accepted)
        << edit.what << "\n"
        << joined(testcases_schema().validate(doc));
  }
}

}  // namespace
}  // namespace aiguillage
