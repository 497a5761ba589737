#include "aiguillage/interop/jdm_import.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aiguillage/core/error.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
namespace {

using nlohmann::json;

const std::string kData = AIG_SOURCE_DIR "/../shared/data/zen-test-data";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A graph input -> one table -> output, as the ZEN editor writes it.
json graph(json content) {
  return json{
      {"nodes",
       {{{"id", "in"}, {"type", "inputNode"}, {"name", "Request"}},
        {{"id", "t"}, {"type", "decisionTableNode"}, {"name", "Fees"}, {"content", content}},
        {{"id", "out"}, {"type", "outputNode"}, {"name", "Response"}}}},
      {"edges",
       {{{"id", "e1"}, {"sourceId", "in"}, {"targetId", "t"}},
        {{"id", "e2"}, {"sourceId", "t"}, {"targetId", "out"}}}}};
}

json fees_table() {
  return json{
      {"hitPolicy", "first"},
      {"inputs",
       {{{"id", "c"}, {"field", "customer.country"}, {"name", "Country"}},
        {{"id", "a"}, {"field", "cart.total"}, {"name", "Total"}},
        {{"id", "p"}, {"field", "customer.premium"}, {"name", "Premium"}}}},
      {"outputs",
       {{{"id", "f"}, {"field", "fee"}, {"name", "Fee"}},
        {{"id", "g"}, {"field", "group"}, {"name", "Group"}}}},
      {"rules",
       {{{"_id", "uk-big"},
         {"c", "'GB', 'IE'"},
         {"a", "> 1_000 and <= 5_000"},
         {"p", ""},
         {"f", "0"},
         {"g", "'UK'"}},
        {{"_id", "premium"},
         {"c", ""},
         {"a", ""},
         {"p", "true"},
         {"f", "2.5"},
         {"g", "customer.country"}},
        {{"c", "not('FR')"}, {"a", "< 50"}, {"p", ""}, {"f", "15"}, {"g", ""}},
        {{"_id", "rest"}, {"c", ""}, {"a", ""}, {"p", ""}, {"f", "10"}, {"g", "\"OTHER\""}}}}};
}

struct Imported {
  Pack pack;
  Evaluator evaluator;
  explicit Imported(const std::string& jdm) : pack(Pack::load(import_jdm(jdm))), evaluator(pack) {}
  Evaluation eval(const std::string& record) const {
    Evaluation e;
    EvalOptions options;
    options.reference_date = Date::from_ymd(2025, 1, 1);
    options.unknown_fields = UnknownFields::ignore;
    EXPECT_TRUE(evaluator.evaluate_json(record, e, options)) << record;
    return e;
  }
  std::string out(const Evaluation& e, const std::string& name) const {
    int slot = pack.slot_of(name);
    EXPECT_GE(slot, 0) << name;
    return slot < 0 ? "" : e.frame[static_cast<std::size_t>(slot)].to_json();
  }
};

TEST(JdmImport, ConvertsATableWithTypesSourcesAndRuleIds) {
  std::string text = import_jdm(graph(fees_table()).dump());
  json pack = json::parse(text);
  EXPECT_EQ(pack["schema"], "aiguillage.ruleset");
  EXPECT_EQ(pack["sources"][0]["id"], "jdm");
  EXPECT_EQ(pack["sources"][0]["title"], "Imported from a GoRules JDM graph");
  ASSERT_EQ(pack["inputs"].size(), 3u);
  EXPECT_EQ(pack["inputs"][0]["name"], "customer.country");
  EXPECT_EQ(pack["inputs"][0]["type"], "string");
  EXPECT_EQ(pack["inputs"][1]["type"], "decimal");
  EXPECT_EQ(pack["inputs"][2]["type"], "bool");
  const json& d = pack["decisions"][0];
  EXPECT_EQ(d["id"], "Fees");
  EXPECT_EQ(d["hit_policy"], "FIRST");
  EXPECT_EQ(d["outputs"][0]["type"], "decimal");
  EXPECT_EQ(d["outputs"][1]["type"], "string");  // literals and a copy of a string input
  EXPECT_EQ(d["rules"][0]["id"], "uk-big");
  EXPECT_EQ(d["rules"][2]["id"], "r3");
  EXPECT_EQ(d["rules"][0]["when"][1], "(1000..5000]");
  EXPECT_EQ(d["rules"][2]["then"][1], "null");
  for (const json& r : d["rules"]) {
    EXPECT_EQ(r["status"], "interpretation");
    EXPECT_EQ(r["source"], "jdm");
  }
}

TEST(JdmImport, EvaluatesLikeZen) {
  Imported run(graph(fees_table()).dump());
  auto e = run.eval(R"({"customer":{"country":"IE","premium":false},"cart":{"total":1200}})");
  EXPECT_EQ(run.out(e, "fee"), "0");
  EXPECT_EQ(run.out(e, "group"), "\"UK\"");
  e = run.eval(R"({"customer":{"country":"DE","premium":true},"cart":{"total":1200}})");
  EXPECT_EQ(run.out(e, "fee"), "2.5");
  EXPECT_EQ(run.out(e, "group"), "\"DE\"");
  e = run.eval(R"({"customer":{"country":"ES","premium":false},"cart":{"total":20}})");
  EXPECT_EQ(run.out(e, "fee"), "15");
  EXPECT_EQ(run.out(e, "group"), "null");
  e = run.eval(R"({"customer":{"country":"FR","premium":false},"cart":{"total":20}})");
  EXPECT_EQ(run.out(e, "fee"), "10");
  EXPECT_EQ(run.out(e, "group"), "\"OTHER\"");
}

TEST(JdmImport, CollectAndChainedTables) {
  json first = {{"hitPolicy", "first"},
                {"inputs", {{{"id", "i"}, {"field", "income"}}}},
                {"outputs", {{{"id", "o"}, {"field", "band"}}}},
                {"rules",
                 {{{"_id", "low"}, {"i", "< 1000"}, {"o", "'low'"}},
                  {{"_id", "high"}, {"i", ""}, {"o", "'high'"}}}}};
  json second = {
      {"hitPolicy", "collect"},
      {"inputs", {{{"id", "b"}, {"field", "band"}}}},
      {"outputs", {{{"id", "o"}, {"field", "aid"}}}},
      {"rules",
       {{{"_id", "a1"}, {"b", "'low'"}, {"o", "100"}}, {{"_id", "a2"}, {"b", ""}, {"o", "5"}}}}};
  json g = {{"nodes",
             {{{"id", "in"}, {"type", "inputNode"}},
              {{"id", "t1"}, {"type", "decisionTableNode"}, {"name", "Band"}, {"content", first}},
              {{"id", "t2"}, {"type", "decisionTableNode"}, {"name", "Aid"}, {"content", second}}}},
            {"edges",
             {{{"id", "e1"}, {"sourceId", "in"}, {"targetId", "t1"}},
              {{"id", "e2"}, {"sourceId", "t1"}, {"targetId", "t2"}}}}};
  json pack = json::parse(import_jdm(g.dump()));
  ASSERT_EQ(pack["inputs"].size(), 1u);  // "band" is the first table's output, not an input
  EXPECT_EQ(pack["decisions"][1]["hit_policy"], "COLLECT");
  Imported run(g.dump());
  auto e = run.eval(R"({"income": 500})");
  EXPECT_EQ(run.out(e, "band"), "\"low\"");
  EXPECT_EQ(run.out(e, "aid"), "[100,5]");
}

// Input -> table -> switch (first) -> one expression node per branch, the two writing the same
// keys; the second branch copies an object the table wrote whole.
TEST(JdmImport, ExpressionAndSwitchNodes) {
  json table = {{"hitPolicy", "first"},
                {"inputs", {{{"id", "i"}, {"field", "income"}}}},
                {"outputs",
                 {{{"id", "s"}, {"field", "score.value"}}, {{"id", "c"}, {"field", "score.band"}}}},
                {"rules",
                 {{{"_id", "low"}, {"i", "< 1_000"}, {"s", "10"}, {"c", "'low'"}},
                  {{"_id", "high"}, {"i", ""}, {"s", "income / 100"}, {"c", "'high'"}}}}};
  json high = {
      {"expressions",
       {{{"id", "a"}, {"key", "bonus"}, {"value", "score.value > 20 ? 5 : 1"}},
        {{"id", "b"}, {"key", "total"}, {"value", "score.value * $.bonus"}},
        {{"id", "m"}, {"key", "message"}, {"value", "`band ${score.band}: ${$.total}`"}}}}};
  json other = {{"expressions",
                 {{{"id", "a"}, {"key", "bonus"}, {"value", "0"}},
                  {{"id", "b"}, {"key", "total"}, {"value", "extra ?? 0"}},
                  {{"id", "k"}, {"key", "copy"}, {"value", "{ 'score': score }"}}}}};
  json sw = {
      {"hitPolicy", "first"},
      {"statements",
       {{{"id", "s1"}, {"condition", "score.band == 'high'"}}, {{"id", "s2"}, {"condition", ""}}}}};
  json g = {{"nodes",
             {{{"id", "in"}, {"type", "inputNode"}},
              {{"id", "t"}, {"type", "decisionTableNode"}, {"name", "Score"}, {"content", table}},
              {{"id", "sw"}, {"type", "switchNode"}, {"name", "Band"}, {"content", sw}},
              {{"id", "h"}, {"type", "expressionNode"}, {"name", "High"}, {"content", high}},
              {{"id", "o"}, {"type", "expressionNode"}, {"name", "Other"}, {"content", other}}}},
            {"edges",
             {{{"id", "e1"}, {"sourceId", "in"}, {"targetId", "t"}},
              {{"id", "e2"}, {"sourceId", "t"}, {"targetId", "sw"}},
              {{"id", "e3"}, {"sourceId", "sw"}, {"targetId", "h"}, {"sourceHandle", "s1"}},
              {{"id", "e4"}, {"sourceId", "sw"}, {"targetId", "o"}, {"sourceHandle", "s2"}}}}};
  Imported run(g.dump());
  auto e = run.eval(R"({"income": 3000})");
  EXPECT_EQ(run.out(e, "bonus"), "5");
  EXPECT_EQ(run.out(e, "total"), "150");
  EXPECT_EQ(run.out(e, "message"), "\"band high: 150\"");
  EXPECT_EQ(run.out(e, "copy.score.band"), "null");
  e = run.eval(R"({"income": 500, "extra": 7})");
  EXPECT_EQ(run.out(e, "bonus"), "0");
  EXPECT_EQ(run.out(e, "total"), "7");
  EXPECT_EQ(run.out(e, "message"), "null");
  EXPECT_EQ(run.out(e, "copy.score.band"), "\"low\"");
  EXPECT_EQ(run.out(e, "copy.score.value"), "10");

  // A JavaScript function node is refused, naming the node.
  g["nodes"][3]["type"] = "functionNode";
  try {
    import_jdm(g.dump());
    ADD_FAILURE() << "a function node was imported";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::unsupported_construct);
    EXPECT_EQ(err.pointer(), "/nodes/3");
    EXPECT_NE(err.message().find("\"High\""), std::string::npos) << err.message();
  }
}

void expect_error(const json& g, ErrorCode code, const std::string& pointer) {
  try {
    import_jdm(g.dump());
    ADD_FAILURE() << "no error, expected " << error_code_name(code) << " at " << pointer;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.describe();
    EXPECT_EQ(e.pointer(), pointer) << e.describe();
  }
}

// ZEN's date() is seconds since 1970 in cells as in expressions, range bounds included, and
// date('now') is the reference date (2025-01-01 here); a text in quotes is not rewritten.
TEST(JdmImport, DatesInCellsAreSecondsSince1970) {
  json table = {{"hitPolicy", "first"},
                {"inputs",
                 {{{"id", "j"}, {"field", "date(customer.joined)"}, {"name", "Joined"}},
                  {{"id", "n"}, {"field", "customer.note"}, {"name", "Note"}}}},
                {"outputs", {{{"id", "o"}, {"field", "band"}, {"name", "Band"}}}},
                {"rules",
                 {{{"j", "[date(\"2023-01-01\")..date('2023-02-01')]"}, {"n", ""}, {"o", "'jan'"}},
                  {{"j", "> date( 'now' )"}, {"n", ""}, {"o", "'future'"}},
                  {{"j", "< date(\"2020-01-01 12:00:00\")"}, {"n", ""}, {"o", "'old'"}},
                  {{"j", ""}, {"n", "'date(x)'"}, {"o", "'note'"}},
                  {{"j", ""}, {"n", ""}, {"o", "'other'"}}}}};
  json pack = json::parse(import_jdm(graph(table).dump()));
  EXPECT_EQ(pack["decisions"][0]["rules"][0]["when"][0],
            "[timestamp(\"2023-01-01\")..timestamp('2023-02-01')]");
  EXPECT_EQ(pack["decisions"][0]["rules"][1]["when"][0], "> timestamp(reference_date)");
  Imported run(graph(table).dump());
  const auto band = [&](const char* joined, const char* note = "n") {
    return run.out(run.eval(json{{"customer", {{"joined", joined}, {"note", note}}}}.dump()),
                   "band");
  };
  EXPECT_EQ(band("2023-01-15T10:00:00Z"), "\"jan\"");
  EXPECT_EQ(band("2023-02-01"), "\"jan\"");
  EXPECT_EQ(band("2023-02-01 00:00:01"), "\"other\"");
  EXPECT_EQ(band("2025-01-01 00:00:01"), "\"future\"");
  EXPECT_EQ(band("2020-01-01 11:59:59"), "\"old\"");
  EXPECT_EQ(band("2021-06-01", "date(x)"), "\"note\"");
}

// ZEN joins ranges and comparisons of the column's value with and / or; an output cell that
// is a comparison makes a boolean output even beside literal true / false.
TEST(JdmImport, RangesJoinedWithComparisonsAndBooleanOutputCells) {
  json table = {{"hitPolicy", "first"},
                {"inputs", {{{"id", "a"}, {"field", "age"}, {"name", "Age"}}}},
                {"outputs", {{{"id", "o"}, {"field", "ok"}, {"name", "Ok"}}}},
                {"rules",
                 {{{"a", "[-10..0] and > -5"}, {"o", "true"}},
                  {{"a", "(10..20) or > 100"}, {"o", "age <= 101"}},
                  {{"a", ""}, {"o", "false"}}}}};
  json pack = json::parse(import_jdm(graph(table).dump()));
  EXPECT_EQ(pack["decisions"][0]["rules"][0]["when"][0], "$ in [-10..0] and $ > -5");
  EXPECT_EQ(pack["decisions"][0]["rules"][1]["when"][0], "$ in (10..20) or $ > 100");
  EXPECT_EQ(pack["decisions"][0]["outputs"][0]["type"], "bool");
  Imported run(graph(table).dump());
  const auto ok = [&](int age) { return run.out(run.eval(json{{"age", age}}.dump()), "ok"); };
  EXPECT_EQ(ok(-5), "false");
  EXPECT_EQ(ok(-4), "true");
  EXPECT_EQ(ok(15), "true");
  EXPECT_EQ(ok(101), "true");
  EXPECT_EQ(ok(100), "false");
  EXPECT_EQ(ok(102), "false");
}

// A graph with a JavaScript function node is refused for that node, even when a node before it
// holds something else the importer refuses (ZEN's aml graph: a cell, then the function).
TEST(JdmImport, AFunctionNodeIsNamedWhateverComesBeforeIt) {
  json table = {{"hitPolicy", "first"},
                {"inputs", {{{"id", "c"}, {"name", "Country"}}}},
                {"outputs", {{{"id", "o"}, {"field", "risk"}, {"name", "Risk"}}}},
                {"rules", {{{"c", "\"RU\", \"NK\""}, {"o", "'high'"}}}}};
  json g = graph(table);
  g["nodes"].push_back({{"id", "f"},
                        {"type", "functionNode"},
                        {"name", "Aggregator"},
                        {"content", {{"source", "export const handler = () => ({})"}}}});
  g["edges"].push_back({{"id", "e3"}, {"sourceId", "t"}, {"targetId", "f"}});
  try {
    (void)import_jdm(g.dump());
    FAIL() << "imported";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unsupported_construct);
    EXPECT_EQ(e.pointer(), "/nodes/3");
    EXPECT_NE(e.message().find("function node \"Aggregator\""), std::string::npos) << e.message();
  }
}

// A table column over a list of objects, typed by the graph's test records (ruleset 1.2).
TEST(JdmImport, ReadsListsOfObjectsAndOfNumbersThroughTheirItems) {
  json table = {
      {"hitPolicy", "first"},
      {"inputs",
       {{{"id", "t"}, {"field", "sum(map(cart.items, #.unitPrice * #.quantity))"}, {"name", "T"}},
        {{"id", "s"}, {"field", "max(scores)"}, {"name", "S"}}}},
      {"outputs", {{{"id", "g"}, {"field", "group"}, {"name", "Group"}}}},
      {"rules",
       {{{"t", ">= 1_000"}, {"s", ""}, {"g", "'HIGH'"}},
        {{"t", ""}, {"s", "> 5"}, {"g", "'SCORED'"}},
        {{"t", ""}, {"s", ""}, {"g", "'LOW'"}}}}};
  json g = graph(table);
  g["tests"] = {{{"input",
                  {{"cart", {{"items", {{{"unitPrice", 500}, {"quantity", 2}, {"sku", "A"}}}}}},
                   {"scores", {1, 2}}}},
                 {"output", {{"group", "HIGH"}}}}};
  const json pack = json::parse(import_jdm(g.dump()));
  EXPECT_EQ(pack["schema_version"], "1.2");
  const json& items = pack["inputs"][0];
  EXPECT_EQ(items["name"], "cart.items");
  EXPECT_EQ(items["items"]["type"], "object");
  EXPECT_EQ(items["items"]["fields"].dump(),
            R"([{"name":"quantity","type":"decimal"},{"name":"sku","type":"string"},)"
            R"({"name":"unitPrice","type":"decimal"}])");
  EXPECT_EQ(pack["inputs"][1]["items"]["type"], "decimal");
  Imported imported(g.dump());
  EXPECT_EQ(imported.out(
                imported.eval(
                    R"({"cart": {"items": [{"unitPrice": 500, "quantity": 2}]}, "scores": [1]})"),
                "group"),
            R"("HIGH")");
  EXPECT_EQ(imported.out(
                imported.eval(
                    R"({"cart": {"items": [{"unitPrice": 5, "quantity": 2}]}, "scores": [9, 1]})"),
                "group"),
            R"("SCORED")");
  EXPECT_EQ(imported.out(imported.eval(R"({"cart": {"items": []}, "scores": []})"), "group"),
            R"("LOW")");

  // Items of different kinds, or lists of lists, stay refused, naming the input.
  g["tests"][0]["input"]["scores"] = {1, "2"};
  expect_error(g, ErrorCode::unsupported_construct, "/nodes/1/content/inputs/1/field");
  g["tests"][0]["input"]["scores"] = {{1}, {2}};
  expect_error(g, ErrorCode::unsupported_construct, "/nodes/1/content/inputs/1/field");
  // A field the items do not have is an error of the pack, reported at the column.
  g["tests"][0]["input"]["scores"] = {1, 2};
  g["nodes"][1]["content"]["inputs"][0]["field"] = "sum(map(cart.items, #.weight))";
  expect_error(g, ErrorCode::unknown_name, "/nodes/1/content/inputs/0/field");
}

TEST(JdmImport, RejectsWhatItCannotConvertWithThePointer) {
  json g = graph(fees_table());
  g["nodes"][1]["type"] = "functionNode";
  expect_error(g, ErrorCode::unsupported_construct, "/nodes/1");

  g = graph(fees_table());
  g["nodes"][1]["content"]["inputs"][1]["field"] = "sum(flatten(cart.items))";
  expect_error(g, ErrorCode::unsupported_construct, "/nodes/1/content/inputs/1/field");

  g = graph(fees_table());
  g["nodes"][1]["content"]["executionMode"] = "loop";
  expect_error(g, ErrorCode::unsupported_construct, "/nodes/1/content/executionMode");

  g = graph(fees_table());
  g["nodes"][1]["content"]["hitPolicy"] = "sometimes";
  expect_error(g, ErrorCode::bad_hit_policy, "/nodes/1/content/hitPolicy");

  // A cell the expression language does not know is reported in the graph, not in the pack.
  g = graph(fees_table());
  g["nodes"][1]["content"]["rules"][1]["f"] = "frobnicate(2)";
  expect_error(g, ErrorCode::unsupported_construct, "/nodes/1/content/rules/1/f");

  g = graph(fees_table());
  g["edges"][0]["targetId"] = "nowhere";
  expect_error(g, ErrorCode::invalid_document, "/edges/0/targetId");

  expect_error(json{{"nodes", json::array({{{"id", "in"}, {"type", "inputNode"}}})}},
               ErrorCode::invalid_document, "/nodes");
}

bool have_data() {
  return std::filesystem::exists(kData + "/8k.json");
}

TEST(JdmImport, ZenTableJson) {
  if (!have_data()) GTEST_SKIP() << kData << " is absent";
  Imported run(read_text(kData + "/table.json"));
  EXPECT_EQ(run.out(run.eval(R"({"input": 15})"), "output"), "10");
  EXPECT_EQ(run.out(run.eval(R"({"input": 10})"), "output"), "0");
  EXPECT_EQ(run.out(run.eval(R"({"input": 2.5})"), "output"), "0");
}

TEST(JdmImport, Zen8kTable) {
  if (!have_data()) GTEST_SKIP() << kData << " is absent";
  Imported run(read_text(kData + "/8k.json"));
  ASSERT_EQ(run.pack.decisions().size(), 1u);
  EXPECT_EQ(run.pack.decisions()[0].rules.size(), 7990u);
  auto e = run.eval(R"({"customer":{"country":"GB","totalSpend":50,"email":"x@gmail.com"},)"
                    R"("product":{"currency":"GBP","price":50,"category":"books"}})");
  EXPECT_EQ(run.out(e, "shipping.price"), "5");
  EXPECT_EQ(run.out(e, "shipping.currency"), "\"GBP\"");
  EXPECT_EQ(e.decisions[0].fired, std::vector<int>{0});

  for (
      const char* record :
      {R"({"customer":{"country":"US","totalSpend":50,"email":"x@gmail.com"},"product":{"currency":"GBP","price":50}})",
       R"({"customer":{"country":"GB","totalSpend":150,"email":"x@gmail.com"},"product":{"currency":"GBP","price":50}})",
       R"({"customer":{"country":"GB","totalSpend":50,"email":"x@yahoo.com"},"product":{"currency":"GBP","price":50}})",
       R"({"customer":{"country":"GB","totalSpend":50,"email":"x@gmail.com"},"product":{"currency":"EUR","price":50}})",
       R"({"customer":{"country":"GB","totalSpend":50,"email":"x@gmail.com"},"product":{"currency":"GBP","price":100}})"}) {
    e = run.eval(record);
    EXPECT_EQ(run.out(e, "shipping.price"), "10") << record;
    EXPECT_EQ(run.out(e, "shipping.currency"), "\"USD\"") << record;
    EXPECT_EQ(e.decisions[0].fired, std::vector<int>{7989}) << record;
  }
}

// ZEN graphs made only of tables carry their own expected results: they must agree here on
// every output the import produces.
TEST(JdmImport, ZenGraphsAgreeWithTheirEmbeddedTests) {
  if (!have_data()) GTEST_SKIP() << kData << " is absent";
  int graphs = 0;
  for (const char* name : {"customer-service-escalation", "merch-bags", "empty-column-with-space",
                           "empty-column-without-space"}) {
    std::string path = kData + "/graphs/" + name + ".json";
    json doc = json::parse(read_text(path));
    Imported run(doc.dump());
    ++graphs;
    for (const json& t : doc["tests"]) {
      Evaluation e = run.eval(t["input"].dump());
      for (const Decision& d : run.pack.decisions())
        for (const OutputSpec& o : d.outputs) {
          std::string pointer = "/" + o.name;
          std::replace(pointer.begin(), pointer.end(), '.', '/');
          json::json_pointer at(pointer);
          json expected = t["output"].contains(at) ? t["output"][at] : json(nullptr);
          json got = json::parse(run.out(e, o.name));
          if (expected.is_number() && got.is_number()) {
            EXPECT_DOUBLE_EQ(expected.get<double>(), got.get<double>())
                << name << " " << t["input"];
          } else
            EXPECT_EQ(expected, got) << name << " " << o.name << " " << t["input"];
        }
    }
  }
  EXPECT_EQ(graphs, 4);
}

}  // namespace
}  // namespace aiguillage
