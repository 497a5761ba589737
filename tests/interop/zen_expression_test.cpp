// ZEN's expression language into the pack's: unit cases, and ZEN's own conformance table
// (../shared/data/zen-test-data/expression/standard.csv) with its pass rate, which may rise and
// never fall.
#include "zen_expression.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "aiguillage/core/error.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;
using detail::translate_zen;
using detail::ZenNameUse;
using detail::ZenType;
using nlohmann::json;

std::string plain(std::string_view text, std::vector<ZenNameUse>* uses = nullptr) {
  return translate_zen(
      text, [](const ZenNameUse& u) { return (u.own ? "own." : "") + u.path; }, uses);
}

TEST(ZenExpression, TranslatesTheSharedSubset) {
  EXPECT_EQ(plain("a ? 1.25 : 1"), "(if a then 1.25 else 1)");
  EXPECT_EQ(plain("x ?? 0"), "coalesce(x, 0)");
  EXPECT_EQ(plain("$.total * 2"), "(own.total * 2)");
  EXPECT_EQ(plain("'a' + b"), "concat(\"a\", b)");
  EXPECT_EQ(plain("`n=${n}`"), "concat(\"n=\", string(n))");
  EXPECT_EQ(plain("some(xs, # in ['a', 'b'])"), "any(xs, (# in [\"a\", \"b\"]))");
  EXPECT_EQ(plain("x not in [1..5)"), "(not (x in [1..5)))");
  EXPECT_EQ(plain("1_000 + 2"), "(1000 + 2)");
  EXPECT_EQ(plain("!done and n >= 3"), "((not done) and (n >= 3))");
  EXPECT_EQ(plain("min([a, 2])"), "min([a, 2])");
}

TEST(ZenExpression, SaysWhatANameIsFromItsUse) {
  std::vector<ZenNameUse> uses;
  plain("flag ? price * 2 : label == 'x'", &uses);
  ASSERT_EQ(uses.size(), 3u);
  EXPECT_EQ(uses[0].type, ZenType::boolean);
  EXPECT_EQ(uses[1].type, ZenType::number);
  EXPECT_EQ(uses[2].type, ZenType::string);
}

TEST(ZenExpression, RefusesWhatThePackCannotSay) {
  for (const char* text : {"map(xs, #.a)", "date('now')", "xs[0]", "a % 2", "{ 'a': 1 }", "$",
                           "1.1234567", "frobnicate(1)", "(a", "'open"}) {
    try {
      plain(text);
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::unsupported_construct) << text << ": " << e.describe();
    }
  }
}

TEST(ZenExpression, DeepOrLongTextIsRefusedNotOverflowed) {
  for (const std::string& text :
       {std::string(200, '(') + "1" + std::string(200, ')'), std::string(200, '[') + "1",
        std::string(100, '-') + "1", "x" + std::string(9000, ' '), std::string("`${`"),
        std::string("{ 'a': ") + std::string(100, '{')}) {
    try {
      plain(text);
      ADD_FAILURE() << "no error for " << text.substr(0, 20);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::unsupported_construct) << e.describe();
    }
  }
}

TEST(ZenExpression, ObjectLiteralsSplitIntoKeys) {
  auto parts = detail::split_zen_object("{ 'a': x + 1, \"b\": { 'c': y ? 'p' : 'q' } }");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].first, "a");
  EXPECT_EQ((*parts)[1].first, "b.c");
  EXPECT_EQ(plain((*parts)[1].second), "(if y then \"p\" else \"q\")");
  EXPECT_FALSE(detail::split_zen_object("x + 1"));
}

// A row of the conformance table: the expression, its input record, the expected value.
struct Row {
  std::string expression, input, output;
};

// Fields are separated by ';' outside quotes.
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out(1);
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'' || c == '`') {
      quote = c;
    } else if (c == ';') {
      out.emplace_back();
      continue;
    }
    out.back() += c;
  }
  return out;
}

std::string json_type(const json& v) {
  if (v.is_boolean()) return "bool";
  if (v.is_number()) return "decimal";
  if (v.is_string()) return "string";
  return "";
}

void leaves(const json& v, const std::string& prefix, json& inputs) {
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) {
      leaves(*it, path, inputs);
      continue;
    }
    std::string type = json_type(*it);
    if (it->is_array()) {
      inputs.push_back({{"name", path}, {"type", "list"}, {"items", {{"type", "string"}}}});
    } else if (!type.empty()) {
      inputs.push_back({{"name", path}, {"type", type}});
    }
  }
}

// Passed when the expression translates, the pack loads, and the value equals the expected one
// (numbers by value, to 1e-6).
bool passes(const Row& row, std::string& why) {
  json input = row.input.empty() ? json::object() : json::parse(row.input, nullptr, false);
  json expected = json::parse(row.output, nullptr, false);
  if (input.is_discarded() || expected.is_discarded()) {
    why = "input or output is JSON5, not JSON";
    return false;
  }
  json pack = {{"schema", "aiguillage.ruleset"}, {"schema_version", "1.1"},
               {"id", "zen/conformance"},        {"version", "1.0.0"},
               {"valid_from", "2000-01-01"},     {"title", "ZEN expression"},
               {"purpose", "conformance"},       {"sources", {{{"id", "zen"}, {"title", "ZEN"}}}},
               {"inputs", json::array()},        {"decisions", json::array()}};
  if (input.is_object()) leaves(input, "", pack["inputs"]);
  try {
    std::string text = translate_zen(row.expression, [](const ZenNameUse& u) { return u.path; });
    pack["variables"] = {
        {{"name", "zen_result"}, {"expression", text}, {"source", "zen"}, {"status", "verified"}}};
    Pack p = Pack::load(pack.dump());
    Evaluator evaluator(p);
    Evaluation e;
    EvalOptions options;
    options.reference_date = p.valid_from();
    options.trace = false;
    options.unknown_fields = UnknownFields::ignore;
    if (!evaluator.evaluate_json(input.is_object() ? input.dump() : "{}", e, options)) {
      why = "record refused";
      return false;
    }
    json actual = json::parse(e.frame[static_cast<std::size_t>(p.slot_of("zen_result"))].to_json());
    bool same = expected.is_number() && actual.is_number()
                    ? std::fabs(expected.get<double>() - actual.get<double>()) <=
                          1e-6 * std::max(1.0, std::fabs(expected.get<double>()))
                    : expected == actual;
    if (!same) why = "expected " + expected.dump() + ", got " + actual.dump();
    return same;
  } catch (const Error& e) {
    why = e.describe();
    return false;
  }
}

TEST(ZenExpression, StandardConformanceTableDoesNotFall) {
  const fs::path file = fs::path(AIG_SOURCE_DIR) / ".." / "shared" / "data" / "zen-test-data" /
                        "expression" / "standard.csv";
  if (!fs::exists(file)) GTEST_SKIP() << "no ZEN conformance table at " << file;
  const bool verbose = std::getenv("AIG_JDM_VERBOSE") != nullptr;
  std::ifstream in(file);
  std::string line;
  int total = 0, passed = 0;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    auto f = fields(line);
    if (f.size() != 3) continue;
    ++total;
    std::string why;
    if (passes(Row{f[0], f[1], f[2]}, why))
      ++passed;
    else if (verbose)
      std::cout << f[0] << " | " << why << "\n";
  }
  std::cout << "standard.csv: passed " << passed << " of " << total << "\n";
  EXPECT_GE(passed, 194);  // committed figure (docs/interop.md)
}

}  // namespace
}  // namespace aiguillage
