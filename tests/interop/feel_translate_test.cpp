#include "feel_translate.hpp"

#include <gtest/gtest.h>

#include <string>

#include "aiguillage/core/error.hpp"
#include "aiguillage/interop/dmn_import.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
namespace {

using detail::FeelMode;
using detail::FeelScope;
using detail::translate_feel;

FeelScope scope() {
  FeelScope s;
  s.names = {{"Monthly Salary", "Monthly_Salary"}, {"loan", "loan"}, {"Age", "Age"}};
  s.sort_names();
  return s;
}

std::string expr(const std::string& text) {
  return translate_feel(text, scope(), FeelMode::expression);
}
std::string cell(const std::string& text) {
  return translate_feel(text, scope(), FeelMode::unary_tests);
}

TEST(FeelTranslate, NamesNumbersAndFunctions) {
  EXPECT_EQ(expr("12 * Monthly Salary"), "12 * Monthly_Salary");
  EXPECT_EQ(expr("-.872 + .5"), "-0.872 + 0.5");
  EXPECT_EQ(expr("string length(\"ab\") + abs(-1)"), "len(\"ab\") + abs(-1)");
  EXPECT_EQ(expr("upper case(\"a b\")"), "upper(\"a b\")");
  EXPECT_EQ(expr("loan.principal"), "loan.principal");
  EXPECT_EQ(expr("not(Age > 3)"), "not(Age > 3)");
}

TEST(FeelTranslate, UnaryTests) {
  EXPECT_EQ(cell(""), "-");
  EXPECT_EQ(cell(" - "), "-");
  EXPECT_EQ(cell("[0..1000)"), "[0..1000)");
  EXPECT_EQ(cell("not(\"a\", \"b\")"), "not(\"a\", \"b\")");
  EXPECT_EQ(cell("? > 3"), "$ > 3");
}

TEST(FeelTranslate, PowerBecomesAFunction) {
  EXPECT_EQ(expr("10**5"), "power(10, 5)");
  EXPECT_EQ(expr("10**-5"), "power(10, -5)");
  EXPECT_EQ(expr("5+2**(5+3)"), "5+power(2, (5+3))");
  EXPECT_EQ(expr("1.2*10**3"), "1.2*power(10, 3)");
  EXPECT_EQ(expr("(1+loan.rate/12)**-loan.n"), "power((1+loan.rate/12), -loan.n)");
  EXPECT_THROW(expr("** 2"), Error);
}

TEST(FeelTranslate, RefusedConstructs) {
  for (const char* text : {"@\"2020-01-01\"", "{a: 1}", "for x in [1] return x",
                           "date and time(\"2020-01-01T00:00:00\")", "sqrt(4)",
                           "some x in [1] satisfies x > 0", "\"unterminated"}) {
    try {
      expr(text);
      ADD_FAILURE() << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::unsupported_construct) << text;
    }
  }
}

// power() in the expression language: whole exponents, 6 places, null otherwise.
TEST(FeelTranslate, PowerEvaluates) {
  const std::string pack = R"json({"schema": "aiguillage.ruleset", "schema_version": "1.0",
    "id": "t", "version": "1.0.0", "valid_from": "2000-01-01", "valid_to": null, "title": "t",
    "purpose": "t", "sources": [{"id": "s", "title": "s"}],
    "inputs": [{"name": "b", "type": "decimal"}, {"name": "e", "type": "decimal"}],
    "decisions": [{"id": "p", "kind": "expression", "expression": "power(b, e)",
      "output": {"name": "p", "type": "decimal"}, "source": "s", "status": "verified"}]})json";
  Evaluator evaluator(Pack::load(pack));
  auto run = [&](const std::string& record) {
    Evaluation e;
    EvalOptions options;
    options.reference_date = evaluator.pack().valid_from();
    EXPECT_TRUE(evaluator.evaluate_json(record, e, options));
    return e.frame[evaluator.pack().slot_of("p")].to_json();
  };
  EXPECT_EQ(run(R"({"b": 2, "e": 8})"), "256");
  EXPECT_EQ(run(R"({"b": 10, "e": -5})"), "0.00001");
  EXPECT_EQ(run(R"({"b": 1.5, "e": 2})"), "2.25");
  EXPECT_EQ(run(R"({"b": 7, "e": 0})"), "1");
  EXPECT_EQ(run(R"({"b": 2, "e": 0.5})"), "null");
  EXPECT_EQ(run(R"({"b": 10, "e": 100})"), "null");
  EXPECT_EQ(run(R"({"b": 2, "e": 5000})"), "null");
  EXPECT_EQ(run(R"({"b": 0, "e": -1})"), "null");
}

}  // namespace
}  // namespace aiguillage
