#include "aiguillage/rules/expression.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace aiguillage {
namespace {

const std::vector<std::string> kAllowances = {"RSA", "ASS", "AAH", "ARE", "none"};

enum Slot : int {
  kAge,
  kIncome,
  kName,
  kBirthDate,
  kAllowance,
  kRegistered,
  kActive,
  kSkills,
  kBenefits,
  kCountry,
  kReferenceDate,
  kScores,
  kAnything,
  kSlotCount
};

class TestScope : public Scope {
 public:
  TestScope() {
    add("age", kAge, StaticType::of(TypeKind::integer));
    add("income", kIncome, StaticType::of(TypeKind::decimal));
    add("name", kName, StaticType::of(TypeKind::string));
    add("birth_date", kBirthDate, StaticType::of(TypeKind::date));
    add("allowance", kAllowance, StaticType::of(TypeKind::string, &kAllowances));
    add("registered", kRegistered, StaticType::of(TypeKind::boolean));
    add("active", kActive, StaticType::of(TypeKind::boolean));
    add("skills", kSkills, StaticType::list_of(TypeKind::string));
    add("benefits", kBenefits, StaticType::list_of(TypeKind::string, &kAllowances));
    add("customer.country", kCountry, StaticType::of(TypeKind::string));
    add("reference_date", kReferenceDate, StaticType::of(TypeKind::date));
    add("scores", kScores, StaticType::list_of(TypeKind::integer));
    add("anything", kAnything, StaticType::of(TypeKind::any));
  }
  std::optional<Entry> lookup(std::string_view name) const override {
    auto it = entries_.find(name);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

 private:
  void add(const std::string& name, int slot, StaticType type) {
    entries_.emplace(name, Entry{slot, type});
  }
  std::map<std::string, Entry, std::less<>> entries_;
};

const TestScope& scope() {
  static const TestScope s;
  return s;
}

// One evaluation frame; strings and lists it holds live in its arena.
struct Frame {
  std::vector<Value> values = std::vector<Value>(kSlotCount);
  std::vector<std::vector<Value>> lists;
  Arena arena;

  Frame& set(int slot, Value v) {
    values[static_cast<std::size_t>(slot)] = v;
    return *this;
  }
  Frame& set_string(int slot, std::string_view s) { return set(slot, arena.copy_string(s)); }
  Frame& set_date(int slot, std::string_view s) { return set(slot, Value::date(*Date::parse(s))); }
  Frame& set_list(int slot, std::vector<Value> items) {
    lists.push_back(std::move(items));
    return set(slot, Value::list(lists.back().data(), lists.back().size()));
  }
  Frame& set_strings(int slot, const std::vector<std::string>& items) {
    std::vector<Value> v;
    for (const std::string& s : items) v.push_back(arena.copy_string(s));
    return set_list(slot, std::move(v));
  }
  EvalContext context(Value dollar = Value::null()) {
    EvalContext ctx;
    ctx.slots = values.data();
    ctx.dollar = dollar;
    ctx.arena = &arena;
    return ctx;
  }
};

Expression compile(std::string_view text) {
  return Expression::compile(text, scope());
}

// The result rendered for comparison: null, true, 3, 0.5, "text", 2024-01-31, [1, 2].
std::string ev(std::string_view text, Frame& frame) {
  return compile(text).evaluate(frame.context()).to_display();
}
std::string ev(std::string_view text) {
  Frame frame;
  return ev(text, frame);
}

Type result_type(std::string_view text) {
  Frame frame;
  return compile(text).evaluate(frame.context()).type();
}

Error compile_error(std::string_view text, const Limits& limits = {}) {
  try {
    Expression::compile(text, scope(), nullptr, limits);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << text;
  return Error(ErrorCode::ok, "");
}

bool contains_text(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// ---------------------------------------------------------------------------------------------
// Lexer

TEST(ExpressionTest, NumberLiterals) {
  EXPECT_EQ(result_type("42"), Type::integer);
  EXPECT_EQ(ev("42"), "42");
  EXPECT_EQ(result_type("4.5"), Type::decimal);
  EXPECT_EQ(ev("4.5"), "4.5");
  EXPECT_EQ(result_type("1e3"), Type::decimal);
  EXPECT_EQ(ev("1e3"), "1000");
  EXPECT_EQ(ev("2.5E-2"), "0.025");
  EXPECT_EQ(ev("0.000001"), "0.000001");
  EXPECT_EQ(ev("1.5000000"), "1.5");  // trailing zeros need no places
  EXPECT_EQ(ev("9223372036854775807"), "9223372036854775807");
}

TEST(ExpressionTest, NumberLiteralErrors) {
  Error places = compile_error("age + 1.1234567");
  EXPECT_EQ(places.code(), ErrorCode::syntax);
  EXPECT_EQ(places.column(), 7);
  EXPECT_TRUE(contains_text(places.message(), "6 decimal places")) << places.message();

  Error range = compile_error("99999999999999999999");
  EXPECT_EQ(range.code(), ErrorCode::syntax);
  EXPECT_EQ(range.column(), 1);
  EXPECT_TRUE(contains_text(range.message(), "out of range")) << range.message();

  Error malformed = compile_error("1 + 12abc");
  EXPECT_EQ(malformed.code(), ErrorCode::syntax);
  EXPECT_EQ(malformed.column(), 5);
  EXPECT_EQ(compile_error("1e999").code(), ErrorCode::syntax);
}

TEST(ExpressionTest, StringLiterals) {
  EXPECT_EQ(ev("'abc'"), "\"abc\"");
  EXPECT_EQ(ev("\"abc\""), "\"abc\"");
  EXPECT_EQ(ev(R"('it\'s')"), R"("it's")");
  EXPECT_EQ(ev(R"("say \"hi\"")"), R"("say \"hi\"")");
  EXPECT_EQ(ev(R"('a\\b')"), R"("a\\b")");
  EXPECT_EQ(ev(R"('a\nb\tc')"), R"("a\nb\tc")");
}

TEST(ExpressionTest, LexerErrorsCarryColumns) {
  Error unterminated = compile_error("name = 'abc");
  EXPECT_EQ(unterminated.code(), ErrorCode::syntax);
  EXPECT_EQ(unterminated.column(), 8);
  EXPECT_TRUE(contains_text(unterminated.message(), "unterminated")) << unterminated.message();

  Error escape = compile_error(R"(name = 'a\qb')");
  EXPECT_EQ(escape.code(), ErrorCode::syntax);
  EXPECT_EQ(escape.column(), 10);

  Error character = compile_error("age @ 3");
  EXPECT_EQ(character.code(), ErrorCode::syntax);
  EXPECT_EQ(character.column(), 5);
  EXPECT_TRUE(contains_text(character.message(), "'@'")) << character.message();

  EXPECT_EQ(compile_error("age ! 3").column(), 5);
  EXPECT_EQ(compile_error("age . 3").column(), 5);
  // Columns count characters: "é" is one column though two bytes.
  EXPECT_EQ(compile_error("'é' @").column(), 5);
  EXPECT_EQ(compile_error("'é' = 'é' ¤").column(), 11);
  EXPECT_TRUE(contains_text(compile_error("1 ¤").message(), "'¤'"));
  EXPECT_TRUE(compile_error("").pointer().empty());
}

TEST(ExpressionTest, ParserErrorsCarryColumns) {
  Error extra = compile_error("'it''s'");
  EXPECT_EQ(extra.code(), ErrorCode::syntax);
  EXPECT_EQ(extra.column(), 5);

  Error missing = compile_error("(age + 1");
  EXPECT_EQ(missing.code(), ErrorCode::syntax);
  EXPECT_EQ(missing.column(), 9);
  EXPECT_TRUE(contains_text(missing.message(), "')'")) << missing.message();

  EXPECT_EQ(compile_error("age +").column(), 6);
  EXPECT_EQ(compile_error("age < 1 < 2").column(), 9);
  EXPECT_EQ(compile_error("if registered then 1").column(), 21);
  EXPECT_EQ(compile_error("1 + if registered then 1 else 2").column(), 5);
  EXPECT_EQ(compile_error("[1, 2,]").column(), 7);
  EXPECT_EQ(compile_error("   ").code(), ErrorCode::syntax);
}

TEST(ExpressionTest, DottedNamesAndKeywords) {
  Frame f;
  f.set_string(kCountry, "FR");
  EXPECT_EQ(ev("customer.country = 'FR'", f), "true");
  EXPECT_EQ(ev("customer.country == 'GB'", f), "false");
  EXPECT_EQ(ev("true and not false"), "true");
  EXPECT_EQ(compile_error("customer.city").code(), ErrorCode::unknown_name);
  EXPECT_EQ(compile_error("True").code(), ErrorCode::unknown_name);  // keywords are lower case
}

// ---------------------------------------------------------------------------------------------
// Precedence and operators

TEST(ExpressionTest, Precedence) {
  EXPECT_EQ(ev("1 + 2 * 3"), "7");
  EXPECT_EQ(ev("(1 + 2) * 3"), "9");
  EXPECT_EQ(ev("-2 * 3"), "-6");
  EXPECT_EQ(ev("- - 3"), "3");
  EXPECT_EQ(ev("10 - 4 - 3"), "3");
  EXPECT_EQ(ev("12 / 4 / 3"), "1");
  EXPECT_EQ(ev("1 + 2 = 3"), "true");
  EXPECT_EQ(ev("not 1 = 2"), "true");
  EXPECT_EQ(ev("true or false and false"), "true");
  EXPECT_EQ(ev("(true or false) and false"), "false");
  EXPECT_EQ(ev("not true or true"), "true");
  EXPECT_EQ(ev("not (true or true)"), "false");
  EXPECT_EQ(ev("if true then 1 else 2 + 3"), "1");
  EXPECT_EQ(ev("if false then 1 else 2 + 3"), "5");
  EXPECT_EQ(ev("if false then 1 else if true then 2 else 3"), "2");
  EXPECT_EQ(ev("1 < 2 and 3 > 2"), "true");
}

TEST(ExpressionTest, IntegerArithmetic) {
  EXPECT_EQ(ev("7 + 5"), "12");
  EXPECT_EQ(ev("7 - 10"), "-3");
  EXPECT_EQ(ev("7 * 6"), "42");
  EXPECT_EQ(result_type("7 * 6"), Type::integer);
  EXPECT_EQ(ev("7 / 2"), "3.5");
  EXPECT_EQ(result_type("6 / 3"), Type::decimal);
  EXPECT_EQ(ev("6 / 3"), "2");
}

TEST(ExpressionTest, IntegerOverflowGivesNull) {
  EXPECT_EQ(ev("9223372036854775807 + 1"), "null");
  EXPECT_EQ(ev("-9223372036854775807 - 2"), "null");
  EXPECT_EQ(ev("-9223372036854775807 - 1"), "-9223372036854775808");
  EXPECT_EQ(ev("4611686018427387904 * 2"), "null");
  EXPECT_EQ(ev("-(-9223372036854775807 - 1)"), "null");
  EXPECT_EQ(ev("9223372036854775807 + 0.5"), "null");  // beyond the decimal range
  Frame f;
  f.set(kAge, Value::integer(9223372036854775807));
  EXPECT_EQ(ev("age + 1", f), "null");
  EXPECT_EQ(ev("age - 1", f), "9223372036854775806");
}

TEST(ExpressionTest, ExactDecimals) {
  EXPECT_EQ(ev("0.1 + 0.2 = 0.3"), "true");
  EXPECT_EQ(ev("0.1 + 0.2"), "0.3");
  EXPECT_EQ(ev("1 / 3"), "0.333333");
  EXPECT_EQ(ev("2 / 3"), "0.666667");
  EXPECT_EQ(ev("1 / 3 * 3"), "0.999999");
  EXPECT_EQ(ev("0.000001 * 0.5"), "0");         // half to even
  EXPECT_EQ(ev("0.000003 * 0.5"), "0.000002");  // half to even
  EXPECT_EQ(ev("2 * 1.5"), "3");
  EXPECT_EQ(result_type("2 * 1.5"), Type::decimal);
  EXPECT_EQ(ev("1.5 - 2"), "-0.5");
  EXPECT_EQ(ev("-1.5"), "-1.5");
  EXPECT_EQ(ev("1 / 0"), "null");
  EXPECT_EQ(ev("1.5 / 0.0"), "null");
  EXPECT_EQ(ev("1 / 0 = null"), "true");
}

TEST(ExpressionTest, ArithmeticWithNull) {
  Frame f;
  EXPECT_EQ(ev("age + 1", f), "null");
  EXPECT_EQ(ev("income * 2", f), "null");
  EXPECT_EQ(ev("-age", f), "null");
  EXPECT_EQ(ev("null + 1"), "null");
  EXPECT_EQ(ev("anything + 1", f), "null");
  f.set(kAnything, Value::integer(4));
  EXPECT_EQ(ev("anything + 1", f), "5");
  f.set_string(kAnything, "four");
  EXPECT_EQ(ev("anything + 1", f), "null");  // a wrong kind at run time is unknown, not a crash
}

TEST(ExpressionTest, Comparisons) {
  EXPECT_EQ(ev("1 < 2"), "true");
  EXPECT_EQ(ev("2 <= 2"), "true");
  EXPECT_EQ(ev("3 > 2.5"), "true");
  EXPECT_EQ(ev("2 >= 2.000001"), "false");
  EXPECT_EQ(ev("2 = 2.0"), "true");
  EXPECT_EQ(ev("2 == 2"), "true");
  EXPECT_EQ(ev("1 != 1.000001"), "true");
  EXPECT_EQ(ev("3000000000000 = 3000000000000.0"), "true");
  EXPECT_EQ(ev("3000000000000 < 3000000000000.000001"), "true");
  EXPECT_EQ(ev("'a' < 'b'"), "true");
  EXPECT_EQ(ev("'B' < 'a'"), "true");  // bytewise
  EXPECT_EQ(ev("'é' > 'z'"), "true");  // bytewise UTF-8
  EXPECT_EQ(ev("'abc' = 'abc'"), "true");
  EXPECT_EQ(ev("'abc' != 'abd'"), "true");
  EXPECT_EQ(ev("date('2024-01-01') < date('2024-01-02')"), "true");
  EXPECT_EQ(ev("date('2024-01-01') = d('2024-01-01')"), "true");
  EXPECT_EQ(ev("true = true"), "true");
  EXPECT_EQ(ev("true != false"), "true");
  EXPECT_EQ(ev("[1, 2] = [1, 2.0]"), "true");
  EXPECT_EQ(ev("[1, 2] != [2, 1]"), "true");
}

TEST(ExpressionTest, ComparisonsWithNullAreUnknown) {
  Frame f;
  EXPECT_EQ(ev("age < 3", f), "null");
  EXPECT_EQ(ev("age = 3", f), "null");
  EXPECT_EQ(ev("age != 3", f), "null");
  EXPECT_EQ(ev("name >= 'a'", f), "null");
  EXPECT_EQ(ev("age < null", f), "null");
  f.set_string(kAnything, "x");
  EXPECT_EQ(ev("anything < 3", f), "null");   // unordered kinds at run time
  EXPECT_EQ(ev("anything = 3", f), "false");  // but never equal
}

TEST(ExpressionTest, NullTests) {
  Frame f;
  EXPECT_EQ(ev("age = null", f), "true");
  EXPECT_EQ(ev("age == null", f), "true");
  EXPECT_EQ(ev("null = age", f), "true");
  EXPECT_EQ(ev("age != null", f), "false");
  EXPECT_EQ(ev("(age) = (null)", f), "true");
  EXPECT_EQ(ev("null = null"), "true");
  EXPECT_EQ(ev("null != null"), "false");
  f.set(kAge, Value::integer(30));
  EXPECT_EQ(ev("age = null", f), "false");
  EXPECT_EQ(ev("age != null", f), "true");
  // A null that is computed, not written, is an ordinary operand.
  EXPECT_EQ(ev("age = 1 / 0", f), "null");
}

// ---------------------------------------------------------------------------------------------
// Three-valued logic

Value tri(int k) {
  return k == 0 ? Value::boolean(false) : k == 1 ? Value::boolean(true) : Value();
}

TEST(ExpressionTest, AndOrTruthTables) {
  // Rows: registered in {false, true, null}; columns: active in {false, true, null}.
  const char* expected_and[3][3] = {
      {"false", "false", "false"}, {"false", "true", "null"}, {"false", "null", "null"}};
  const char* expected_or[3][3] = {
      {"false", "true", "null"}, {"true", "true", "true"}, {"null", "true", "null"}};
  Expression conjunction = compile("registered and active");
  Expression disjunction = compile("registered or active");
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b) {
      Frame f;
      f.set(kRegistered, tri(a)).set(kActive, tri(b));
      EXPECT_EQ(conjunction.evaluate(f.context()).to_display(), expected_and[a][b]) << a << b;
      EXPECT_EQ(disjunction.evaluate(f.context()).to_display(), expected_or[a][b]) << a << b;
    }
  }
}

TEST(ExpressionTest, NotAndIfTruthTables) {
  const char* expected_not[3] = {"true", "false", "null"};
  const char* expected_if[3] = {"2", "1", "null"};
  Expression negation = compile("not registered");
  Expression choice = compile("if registered then 1 else 2");
  for (int a = 0; a < 3; ++a) {
    Frame f;
    f.set(kRegistered, tri(a));
    EXPECT_EQ(negation.evaluate(f.context()).to_display(), expected_not[a]);
    EXPECT_EQ(choice.evaluate(f.context()).to_display(), expected_if[a]);
  }
}

TEST(ExpressionTest, LongLogicalChainsStayFlat) {
  std::string text = "registered";
  for (int k = 0; k < 300; ++k) text += k % 2 ? " or registered" : " or active";
  Frame f;
  f.set(kActive, Value::boolean(true));
  EXPECT_EQ(ev(text, f), "true");
  f.set(kActive, Value::boolean(false)).set(kRegistered, Value::boolean(false));
  EXPECT_EQ(ev(text, f), "false");
}

// ---------------------------------------------------------------------------------------------
// in

TEST(ExpressionTest, InRanges) {
  struct Case {
    const char* text;
    const char* at17;
    const char* at18;
    const char* at25;
    const char* at26;
  };
  const Case cases[] = {
      {"age in [18..25]", "false", "true", "true", "false"},
      {"age in (18..25]", "false", "false", "true", "false"},
      {"age in ]18..25]", "false", "false", "true", "false"},
      {"age in [18..25)", "false", "true", "false", "false"},
      {"age in [18..25[", "false", "true", "false", "false"},
      {"age in ]18..25[", "false", "false", "false", "false"},
      {"age in (17..26)", "false", "true", "true", "false"},
  };
  for (const Case& c : cases) {
    Expression e = compile(c.text);
    const char* expected[] = {c.at17, c.at18, c.at25, c.at26};
    const int ages[] = {17, 18, 25, 26};
    for (int k = 0; k < 4; ++k) {
      Frame f;
      f.set(kAge, Value::integer(ages[k]));
      EXPECT_EQ(e.evaluate(f.context()).to_display(), expected[k]) << c.text << " at " << ages[k];
    }
    Frame empty;
    EXPECT_EQ(e.evaluate(empty.context()).to_display(), "null") << c.text;
  }
  EXPECT_EQ(ev("2.5 in [1..2.5]"), "true");
  EXPECT_EQ(ev("'m' in ['a'..'z']"), "true");
  EXPECT_EQ(ev("date('2024-06-01') in [date('2024-01-01')..date('2024-12-31')]"), "true");
  // An unknown bound is unknown unless the other bound already decides.
  EXPECT_EQ(ev("20 in [null..10]"), "false");
  EXPECT_EQ(ev("5 in [null..10]"), "null");
}

TEST(ExpressionTest, InLists) {
  Frame f;
  f.set(kAge, Value::integer(2));
  EXPECT_EQ(ev("age in [1, 2, 3]", f), "true");
  EXPECT_EQ(ev("age in [1, 3]", f), "false");
  EXPECT_EQ(ev("age in [1.0, 2.0]", f), "true");
  EXPECT_EQ(ev("age in []", f), "false");
  EXPECT_EQ(ev("age in [1, null]", f), "null");
  EXPECT_EQ(ev("age in [2, null]", f), "true");
  EXPECT_EQ(ev("age in [age, 7]", f), "true");
  EXPECT_EQ(ev("(age + 1) in [3]", f), "true");
  f.set_list(kScores, {Value::integer(1), Value::integer(2)});
  EXPECT_EQ(ev("age in scores", f), "true");
  f.set_string(kAllowance, "ASS");
  EXPECT_EQ(ev("allowance in ['RSA', 'ASS']", f), "true");
  f.set_strings(kBenefits, {"RSA", "AAH"});
  EXPECT_EQ(ev("'AAH' in benefits", f), "true");
  Frame empty;
  EXPECT_EQ(ev("age in [1, 2]", empty), "null");
  EXPECT_EQ(ev("1 in scores", empty), "null");
}

// ---------------------------------------------------------------------------------------------
// Functions

TEST(ExpressionTest, StringFunctions) {
  Frame f;
  f.set_string(kName, "Marie Curie").set_strings(kSkills, {"cpp", "sql"});
  EXPECT_EQ(ev("contains('abcdef', 'cd')"), "true");
  EXPECT_EQ(ev("contains('abcdef', 'dc')"), "false");
  EXPECT_EQ(ev("contains('abc', '')"), "true");
  EXPECT_EQ(ev("contains(name, 'Curie')", f), "true");
  EXPECT_EQ(ev("contains(skills, 'sql')", f), "true");
  EXPECT_EQ(ev("contains(skills, 'go')", f), "false");
  EXPECT_EQ(ev("contains([1, 2], 2.0)"), "true");
  EXPECT_EQ(ev("starts_with(name, 'Marie')", f), "true");
  EXPECT_EQ(ev("startsWith(name, 'Curie')", f), "false");
  EXPECT_EQ(ev("ends_with(name, 'Curie')", f), "true");
  EXPECT_EQ(ev("endsWith(name, 'Marie Curie!')", f), "false");
  EXPECT_EQ(ev("lower('ÉCOLE Été ÀÞ')"), "\"école été àþ\"");
  EXPECT_EQ(ev("upper('àéç ß ÿ þ')"), "\"ÀÉÇ ß ÿ Þ\"");
  EXPECT_EQ(ev("upper('×÷')"), "\"×÷\"");  // signs, not letters
  EXPECT_EQ(ev("lower(name)", f), "\"marie curie\"");
  EXPECT_EQ(ev("len('été')"), "3");
  EXPECT_EQ(ev("len('')"), "0");
  EXPECT_EQ(ev("len([1, 2, 3])"), "3");
  EXPECT_EQ(ev("len(skills)", f), "2");
  Frame empty;
  EXPECT_EQ(ev("contains(name, 'a')", empty), "null");
  EXPECT_EQ(ev("lower(name)", empty), "null");
  EXPECT_EQ(ev("len(skills)", empty), "null");
}

TEST(ExpressionTest, LowerOfLowerTextDoesNotCopy) {
  Frame f;
  f.set_string(kName, "déjà vu");
  Expression e = compile("lower(name)");
  Value v = e.evaluate(f.context());
  EXPECT_EQ(v.as_string().data(), f.values[kName].as_string().data());
}

TEST(ExpressionTest, CommonCasesNeedNoArena) {
  Frame f;
  f.set(kAge, Value::integer(30)).set_string(kName, "Ada").set(kRegistered, Value::boolean(true));
  EvalContext ctx = f.context();
  ctx.arena = nullptr;
  const char* cases[] = {
      "age > 18 and registered",
      "age * 2 + 1 = 61",
      "starts_with(name, 'A')",
      "age in [1, age, 3]",
      "age in [18..65]",
      "not (name = 'Bob')",
      "if registered then age >= 30 else false",
  };
  for (const char* text : cases)
    EXPECT_EQ(compile(text).evaluate(ctx).to_display(), "true") << text;
}

TEST(ExpressionTest, Predicates) {
  Frame f;
  f.set_list(kScores, {Value::integer(3), Value::integer(8), Value::integer(5)});
  f.set(kAge, Value::integer(4));
  EXPECT_EQ(ev("count([1, 2, 3])"), "3");
  EXPECT_EQ(ev("count([1, 2, 3], # > 1)"), "2");
  EXPECT_EQ(ev("count(scores, # > age)", f), "2");
  EXPECT_EQ(ev("any(scores, # > 7)", f), "true");
  EXPECT_EQ(ev("some(scores, # > 8)", f), "false");
  EXPECT_EQ(ev("all(scores, # >= 3)", f), "true");
  EXPECT_EQ(ev("all(scores, # > age)", f), "false");
  EXPECT_EQ(ev("any([], # > 0)"), "false");
  EXPECT_EQ(ev("all([], # > 0)"), "true");
  // Three-valued: an unknown item decides only when nothing else does.
  EXPECT_EQ(ev("any([1, null], # > 1)"), "null");
  EXPECT_EQ(ev("any([2, null], # > 1)"), "true");
  EXPECT_EQ(ev("all([1, null], # > 1)"), "false");
  EXPECT_EQ(ev("all([2, null], # > 1)"), "null");
  EXPECT_EQ(ev("count([2, null], # > 1)"), "1");
  Frame empty;
  EXPECT_EQ(ev("any(scores, # > 1)", empty), "null");
  EXPECT_EQ(ev("count(scores)", empty), "null");
}

TEST(ExpressionTest, NestedPredicatesShadowTheItem) {
  EXPECT_EQ(ev("any([[1, 2], [3, 4]], any(#, # = 4))"), "true");
  EXPECT_EQ(ev("all([[1, 2], [3, 4]], any(#, # = 4))"), "false");
  EXPECT_EQ(ev("count([[1, 2], [3]], count(#) = 2)"), "1");
  EXPECT_EQ(ev("count([[1, 2], [3]], len(#) = 1 and any(#, # = 3))"), "1");
  Error outside = compile_error("# > 1");
  EXPECT_EQ(outside.code(), ErrorCode::unknown_name);
  EXPECT_EQ(outside.column(), 1);
  EXPECT_EQ(compile_error("any(age, # > 1)").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("any(scores, # + 1)").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("any(skills, # > 1)").code(), ErrorCode::type_error);
}

TEST(ExpressionTest, MinMaxSum) {
  EXPECT_EQ(ev("min([3, 1, 2])"), "1");
  EXPECT_EQ(ev("max([3, 1, 2])"), "3");
  EXPECT_EQ(ev("max(3, 7, 5)"), "7");
  EXPECT_EQ(ev("min(3, 7, 5)"), "3");
  EXPECT_EQ(ev("min([])"), "null");
  EXPECT_EQ(ev("max(1, 2.5)"), "2.5");
  EXPECT_EQ(ev("max(3, 2.5)"), "3");
  EXPECT_EQ(result_type("max(3, 2.5)"), Type::decimal);
  EXPECT_EQ(ev("min(date('2024-01-02'), date('2023-05-01'))"), "2023-05-01");
  EXPECT_EQ(ev("max([date('2024-01-02'), date('2023-05-01')])"), "2024-01-02");
  Frame f;
  EXPECT_EQ(ev("max(1, age)", f), "null");
  EXPECT_EQ(ev("min([1, null])"), "null");
  EXPECT_EQ(ev("sum([1, 2, 3])"), "6");
  EXPECT_EQ(result_type("sum([1, 2, 3])"), Type::integer);
  EXPECT_EQ(ev("sum([0.1, 0.2])"), "0.3");
  EXPECT_EQ(ev("sum([1, 0.5])"), "1.5");
  EXPECT_EQ(ev("sum([])"), "0");
  EXPECT_EQ(ev("sum([9223372036854775807, 1])"), "null");
  EXPECT_EQ(ev("sum([1, null])"), "null");
  EXPECT_EQ(compile_error("max(1, date('2024-01-01'))").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("sum(skills)").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("min(3)").code(), ErrorCode::type_error);
}

TEST(ExpressionTest, Rounding) {
  EXPECT_EQ(ev("abs(-3)"), "3");
  EXPECT_EQ(ev("abs(-2.5)"), "2.5");
  EXPECT_EQ(ev("abs(4)"), "4");
  EXPECT_EQ(ev("abs(-9223372036854775807 - 1)"), "null");
  EXPECT_EQ(ev("floor(2.5)"), "2");
  EXPECT_EQ(ev("floor(-2.5)"), "-3");
  EXPECT_EQ(ev("floor(-2.0)"), "-2");
  EXPECT_EQ(ev("ceil(2.1)"), "3");
  EXPECT_EQ(ev("ceil(-2.1)"), "-2");
  EXPECT_EQ(ev("round(2.5)"), "2");
  EXPECT_EQ(ev("round(3.5)"), "4");
  EXPECT_EQ(ev("round(-2.5)"), "-2");
  EXPECT_EQ(ev("round(-3.5)"), "-4");
  EXPECT_EQ(ev("round(2.500001)"), "3");
  EXPECT_EQ(ev("round(2.499999)"), "2");
  EXPECT_EQ(result_type("round(2.5)"), Type::integer);
  EXPECT_EQ(result_type("floor(7)"), Type::integer);
  EXPECT_EQ(compile_error("round('a')").code(), ErrorCode::type_error);
}

TEST(ExpressionTest, Dates) {
  EXPECT_EQ(ev("date('2024-02-29')"), "2024-02-29");
  EXPECT_EQ(ev("d('2024-02-29')"), "2024-02-29");
  EXPECT_TRUE(compile("date('2024-02-29')").is_constant());
  Error invalid = compile_error("birth_date < date('2023-02-29')");
  EXPECT_EQ(invalid.code(), ErrorCode::type_error);
  EXPECT_EQ(invalid.column(), 19);
  EXPECT_EQ(compile_error("d('yesterday')").code(), ErrorCode::type_error);
  Frame f;
  f.set_string(kName, "2024-13-01");
  EXPECT_EQ(ev("date(name)", f), "null");  // from data: null, not an error
  f.set_string(kName, "2024-12-01");
  EXPECT_EQ(ev("date(name)", f), "2024-12-01");

  EXPECT_EQ(ev("months_between(date('2024-01-31'), date('2024-02-29'))"), "1");
  EXPECT_EQ(ev("months_between(date('2024-01-31'), date('2024-02-28'))"), "0");
  EXPECT_EQ(ev("days_between(date('2024-01-01'), date('2024-03-01'))"), "60");
  EXPECT_EQ(ev("days_between(date('2024-03-01'), date('2024-01-01'))"), "-60");
  EXPECT_EQ(ev("add_days(date('2024-02-28'), 1)"), "2024-02-29");
  EXPECT_EQ(ev("add_days(date('2024-03-01'), -1)"), "2024-02-29");
  EXPECT_EQ(ev("add_months(date('2024-01-31'), 1)"), "2024-02-29");
  EXPECT_EQ(ev("add_months(date('2024-03-31'), -1)"), "2024-02-29");
  EXPECT_EQ(ev("add_days(date('9999-12-31'), 1)"), "null");
  EXPECT_EQ(compile_error("add_days(date('2024-01-01'), 1.5)").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("years_between(age, birth_date)").code(), ErrorCode::type_error);
}

TEST(ExpressionTest, BirthdaysOnTheReferenceDate) {
  Expression age = compile("years_between(birth_date, reference_date)");
  struct Case {
    const char* birth;
    const char* reference;
    const char* years;
  };
  const Case cases[] = {
      {"2000-03-15", "2026-03-14", "25"},  // the day before the birthday
      {"2000-03-15", "2026-03-15", "26"},  // the birthday counts
      {"2004-02-29", "2023-02-28", "18"},  // a 29 February birthday...
      {"2004-02-29", "2023-03-01", "19"},  // ...is reached on 1 March in common years
      {"2004-02-29", "2024-02-29", "20"},
  };
  for (const Case& c : cases) {
    Frame f;
    f.set_date(kBirthDate, c.birth).set_date(kReferenceDate, c.reference);
    EXPECT_EQ(age.evaluate(f.context()).to_display(), c.years) << c.birth << " " << c.reference;
  }
  Frame f;
  f.set_date(kReferenceDate, "2026-01-01");
  EXPECT_EQ(age.evaluate(f.context()).to_display(), "null");
  Expression under26 = compile("years_between(birth_date, reference_date) < 26");
  f.set_date(kBirthDate, "2000-01-01");
  EXPECT_EQ(under26.evaluate(f.context()).to_display(), "false");
  f.set_date(kBirthDate, "2000-01-02");
  EXPECT_EQ(under26.evaluate(f.context()).to_display(), "true");
}

TEST(ExpressionTest, MissingAndCoalesce) {
  Frame f;
  EXPECT_EQ(ev("is_missing(age)", f), "true");
  EXPECT_EQ(ev("not is_missing(age)", f), "false");
  EXPECT_EQ(ev("coalesce(age, 18)", f), "18");
  EXPECT_EQ(ev("coalesce(age, null)", f), "null");
  EXPECT_EQ(ev("coalesce(null, null, 'x')"), "\"x\"");
  f.set(kAge, Value::integer(40));
  EXPECT_EQ(ev("is_missing(age)", f), "false");
  EXPECT_EQ(ev("coalesce(age, 18)", f), "40");
  EXPECT_EQ(compile("coalesce(age, 1.5)").type().kind, TypeKind::decimal);
  EXPECT_EQ(compile_error("coalesce(age, 'x')").code(), ErrorCode::type_error);
}

TEST(ExpressionTest, BuiltinFunctionsAreDocumented) {
  const char* names[] = {
      "contains", "starts_with", "startsWith", "ends_with",     "endsWith",       "lower",
      "upper",    "len",         "count",      "any",           "some",           "all",
      "min",      "max",         "sum",        "abs",           "floor",          "ceil",
      "round",    "date",        "d",          "years_between", "months_between", "days_between",
      "add_days", "add_months",  "is_missing", "coalesce"};
  const std::vector<FunctionInfo>& all = builtin_functions();
  for (const char* name : names) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const FunctionInfo& f) { return std::string(f.name) == name; });
    ASSERT_NE(it, all.end()) << name;
    EXPECT_TRUE(contains_text(it->signature, name)) << name;
    EXPECT_GT(std::string(it->summary).size(), 5u) << name;
  }
}

// ---------------------------------------------------------------------------------------------
// Compile-time errors

TEST(ExpressionTest, TypeErrorsNameBothTypes) {
  Error mismatch = compile_error("age = 'x'");
  EXPECT_EQ(mismatch.code(), ErrorCode::type_error);
  EXPECT_EQ(mismatch.column(), 5);
  EXPECT_TRUE(contains_text(mismatch.message(), "integer")) << mismatch.message();
  EXPECT_TRUE(contains_text(mismatch.message(), "string")) << mismatch.message();

  Error date_plus = compile_error("birth_date + 1");
  EXPECT_EQ(date_plus.code(), ErrorCode::type_error);
  EXPECT_EQ(date_plus.column(), 12);
  EXPECT_TRUE(contains_text(date_plus.message(), "date")) << date_plus.message();
  EXPECT_TRUE(contains_text(date_plus.message(), "integer")) << date_plus.message();

  Error logic = compile_error("registered and age");
  EXPECT_EQ(logic.code(), ErrorCode::type_error);
  EXPECT_EQ(logic.column(), 12);
  EXPECT_TRUE(contains_text(logic.message(), "bool and integer")) << logic.message();

  EXPECT_EQ(compile_error("age or registered").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("not age").code(), ErrorCode::type_error);
  Error condition = compile_error("if age then 1 else 2");
  EXPECT_EQ(condition.code(), ErrorCode::type_error);
  EXPECT_EQ(condition.column(), 4);
  EXPECT_EQ(compile_error("if registered then 1 else 'a'").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("registered < true").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("skills < skills").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("skills = 'a'").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("name + 1").code(), ErrorCode::type_error);  // texts join only texts
  EXPECT_EQ(compile_error("-name").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("[1, 'a']").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("age in 3").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("age in skills").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("age in ['a'..'b']").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("registered in [true..false]").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("lower(3)").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("contains(3, 3)").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("contains(name, 3)").code(), ErrorCode::type_error);
  EXPECT_EQ(compile_error("contains(scores, 'a')").code(), ErrorCode::type_error);
}

TEST(ExpressionTest, AnyTypesAreCompatible) {
  for (const char* text :
       {"anything = 'x'", "anything < 3", "anything + 1", "anything and true", "null + 1",
        "null < 'a'", "age = anything", "lower(anything)", "if anything then 1 else 2",
        "anything in [1, 2]", "age in anything", "income > age", "income = 2"}) {
    EXPECT_NO_THROW(compile(text)) << text;
  }
}

TEST(ExpressionTest, EnumDomains) {
  Frame f;
  f.set_string(kAllowance, "RSA");
  EXPECT_EQ(ev("allowance = 'RSA'", f), "true");
  EXPECT_EQ(ev("'RSA' = allowance", f), "true");
  EXPECT_EQ(ev("allowance = name", f), "null");  // plain strings are not checked

  Error typo = compile_error("allowance = 'RSAA'");
  EXPECT_EQ(typo.code(), ErrorCode::type_error);
  EXPECT_EQ(typo.column(), 13);
  EXPECT_TRUE(contains_text(typo.message(),
                            "\"RSAA\" is not a value of this enum (RSA, ASS, AAH, ARE, none)"))
      << typo.message();
  EXPECT_TRUE(contains_text(typo.message(), "did you mean \"RSA\"")) << typo.message();

  Error reversed = compile_error("'XYZ' != allowance");
  EXPECT_EQ(reversed.code(), ErrorCode::type_error);
  EXPECT_EQ(reversed.column(), 1);

  Error in_list = compile_error("allowance in ['RSA', 'XYZ']");
  EXPECT_EQ(in_list.code(), ErrorCode::type_error);
  EXPECT_EQ(in_list.column(), 22);

  EXPECT_EQ(compile_error("'XYZ' in benefits").code(), ErrorCode::type_error);
  Error contains = compile_error("contains(benefits, 'XYZ')");
  EXPECT_EQ(contains.code(), ErrorCode::type_error);
  EXPECT_EQ(contains.column(), 20);
  EXPECT_NO_THROW(compile("contains(benefits, 'AAH')"));
  EXPECT_EQ(compile("allowance").type().to_string(), "enum");
  EXPECT_EQ(compile("benefits").type().to_string(), "list<enum>");
}

TEST(ExpressionTest, UnknownNames) {
  Error unknown = compile_error("agee > 3");
  EXPECT_EQ(unknown.code(), ErrorCode::unknown_name);
  EXPECT_EQ(unknown.column(), 1);
  EXPECT_EQ(unknown.message(), "unknown name 'agee'");
  EXPECT_EQ(compile_error("1 + foo").column(), 5);
  Error function = compile_error("len > 3");
  EXPECT_EQ(function.code(), ErrorCode::unknown_name);
  EXPECT_TRUE(contains_text(function.message(), "function")) << function.message();
  Error dollar = compile_error("$ > 3");
  EXPECT_EQ(dollar.code(), ErrorCode::unknown_name);
  EXPECT_EQ(dollar.column(), 1);
}

TEST(ExpressionTest, UnknownFunctions) {
  Error unknown = compile_error("age + foo(1)");
  EXPECT_EQ(unknown.code(), ErrorCode::unknown_function);
  EXPECT_EQ(unknown.column(), 7);
  EXPECT_TRUE(contains_text(unknown.message(), "'foo'")) << unknown.message();
  Error typo = compile_error("lowr('A')");
  EXPECT_EQ(typo.code(), ErrorCode::unknown_function);
  EXPECT_TRUE(contains_text(typo.message(), "did you mean 'lower'")) << typo.message();
  EXPECT_EQ(compile_error("Lower('A')").code(), ErrorCode::unknown_function);  // case-sensitive
}

TEST(ExpressionTest, ArityErrors) {
  Error two = compile_error("1 + len('a', 'b')");
  EXPECT_EQ(two.code(), ErrorCode::arity);
  EXPECT_EQ(two.column(), 5);
  EXPECT_EQ(two.message(), "'len' takes 1 argument, got 2");
  EXPECT_EQ(compile_error("contains('a')").code(), ErrorCode::arity);
  EXPECT_EQ(compile_error("any([1])").code(), ErrorCode::arity);
  EXPECT_EQ(compile_error("min()").code(), ErrorCode::arity);
  EXPECT_EQ(compile_error("coalesce()").code(), ErrorCode::arity);
  EXPECT_EQ(compile_error("count([1], # > 0, 3)").code(), ErrorCode::arity);
  EXPECT_EQ(compile_error("is_missing()").code(), ErrorCode::arity);
}

// ---------------------------------------------------------------------------------------------
// Limits

TEST(ExpressionTest, DeepNestingIsRefusedWithoutCrashing) {
  Limits roomy;
  roomy.max_length = 1'000'000;
  std::string parens = std::string(10000, '(') + "1" + std::string(10000, ')');
  Error deep = compile_error(parens, roomy);
  EXPECT_EQ(deep.code(), ErrorCode::limit_exceeded);
  EXPECT_GT(deep.column(), 1);
  EXPECT_EQ(compile_error(parens).code(), ErrorCode::limit_exceeded);  // too long anyway

  std::string nots;
  for (int k = 0; k < 10000; ++k) nots += "not ";
  EXPECT_EQ(compile_error(nots + "true", roomy).code(), ErrorCode::limit_exceeded);
  EXPECT_EQ(compile_error(std::string(10000, '-') + "1", roomy).code(), ErrorCode::limit_exceeded);
  std::string calls;
  for (int k = 0; k < 10000; ++k) calls += "abs(";
  calls += "1" + std::string(10000, ')');
  EXPECT_EQ(compile_error(calls, roomy).code(), ErrorCode::limit_exceeded);
  std::string lists = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_EQ(compile_error(lists, roomy).code(), ErrorCode::limit_exceeded);
  // Even a caller asking for more depth than the stack can take gets an error.
  Limits reckless = roomy;
  reckless.max_depth = 1'000'000;
  EXPECT_EQ(compile_error(parens, reckless).code(), ErrorCode::limit_exceeded);
}

TEST(ExpressionTest, DepthWithinTheLimitCompiles) {
  std::string text = std::string(50, '(') + "age" + std::string(50, ')');
  EXPECT_EQ(compile(text).single_slot(), kAge);
  std::string calls;
  for (int k = 0; k < 40; ++k) calls += "abs(";
  calls += "age" + std::string(40, ')');
  Frame f;
  f.set(kAge, Value::integer(-3));
  EXPECT_EQ(ev(calls, f), "3");
}

TEST(ExpressionTest, FlatChainsAreNotNesting) {
  // A flat sum of 65 terms (and of 1,300, near the length limit) is one level, evaluated as a left
  // fold without a frame per term; so are products and mixed chains.
  Frame f;
  f.set(kAge, Value::integer(2));
  for (int terms : {65, 1300}) {
    std::string text = "age";
    for (int k = 1; k < terms; ++k) text += " + age";
    EXPECT_EQ(ev(text, f), std::to_string(2 * terms)) << terms;
  }
  std::string mixed = "age";
  for (int k = 0; k < 100; ++k) mixed += k % 2 ? " - 1" : " + age * 3";
  EXPECT_EQ(ev(mixed, f), std::to_string(2 + 50 * 6 - 50));
  // A column at a time, the same fold: three frames of different ages.
  std::vector<Value> frames(3 * kSlotCount);
  for (int i = 0; i < 3; ++i)
    frames[static_cast<std::size_t>(i * kSlotCount + kAge)] =
        i == 2 ? Value::null() : Value::integer(i + 1);
  std::vector<Value> column(3), scratch;
  Arena arena;
  compile(mixed).evaluate_rows(frames.data(), kSlotCount, 3, column.data(), 1, scratch, &arena);
  EXPECT_EQ(column[0].to_display(), std::to_string(1 + 50 * 3 - 50));
  EXPECT_EQ(column[1].to_display(), std::to_string(2 + 50 * 6 - 50));
  EXPECT_TRUE(column[2].is_null());
  // Real nesting still counts: each pair of parentheses is a level.
  std::string nested = "age";
  for (int k = 0; k < 70; ++k) nested = "(" + nested + " + age)";
  EXPECT_EQ(compile_error(nested).code(), ErrorCode::limit_exceeded);
  // So does an operand that is itself deep: 64 levels inside a flat sum are still 64 levels.
  std::string deep = std::string(63, '(') + "age" + std::string(63, ')');
  EXPECT_NO_THROW(Expression::compile("1 + age + " + deep, scope(), nullptr, Limits{}));
  std::string deeper = std::string(70, '(') + "age" + std::string(70, ')');
  EXPECT_EQ(compile_error("1 + age + " + deeper).code(), ErrorCode::limit_exceeded);
  // Constant chains fold as they go.
  std::string constant = "1";
  for (int k = 0; k < 100; ++k) constant += " + 1";
  EXPECT_EQ(ev(constant), "101");
}

TEST(ExpressionTest, LengthAndListLimits) {
  Limits small;
  small.max_length = 10;
  Error long_text = compile_error("age + 1 + 2 + 3", small);
  EXPECT_EQ(long_text.code(), ErrorCode::limit_exceeded);
  EXPECT_EQ(long_text.column(), 11);
  EXPECT_NO_THROW(Expression::compile("'éééééééé'", scope(), nullptr, small));  // characters

  std::string items = "[0";
  for (int k = 1; k < 1000; ++k) items += "," + std::to_string(k);
  EXPECT_EQ(ev("len(" + items + "])"), "1000");
  Error too_many = compile_error(items + ",1000]");
  EXPECT_EQ(too_many.code(), ErrorCode::limit_exceeded);
}

// ---------------------------------------------------------------------------------------------
// The compiled expression

TEST(ExpressionTest, ConstantFolding) {
  Expression sum = compile("1 + 2 * 3");
  EXPECT_TRUE(sum.is_constant());
  EXPECT_EQ(sum.constant_value().to_display(), "7");
  EXPECT_FALSE(compile("age + 1").is_constant());
  EXPECT_TRUE(compile("any([1, 2], # > 1)").is_constant());
  EXPECT_FALSE(compile("any(scores, # > 1)").is_constant());
  EXPECT_TRUE(compile("if 1 < 2 then 'a' else 'b'").is_constant());
  EXPECT_TRUE(compile("is_missing(null)").is_constant());
  EXPECT_TRUE(compile("[1, 2, 3]").is_constant());
  EXPECT_EQ(compile("[1, 2, 3]").constant_value().to_display(), "[1, 2, 3]");

  // The folded value's storage belongs to the expression and its copies.
  Expression copy;
  {
    Expression original = compile("upper('abc')");
    copy = original;
  }
  EXPECT_EQ(copy.constant_value().to_display(), "\"ABC\"");
  Frame f;
  EXPECT_EQ(copy.evaluate(f.context()).to_display(), "\"ABC\"");
}

TEST(ExpressionTest, SlotsAndSingleSlot) {
  EXPECT_EQ(compile("age + income * age").slots(), (std::vector<int>{kAge, kIncome}));
  EXPECT_EQ(compile("any(scores, # > age)").slots(), (std::vector<int>{kAge, kScores}));
  EXPECT_TRUE(compile("1 + 1").slots().empty());
  EXPECT_EQ(compile("age").single_slot(), kAge);
  EXPECT_EQ(compile("(customer.country)").single_slot(), kCountry);
  EXPECT_EQ(compile("age + 0").single_slot(), -1);
  EXPECT_EQ(compile("3").single_slot(), -1);
  EXPECT_FALSE(compile("age").uses_dollar());
  StaticType integer = StaticType::of(TypeKind::integer);
  Expression dollar = Expression::compile("$ > age", scope(), &integer);
  EXPECT_TRUE(dollar.uses_dollar());
  EXPECT_FALSE(dollar.structure().has_value());
  Frame f;
  f.set(kAge, Value::integer(3));
  EXPECT_EQ(dollar.evaluate(f.context(Value::integer(4))).to_display(), "true");
  EXPECT_EQ(dollar.evaluate(f.context()).to_display(), "null");
}

TEST(ExpressionTest, StaticTypes) {
  EXPECT_EQ(compile("1 + 2").type().kind, TypeKind::integer);
  EXPECT_EQ(compile("1 / 2").type().kind, TypeKind::decimal);
  EXPECT_EQ(compile("age + income").type().kind, TypeKind::decimal);
  EXPECT_EQ(compile("age > 1").type().kind, TypeKind::boolean);
  EXPECT_EQ(compile("if registered then 1 else 2.5").type().kind, TypeKind::decimal);
  EXPECT_EQ(compile("skills").type().to_string(), "list<string>");
  EXPECT_EQ(compile("[1, 2.5]").type().to_string(), "list<decimal>");
  EXPECT_EQ(compile("lower(name)").type().to_string(), "string");
  EXPECT_EQ(compile("birth_date").type().to_string(), "date");
  EXPECT_EQ(compile("registered").type().to_string(), "bool");
  EXPECT_EQ(compile("null").type().kind, TypeKind::any);
  EXPECT_EQ(compile("years_between(birth_date, reference_date)").type().kind, TypeKind::integer);
  EXPECT_EQ(compile("max(scores)").type().kind, TypeKind::integer);
  EXPECT_EQ(compile("allowance").type().domain, &kAllowances);
}

TEST(ExpressionTest, CopiesAndMoves) {
  Expression a = compile("age * 2");
  Expression b = a;
  EXPECT_EQ(b.text(), "age * 2");
  Expression c = std::move(a);
  EXPECT_EQ(c.text(), "age * 2");
  EXPECT_TRUE(a.is_constant());  // a moved-from expression is the constant null
  EXPECT_EQ(a.evaluate(EvalContext{}).to_display(), "null");
  Expression d;
  EXPECT_EQ(d.text(), "");
  EXPECT_TRUE(d.is_constant());
  EXPECT_FALSE(d.structure().has_value());
  Frame f;
  f.set(kAge, Value::integer(21));
  EXPECT_EQ(b.evaluate(f.context()).to_display(), "42");
  EXPECT_EQ(c.evaluate(f.context()).to_display(), "42");
  EXPECT_FALSE(c.structure().has_value());  // general expressions have no cell structure
}

}  // namespace
}  // namespace aiguillage
