#include "aiguillage/rules/decision_table.hpp"

#include <gtest/gtest.h>

#include "aiguillage/rules/evaluator.hpp"
#include "support/pack_builder.hpp"

namespace aiguillage {
namespace {

using test::pack_json;
using test::table_json;
using test::TableSpec;

const std::string kAge = R"({"name":"age","type":"integer","min":0,"max":130})";
const std::string kBenefit =
    R"({"name":"benefit","type":"enum","values":["RSA","ASS","ARE","none"]})";
const std::string kIncome = R"({"name":"income","type":"decimal"})";

Evaluation run(const Pack& pack, const std::string& json) {
  Evaluator ev(pack);
  Evaluation e;
  EvalOptions o;
  o.reference_date = Date::parse("2025-06-01");
  ev.evaluate_json(json, e, o);
  return e;
}

std::string output(const Pack& pack, const Evaluation& e, const std::string& name) {
  return e.frame.at(static_cast<std::size_t>(pack.slot_of(name))).to_json();
}

TableSpec age_benefit(const std::string& policy) {
  TableSpec t;
  t.hit_policy = policy;
  t.columns = {"age", "benefit"};
  t.outputs = {{"who", "enum"}};
  t.output_values = {"cd", "ml", "ft"};
  t.rules = {{{"-", "\"RSA\""}, {"\"cd\""}},
             {{"[16..25]", "not(\"RSA\")"}, {"\"ml\""}},
             {{">= 26", "-"}, {"\"ft\""}},
             {{"< 16", "-"}, {"\"ft\""}}};
  return t;
}

TEST(DecisionTableTest, FirstPicksTheFirstMatchingRule) {
  Pack p = Pack::load(pack_json({kAge, kBenefit}, {table_json(age_benefit("FIRST"))}));
  auto e = run(p, R"({"age": 20, "benefit": "RSA"})");
  EXPECT_EQ(e.status, Status::complete);
  EXPECT_EQ(output(p, e, "who"), "\"cd\"");
  ASSERT_EQ(e.decisions[0].fired.size(), 1u);
  EXPECT_EQ(e.decisions[0].fired[0], 0);
  e = run(p, R"({"age": 20, "benefit": "ARE"})");
  EXPECT_EQ(output(p, e, "who"), "\"ml\"");
  e = run(p, R"({"age": 26, "benefit": "none"})");
  EXPECT_EQ(output(p, e, "who"), "\"ft\"");
}

TEST(DecisionTableTest, BoundariesAreExact) {
  Pack p = Pack::load(pack_json({kAge, kBenefit}, {table_json(age_benefit("FIRST"))}));
  EXPECT_EQ(output(p, run(p, R"({"age": 15, "benefit": "none"})"), "who"), "\"ft\"");
  EXPECT_EQ(output(p, run(p, R"({"age": 16, "benefit": "none"})"), "who"), "\"ml\"");
  EXPECT_EQ(output(p, run(p, R"({"age": 25, "benefit": "none"})"), "who"), "\"ml\"");
  EXPECT_EQ(output(p, run(p, R"({"age": 26, "benefit": "none"})"), "who"), "\"ft\"");
}

TEST(DecisionTableTest, MissingInputMakesTheResultIncompleteAndNamesTheQuestion) {
  Pack p = Pack::load(pack_json({kAge, kBenefit}, {table_json(age_benefit("FIRST"))}));
  // benefit unknown: R1 (RSA) is undecided and comes before anything else.
  auto e = run(p, R"({"age": 20})");
  EXPECT_EQ(e.status, Status::incomplete);
  ASSERT_EQ(e.missing.size(), 1u);
  EXPECT_EQ(p.inputs().field(static_cast<std::size_t>(e.missing[0].field)).name, "benefit");
  // The provisional result is still given.
  EXPECT_EQ(output(p, e, "who"), "null");
  // age unknown but benefit RSA: R1 fires whatever the age, so the result is complete.
  e = run(p, R"({"benefit": "RSA"})");
  EXPECT_EQ(e.status, Status::complete);
  EXPECT_EQ(output(p, e, "who"), "\"cd\"");
}

TEST(DecisionTableTest, QuestionsAreOrderedByHowManyRulesTheySettle) {
  TableSpec t;
  t.columns = {"age", "benefit"};
  t.outputs = {{"x", "integer"}};
  t.rules = {{{"< 18", "-"}, {"1"}},
             {{"< 30", "\"RSA\""}, {"2"}},
             {{"< 40", "-"}, {"3"}},
             {{"-", "-"}, {"4"}}};
  Pack p = Pack::load(pack_json({kAge, kBenefit}, {table_json(t)}));
  auto e = run(p, R"({})");
  EXPECT_EQ(e.status, Status::incomplete);
  ASSERT_EQ(e.missing.size(), 2u);
  EXPECT_EQ(p.inputs().field(static_cast<std::size_t>(e.missing[0].field)).name, "age");
  EXPECT_EQ(e.missing[0].rules, 3);
  EXPECT_EQ(e.missing[1].rules, 1);
}

TEST(DecisionTableTest, UniqueViolationIsAnErrorNamingTheRules) {
  TableSpec t = age_benefit("UNIQUE");
  Pack p = Pack::load(pack_json({kAge, kBenefit}, {table_json(t)}));
  auto e = run(p, R"({"age": 20, "benefit": "RSA"})");  // R1 and ... only R1: RSA excluded from R2
  EXPECT_EQ(e.status, Status::complete);
  e = run(p, R"({"age": 30, "benefit": "RSA"})");  // R1 and R3
  EXPECT_EQ(e.status, Status::error);
  ASSERT_FALSE(e.errors.empty());
  EXPECT_EQ(e.errors[0].code(), ErrorCode::hit_policy_violation);
  EXPECT_NE(e.errors[0].message().find("R1 and R3"), std::string::npos) << e.errors[0].message();
  EXPECT_EQ(e.errors[0].pointer(), "/decisions/0");
}

TEST(DecisionTableTest, AnyAcceptsEqualOutputsOnly) {
  TableSpec t = age_benefit("ANY");
  t.rules.push_back({{"> 60", "-"}, {"\"ft\""}});
  Pack p = Pack::load(pack_json({kAge, kBenefit}, {table_json(t)}));
  auto e = run(p, R"({"age": 70, "benefit": "none"})");  // R3 and R5, both ft
  EXPECT_EQ(e.status, Status::complete);
  EXPECT_EQ(output(p, e, "who"), "\"ft\"");
  e = run(p, R"({"age": 70, "benefit": "RSA"})");  // R1 cd vs R3 ft
  EXPECT_EQ(e.status, Status::error);
  EXPECT_EQ(e.errors.at(0).code(), ErrorCode::hit_policy_violation);
}

TEST(DecisionTableTest, PriorityUsesTheOrderOfOutputValues) {
  TableSpec t = age_benefit("PRIORITY");
  t.output_values = {"ft", "ml", "cd"};  // ft first: highest priority
  Pack p = Pack::load(pack_json({kAge, kBenefit}, {table_json(t)}));
  auto e = run(p, R"({"age": 30, "benefit": "RSA"})");  // R1 cd, R3 ft
  EXPECT_EQ(output(p, e, "who"), "\"ft\"");
  EXPECT_EQ(e.decisions[0].fired, std::vector<int>{2});
}

TEST(DecisionTableTest, RuleOrderAndOutputOrderReturnLists) {
  TableSpec t = age_benefit("RULE ORDER");
  Pack p = Pack::load(pack_json({kAge, kBenefit}, {table_json(t)}));
  EXPECT_EQ(output(p, run(p, R"({"age": 30, "benefit": "RSA"})"), "who"), "[\"cd\",\"ft\"]");
  t.hit_policy = "OUTPUT ORDER";
  t.output_values = {"ft", "ml", "cd"};
  Pack q = Pack::load(pack_json({kAge, kBenefit}, {table_json(t)}));
  EXPECT_EQ(output(q, run(q, R"({"age": 30, "benefit": "RSA"})"), "who"), "[\"ft\",\"cd\"]");
  EXPECT_EQ(output(q, run(q, R"({"age": 20, "benefit": "ARE"})"), "who"), "[\"ml\"]");
}

TEST(DecisionTableTest, CollectAggregates) {
  TableSpec t;
  t.columns = {"age"};
  t.outputs = {{"points", "decimal"}};
  t.rules = {{{">= 18"}, {"1.5"}}, {{">= 26"}, {"2"}}, {{">= 60"}, {"0.25"}}, {{"< 18"}, {"7"}}};
  auto value = [&](const std::string& policy, const std::string& rec) {
    t.hit_policy = policy;
    Pack p = Pack::load(pack_json({kAge}, {table_json(t)}));
    return output(p, run(p, rec), "points");
  };
  EXPECT_EQ(value("COLLECT", R"({"age": 65})"), "[1.5,2,0.25]");
  EXPECT_EQ(value("COLLECT SUM", R"({"age": 65})"), "3.75");
  EXPECT_EQ(value("C+", R"({"age": 30})"), "3.5");
  EXPECT_EQ(value("COLLECT MIN", R"({"age": 65})"), "0.25");
  EXPECT_EQ(value("COLLECT MAX", R"({"age": 65})"), "2");
  EXPECT_EQ(value("COLLECT SUM", R"({"age": 10})"), "7");
  t.outputs = {{"points", "integer"}};
  t.rules = {{{">= 18"}, {"1"}}, {{">= 26"}, {"2"}}};
  EXPECT_EQ(value("COLLECT COUNT", R"({"age": 65})"), "2");
  EXPECT_EQ(value("C#", R"({"age": 5})"), "0");
}

TEST(DecisionTableTest, DecimalThresholdsAreExact) {
  TableSpec t;
  t.columns = {"income"};
  t.outputs = {{"band", "string"}};
  t.rules = {{{"<= 0.3"}, {"\"low\""}}, {{"> 0.3"}, {"\"high\""}}};
  Pack p = Pack::load(
      pack_json({kIncome}, {table_json(t)}, "[{\"name\":\"x\",\"expression\":\"income\"}]"));
  EXPECT_EQ(output(p, run(p, R"({"income": 0.3})"), "band"), "\"low\"");
  auto rejected = run(p, R"({"income": 0.30000001})");  // 8 places: never rounded silently
  EXPECT_EQ(rejected.status, Status::error);
  EXPECT_EQ(rejected.errors.at(0).code(), ErrorCode::invalid_decimal);
  EXPECT_EQ(rejected.errors.at(0).pointer(), "/income");
  EXPECT_EQ(output(p, run(p, R"({"income": 0.300001})"), "band"), "\"high\"");
  TableSpec sum;
  sum.id = "s";
  sum.columns = {"income + 0.2"};
  sum.outputs = {{"exact", "bool"}};
  sum.rules = {{{"0.5"}, {"true"}}, {{"-"}, {"false"}}};
  Pack q = Pack::load(pack_json({kIncome}, {table_json(sum)}));
  EXPECT_EQ(output(q, run(q, R"({"income": 0.3})"), "exact"), "true");
}

TEST(DecisionTableTest, NullOnlyMatchesDashAndNullCells) {
  TableSpec t;
  t.columns = {"age"};
  t.outputs = {{"r", "string"}};
  t.rules = {{{"not(18)"}, {"\"not18\""}}, {{"null"}, {"\"missing\""}}, {{"-"}, {"\"any\""}}};
  Pack p = Pack::load(pack_json({kAge}, {table_json(t)}));
  auto e = run(p, R"({"age": null})");
  // not(18) is unknown on null and comes first: the result stays open.
  EXPECT_EQ(e.status, Status::incomplete);
  auto verdicts = rule_verdicts(p, e, 0);
  EXPECT_EQ(verdicts[0].state, RuleVerdict::State::undecided);
  EXPECT_EQ(verdicts[1].state, RuleVerdict::State::fired);
  EXPECT_EQ(verdicts[2].state, RuleVerdict::State::matched);
  e = run(p, R"({"age": 18})");
  EXPECT_EQ(output(p, e, "r"), "\"any\"");
  verdicts = rule_verdicts(p, e, 0);
  EXPECT_EQ(verdicts[0].state, RuleVerdict::State::rejected);
  EXPECT_EQ(verdicts[0].rejected_by, 0);
}

TEST(DecisionTableTest, TraceNamesTheRejectingColumnForEveryRule) {
  Pack p = Pack::load(pack_json({kAge, kBenefit}, {table_json(age_benefit("FIRST"))}));
  auto e = run(p, R"({"age": 40, "benefit": "ARE"})");
  auto v = rule_verdicts(p, e, 0);
  EXPECT_EQ(v[0].state, RuleVerdict::State::rejected);
  EXPECT_EQ(v[0].rejected_by, 1);  // benefit is not RSA
  EXPECT_EQ(v[1].rejected_by, 0);  // age not in [16..25]
  EXPECT_EQ(v[2].state, RuleVerdict::State::fired);
  EXPECT_EQ(v[3].rejected_by, 0);
  std::string json = evaluation_to_json(p, e, true);
  EXPECT_NE(json.find("\"rejected_by\":{\"column\":1,\"cell\":\"\\\"RSA\\\"\"}"), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"region\":\"> 26\""), std::string::npos) << json;
}

TEST(DecisionTableTest, GenericCellsUseTheColumnValue) {
  TableSpec t;
  t.columns = {"email"};
  t.outputs = {{"r", "integer"}};
  t.rules = {
      {{"ends_with($, '@gmail.com')"}, {"1"}}, {{"'a@b.fr', 'c@d.fr'"}, {"2"}}, {{"-"}, {"3"}}};
  Pack p = Pack::load(pack_json({R"({"name":"email","type":"string"})"}, {table_json(t)}));
  EXPECT_EQ(output(p, run(p, R"({"email": "x@gmail.com"})"), "r"), "1");
  EXPECT_EQ(output(p, run(p, R"({"email": "c@d.fr"})"), "r"), "2");
  EXPECT_EQ(output(p, run(p, R"({"email": "z@z.z"})"), "r"), "3");
  auto e = run(p, R"({})");
  EXPECT_EQ(e.status, Status::incomplete);
}

TEST(DecisionTableTest, LargeTablesUseMultiWordMasks) {
  TableSpec t;
  t.columns = {"age"};
  t.outputs = {{"r", "integer"}};
  for (int k = 0; k < 200; ++k)
    t.rules.push_back(
        {{"[" + std::to_string(k) + ".." + std::to_string(k) + "]"}, {std::to_string(k)}});
  Pack p = Pack::load(pack_json({R"({"name":"age","type":"integer"})"}, {table_json(t)}));
  EXPECT_EQ(p.decisions()[0].compiled->words(), 4u);
  for (int age : {0, 63, 64, 65, 127, 128, 199})
    EXPECT_EQ(output(p, run(p, "{\"age\": " + std::to_string(age) + "}"), "r"),
              std::to_string(age));
  EXPECT_EQ(output(p, run(p, R"({"age": 200})"), "r"), "null");
}

TEST(DecisionTableTest, DecisionsChainThroughOutputsAndVariables) {
  TableSpec first = age_benefit("FIRST");
  TableSpec second;
  second.id = "second";
  second.columns = {"who", "is_young"};
  second.outputs = {{"deadline_weeks", "integer"}};
  second.rules = {{{"\"cd\"", "-"}, {"6"}}, {{"-", "true"}, {"4"}}, {{"-", "-"}, {"0"}}};
  Pack p = Pack::load(pack_json({kAge, kBenefit}, {table_json(second), table_json(first)},
                                R"([{"name":"is_young","expression":"age < 26"}])"));
  EXPECT_EQ(p.order().size(), 3u);
  EXPECT_EQ(output(p, run(p, R"({"age": 30, "benefit": "RSA"})"), "deadline_weeks"), "6");
  EXPECT_EQ(output(p, run(p, R"({"age": 20, "benefit": "none"})"), "deadline_weeks"), "4");
  EXPECT_EQ(output(p, run(p, R"({"age": 40, "benefit": "none"})"), "deadline_weeks"), "0");
}

TEST(DecisionTableTest, RepresentativesFallInTheirRegions) {
  TableSpec t;
  t.columns = {"age", "income"};
  t.outputs = {{"r", "integer"}};
  t.rules = {{{"(1..2)", "]0.5..0.75]"}, {"1"}}, {{"[3..10]", "> 100"}, {"2"}}};
  Pack p = Pack::load(pack_json({R"({"name":"age","type":"integer"})", kIncome}, {table_json(t)}));
  const CompiledTable& c = *p.decisions()[0].compiled;
  Arena arena;
  for (std::size_t col = 0; col < 2; ++col)
    for (std::uint32_t key = 0; key + 1 < c.columns()[col].key_count; ++key) {
      auto v = c.representative(col, key, arena);
      if (!v) continue;  // e.g. no integer strictly between 1 and 2
      EXPECT_EQ(c.key_of(col, *v), key)
          << "column " << col << " key " << key << " value " << v->to_display();
    }
  // No integer lies strictly between 1 and 2.
  EXPECT_FALSE(c.representative(0, 2, arena).has_value());
}

}  // namespace
}  // namespace aiguillage
