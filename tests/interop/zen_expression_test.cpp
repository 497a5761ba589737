// ZEN's expression language into the pack's: unit cases, and ZEN's own conformance table
// (../shared/data/zen-test-data/expression/standard.csv) with its pass rate, which may rise and
// never fall.
#include "zen_expression.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "aiguillage/core/date.hpp"
#include "aiguillage/core/error.hpp"
#include "aiguillage/interop/jdm_import.hpp"
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

TEST(ZenExpression, ListFunctionsAndItemFieldsKeepTheirForm) {
  EXPECT_EQ(plain("sum(map(cart.items, #.unitPrice * #.quantity))"),
            "sum(map(cart.items, (#.unitPrice * #.quantity)))");
  EXPECT_EQ(plain("filter(xs, # > 2)"), "filter(xs, (# > 2))");
  EXPECT_EQ(plain("none(xs, # == 'a')"), "none(xs, (# == \"a\"))");
  EXPECT_EQ(plain("one(xs, #.ok)"), "one(xs, #.ok)");
}

TEST(ZenExpression, RefusesWhatThePackCannotSay) {
  for (const char* text : {"flatten(xs)", "keys(o)", "xs[0]", "{ 'a': 1 }", "$", "1.1234567",
                           "frobnicate(1)", "(a", "'open"}) {
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
      // Items of one kind: texts, numbers or bools (ruleset 1.2); anything else stays a list of
      // texts, which the record then fails to fill (counted as not passed).
      std::string item = "string";
      if (!it->empty()) {
        std::string first = json_type(it->front());
        bool same = !first.empty();
        for (const json& x : *it) same = same && json_type(x) == first;
        if (same) item = first;
      }
      json items = {{"type", item}};
      if (!it->empty() &&
          std::all_of(it->begin(), it->end(), [](const json& x) { return x.is_object(); })) {
        // A list of objects: its items' fields of one scalar kind each (ruleset 1.2).
        json fields = json::array();
        std::map<std::string, std::string> kinds;
        for (const json& x : *it)
          for (auto f = x.begin(); f != x.end(); ++f)
            if (!json_type(*f).empty() && kinds.emplace(f.key(), json_type(*f)).second)
              fields.push_back({{"name", f.key()}, {"type", json_type(*f)}});
        items = {{"type", "object"}, {"fields", fields}};
      }
      inputs.push_back({{"name", path}, {"type", "list"}, {"items", items}});
    } else if (!type.empty()) {
      inputs.push_back({{"name", path}, {"type", type}});
    }
  }
}

// The tables' inputs and outputs are JSON5; the forms they use (unquoted keys, texts in single
// quotes) are rewritten to JSON so that the JSON reader reads them. Anything else JSON5 allows
// stays as written and fails to parse (counted as not passed, with that reason).
std::string json5_to_json(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      out += '"';
      std::size_t j = i + 1;
      for (; j < text.size() && text[j] != c; ++j) {
        if (text[j] == '\\' && j + 1 < text.size()) {
          // \' needs no escape in JSON; every other escape is kept.
          if (text[j + 1] != '\'') out += '\\';
          out += text[++j];
        } else if (text[j] == '"') {
          out += "\\\"";
        } else {
          out += text[j];
        }
      }
      out += '"';
      i = j + 1;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
      std::size_t j = i;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) ||
                                 text[j] == '_' || text[j] == '$'))
        ++j;
      std::size_t k = j;
      while (k < text.size() && text[k] == ' ') ++k;
      std::string_view word = text.substr(i, j - i);
      if (k < text.size() && text[k] == ':')
        out += "\"" + std::string(word) + "\"";
      else
        out += word;
      i = j;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

json parse_json5(const std::string& text) {
  return json::parse(json5_to_json(text), nullptr, false);
}

bool same_value(const json& expected, const json& actual) {
  return expected.is_number() && actual.is_number()
             ? std::fabs(expected.get<double>() - actual.get<double>()) <=
                   1e-6 * std::max(1.0, std::fabs(expected.get<double>()))
             : expected == actual;
}

// Passed when the expression translates, the pack loads, and the value equals the expected one
// (numbers by value, to 1e-6).
bool passes(const Row& row, std::string& why) {
  json input = row.input.empty() ? json::object() : parse_json5(row.input);
  json expected = parse_json5(row.output);
  if (input.is_discarded() || expected.is_discarded()) {
    why = "input or output is JSON5 beyond unquoted keys and single quotes";
    return false;
  }
  json pack = {{"schema", "aiguillage.ruleset"}, {"schema_version", "1.2"},
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
    bool same = same_value(expected, actual);
    if (!same) why = "expected " + expected.dump() + ", got " + actual.dump();
    return same;
  } catch (const Error& e) {
    why = e.describe();
    return false;
  }
}

// Exponent notation is written out, exactly; what has more places than the pack keeps is
// refused when the pack loads, never rounded.
TEST(ZenExpression, ExponentNotationIsWrittenOut) {
  EXPECT_EQ(plain("1e5"), "100000");
  EXPECT_EQ(plain("2.5e-3"), "0.0025");
  EXPECT_EQ(plain("1.23E+2"), "123");
  EXPECT_EQ(plain("0e5"), "0");
  EXPECT_EQ(plain("10e-1"), "1");
  EXPECT_EQ(plain("0.1e3"), "100");
  EXPECT_EQ(plain("1_000e-3"), "1");
  for (const char* bad : {"1e", "1e+", "1e41"}) {
    try {
      plain(bad);
      ADD_FAILURE() << "no error for " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::unsupported_construct) << bad;
    }
  }
}

// A one-variable pack over a text input `s`: the value of `expression` for each record.
class OneVariable {
 public:
  explicit OneVariable(const std::string& expression, const char* type = "string")
      : pack_(Pack::load(document(expression, type).dump())), evaluator_(pack_) {
    options_.reference_date = *Date::parse("2026-08-22");
    options_.trace = false;
  }
  json operator()(const json& record) {
    Evaluation e;
    EXPECT_TRUE(evaluator_.evaluate_json(record.dump(), e, options_));
    return json::parse(e.frame[static_cast<std::size_t>(pack_.slot_of("t"))].to_json());
  }
  static json document(const std::string& expression, const char* type) {
    json pack = {{"schema", "aiguillage.ruleset"},
                 {"schema_version", "1.1"},
                 {"id", "zen/one"},
                 {"version", "1.0.0"},
                 {"valid_from", "2000-01-01"},
                 {"title", "one variable"},
                 {"purpose", "test"},
                 {"sources", {{{"id", "zen"}, {"title", "ZEN"}}}},
                 {"inputs", {{{"name", "s"}, {"type", type}}}},
                 {"decisions", json::array()}};
    pack["variables"] = {
        {{"name", "t"}, {"expression", expression}, {"source", "zen"}, {"status", "verified"}}};
    return pack;
  }

 private:
  Pack pack_;
  Evaluator evaluator_;
  EvalOptions options_;
};

// trim() is Rust's str::trim in ZEN: every Unicode White_Space character at either end goes,
// inner ones stay, and a text of white space alone becomes empty.
TEST(ZenExpression, TrimRemovesUnicodeWhiteSpaceAtBothEnds) {
  EXPECT_EQ(plain("trim(s)"), "trim(s)");
  OneVariable trimmed(plain("trim(s ?? '')"));
  EXPECT_EQ(trimmed({{"s", "  CLM-1\t\n"}}), "CLM-1");
  EXPECT_EQ(trimmed({{"s", "\u00a0\u3000a b\u2009\u0085"}}), "a b");
  EXPECT_EQ(trimmed({{"s", "\u200b x"}}), "\u200b x");  // U+200B is not White_Space
  EXPECT_EQ(trimmed({{"s", " \u2028 "}}), "");
  EXPECT_EQ(trimmed(json::object()), "");
  try {
    (void)Pack::load(OneVariable::document("trim(1)", "string").dump());
    FAIL() << "trim(1) loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::type_error);
  }
}

// ZEN's date() (its deprecated form, the one the example graphs use) is a number of seconds
// since 1970 in UTC: "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD", then RFC 3339; a number stays itself
// (truncated); 'now' is the reference date of the evaluation.
TEST(ZenExpression, DateIsSecondsSince1970AndNowTheReferenceDate) {
  EXPECT_EQ(plain("date(s)"), "timestamp(s)");
  EXPECT_EQ(plain("date('now')"), "timestamp(reference_date)");
  EXPECT_EQ(plain("date('now') - date(s) > 60 * 24 * 60 * 60"),
            "((timestamp(reference_date) - timestamp(s)) > (((60 * 24) * 60) * 60))");
  OneVariable date(plain("date(s)"));
  EXPECT_EQ(date({{"s", "2023-09-18T12:00:00Z"}}), 1695038400);  // standard.csv
  EXPECT_EQ(date({{"s", "2023-09-18T00:00:00Z"}}), 1694995200);
  EXPECT_EQ(date({{"s", "2023-10-15"}}), 1697328000);
  EXPECT_EQ(date({{"s", "2023-10-15 14:30:05"}}), 1697328000 + 14 * 3600 + 30 * 60 + 5);
  EXPECT_EQ(date({{"s", "2023-1-5 4:3:2"}}), 1672876800 + 4 * 3600 + 3 * 60 + 2);
  EXPECT_EQ(date({{"s", "2023-10-15t14:30:05.999+02:00"}}), 1697328000 + 12 * 3600 + 1805);
  EXPECT_EQ(date({{"s", "2023-10-15 14:30:05-01:30"}}), 1697328000 + 16 * 3600 + 5);
  EXPECT_EQ(date({{"s", "1969-12-31T23:59:59Z"}}), -1);
  for (const char* bad : {"2023-02-29", "2023-10-15T14:30:05", "2023-10-15 24:00:00",
                          "2023-10-15T14:30Z", "15/10/2023", "2023-10-15 ", "now", ""})
    EXPECT_EQ(date({{"s", bad}}), nullptr) << bad;
  EXPECT_EQ(date(json::object()), nullptr);
  OneVariable now(plain("date('now')"));
  EXPECT_EQ(now(json::object()), 1787356800);  // 2026-08-22T00:00:00Z
  OneVariable number(plain("date(s)"), "decimal");
  EXPECT_EQ(number({{"s", 1640995200.75}}), 1640995200);
  EXPECT_EQ(number({{"s", -2.5}}), -2);
}

// ZEN's unary mode (a table cell testing the column's value `$`), through the importer: a graph
// whose one table tests the field `v` with the row's cell and answers `r = true` when it matches.
// The row's record (`$` renamed `v`) is also the graph's embedded test, as the importer reads
// input types from it. Passed when `r` is true exactly when the row expects true.
bool passes_unary(const Row& row, std::string& why) {
  json input = row.input.empty() ? json::object() : parse_json5(row.input);
  json expected = parse_json5(row.output);
  if (!input.is_object() || !expected.is_boolean()) {
    why = "input or output is JSON5 beyond unquoted keys and single quotes";
    return false;
  }
  if (input.contains("$")) {
    input["v"] = input["$"];
    input.erase("$");
  }
  json table = {{"hitPolicy", "first"},
                {"inputs", {{{"id", "c"}, {"field", "v"}, {"name", "v"}}}},
                {"outputs", {{{"id", "o"}, {"field", "r"}, {"name", "r"}}}},
                {"rules", {{{"_id", "r1"}, {"c", row.expression}, {"o", "true"}}}}};
  json graph = {{"nodes",
                 {{{"id", "in"}, {"type", "inputNode"}, {"name", "Request"}},
                  {{"id", "t"}, {"type", "decisionTableNode"}, {"name", "T"}, {"content", table}},
                  {{"id", "out"}, {"type", "outputNode"}, {"name", "Response"}}}},
                {"edges",
                 {{{"id", "e1"}, {"sourceId", "in"}, {"targetId", "t"}},
                  {{"id", "e2"}, {"sourceId", "t"}, {"targetId", "out"}}}},
                {"tests", {{{"input", input}, {"output", json::object()}}}}};
  try {
    Pack p = Pack::load(import_jdm(graph.dump()));
    Evaluator evaluator(p);
    Evaluation e;
    EvalOptions options;
    options.reference_date = p.valid_from();
    options.trace = false;
    options.unknown_fields = UnknownFields::ignore;
    if (!evaluator.evaluate_json(input.dump(), e, options)) {
      why = "record refused";
      return false;
    }
    const bool matched = e.frame[static_cast<std::size_t>(p.slot_of("r"))].to_json() == "true";
    if (matched != expected.get<bool>())
      why = std::string("expected ") + (expected.get<bool>() ? "a match" : "no match");
    return matched == expected.get<bool>();
  } catch (const Error& e) {
    why = e.describe();
    return false;
  }
}

// Runs every row of one of ZEN's conformance tables; returns {passed, total}.
std::pair<int, int> run_table(const fs::path& file, bool (*check)(const Row&, std::string&)) {
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
    if (check(Row{f[0], f[1], f[2]}, why))
      ++passed;
    else if (verbose)
      std::cout << f[0] << " | " << why << "\n";
  }
  std::cout << file.filename().string() << ": passed " << passed << " of " << total << "\n";
  return {passed, total};
}

fs::path conformance_table(const char* name) {
  return fs::path(AIG_SOURCE_DIR) / ".." / "shared" / "data" / "zen-test-data" / "expression" /
         name;
}

// The committed figures (docs/interop.md) may rise and never fall.
TEST(ZenExpression, StandardConformanceTableDoesNotFall) {
  const fs::path file = conformance_table("standard.csv");
  if (!fs::exists(file)) GTEST_SKIP() << "no ZEN conformance table at " << file;
  EXPECT_GE(run_table(file, passes).first, 325);
}

TEST(ZenExpression, UnaryConformanceTableDoesNotFall) {
  const fs::path file = conformance_table("unary.csv");
  if (!fs::exists(file)) GTEST_SKIP() << "no ZEN conformance table at " << file;
  EXPECT_GE(run_table(file, passes_unary).first, 67);
}

TEST(ZenExpression, DateConformanceTableDoesNotFall) {
  const fs::path file = conformance_table("date.csv");
  if (!fs::exists(file)) GTEST_SKIP() << "no ZEN conformance table at " << file;
  EXPECT_GE(run_table(file, passes).first, 0);
}

}  // namespace
}  // namespace aiguillage
