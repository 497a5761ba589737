// Unary tests: the input cells of decision tables, tested against a column value "$".
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "aiguillage/rules/expression.hpp"

namespace aiguillage {
namespace {

const std::vector<std::string> kAllowances = {"RSA", "ASS", "AAH", "ARE", "none"};

const StaticType kInteger = StaticType::of(TypeKind::integer);
const StaticType kDecimal = StaticType::of(TypeKind::decimal);
const StaticType kString = StaticType::of(TypeKind::string);
const StaticType kEnum = StaticType::of(TypeKind::string, &kAllowances);
const StaticType kDate = StaticType::of(TypeKind::date);
const StaticType kBool = StaticType::of(TypeKind::boolean);
const StaticType kSkills = StaticType::list_of(TypeKind::string);
const StaticType kBenefits = StaticType::list_of(TypeKind::string, &kAllowances);
const StaticType kAny = StaticType::of(TypeKind::any);

enum Slot : int { kMaxAge, kCountry, kSlotCount };

class TestScope : public Scope {
 public:
  std::optional<Entry> lookup(std::string_view name) const override {
    if (name == "max_age") return Entry{kMaxAge, StaticType::of(TypeKind::integer)};
    if (name == "country") return Entry{kCountry, StaticType::of(TypeKind::string)};
    return std::nullopt;
  }
};

const TestScope& scope() {
  static const TestScope s;
  return s;
}

Expression cell(std::string_view text, const StaticType& column, const Limits& limits = {}) {
  return Expression::compile_unary(text, scope(), column, limits);
}

// Evaluates a compiled cell on one input, rendered: "true", "false" or "null".
struct Runner {
  std::vector<Value> slots = std::vector<Value>(kSlotCount);
  Arena arena;
  std::string operator()(const Expression& e, Value input) {
    EvalContext ctx;
    ctx.slots = slots.data();
    ctx.dollar = input;
    ctx.arena = &arena;
    return e.evaluate(ctx).to_display();
  }
};

std::string test(std::string_view text, const StaticType& column, Value input) {
  Runner run;
  return run(cell(text, column), input);
}

Value integer(std::int64_t v) {
  return Value::integer(v);
}
Value decimal(std::string_view v) {
  return Value::decimal(*Decimal::parse(v));
}
Value date(std::string_view v) {
  return Value::date(*Date::parse(v));
}

Error cell_error(std::string_view text, const StaticType& column, const Limits& limits = {}) {
  try {
    cell(text, column, limits);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << text;
  return Error(ErrorCode::ok, "");
}

bool contains_text(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string show(const Interval& i) {
  std::string out = i.lo_inf ? "(-inf" : std::string(i.lo_open ? "(" : "[") + i.lo.to_display();
  out += "..";
  out += i.hi_inf ? "+inf)" : i.hi.to_display() + (i.hi_open ? ")" : "]");
  return out;
}

std::string show_intervals(const UnaryStructure& s) {
  std::string out;
  for (const Interval& i : s.intervals) out += (out.empty() ? "" : " ") + show(i);
  return out;
}

std::string show_values(const UnaryStructure& s) {
  std::string out;
  for (const Value& v : s.values) out += (out.empty() ? "" : " ") + v.to_display();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Any and null

TEST(UnaryTestTest, DashAndEmptyAcceptEverything) {
  for (const char* text : {"-", "", "   ", " - "}) {
    Expression e = cell(text, kInteger);
    Runner run;
    EXPECT_EQ(run(e, Value::null()), "true") << text;
    EXPECT_EQ(run(e, integer(5)), "true") << text;
    EXPECT_TRUE(e.is_constant());
    EXPECT_EQ(e.type().kind, TypeKind::boolean);
    ASSERT_TRUE(e.structure().has_value());
    EXPECT_EQ(e.structure()->kind, UnaryStructure::Kind::any);
    EXPECT_FALSE(e.structure()->negated);
  }
}

TEST(UnaryTestTest, NullIsANullTest) {
  Expression e = cell(" null ", kString);
  Runner run;
  EXPECT_EQ(run(e, Value::null()), "true");
  EXPECT_EQ(run(e, Value::string("x")), "false");
  EXPECT_TRUE(e.uses_dollar());
  EXPECT_FALSE(e.is_constant());
  ASSERT_TRUE(e.structure().has_value());
  EXPECT_EQ(e.structure()->kind, UnaryStructure::Kind::is_null);
  EXPECT_EQ(test("= null", kInteger, Value::null()), "true");
  EXPECT_EQ(test("= null", kInteger, integer(1)), "false");
  EXPECT_EQ(test("!= null", kInteger, Value::null()), "false");
  EXPECT_EQ(test("!= null", kInteger, integer(1)), "true");
}

// ---------------------------------------------------------------------------------------------
// Comparisons

TEST(UnaryTestTest, Comparisons) {
  struct Case {
    const char* text;
    const char* at25;
    const char* at26;
    const char* at27;
    const char* shape;
  };
  const Case cases[] = {
      {"< 26", "true", "false", "false", "(-inf..26)"},
      {"<= 26", "true", "true", "false", "(-inf..26]"},
      {"> 26", "false", "false", "true", "(26..+inf)"},
      {">= 26", "false", "true", "true", "[26..+inf)"},
      {"= 26", "false", "true", "false", "[26..26]"},
      {"26", "false", "true", "false", "[26..26]"},
      {"<26", "true", "false", "false", "(-inf..26)"},
      {"< 20 + 6", "true", "false", "false", "(-inf..26)"},
  };
  for (const Case& c : cases) {
    Expression e = cell(c.text, kInteger);
    Runner run;
    EXPECT_EQ(run(e, integer(25)), c.at25) << c.text;
    EXPECT_EQ(run(e, integer(26)), c.at26) << c.text;
    EXPECT_EQ(run(e, integer(27)), c.at27) << c.text;
    EXPECT_EQ(run(e, Value::null()), "null") << c.text;
    EXPECT_TRUE(e.uses_dollar());
    EXPECT_EQ(e.single_slot(), -1);
    ASSERT_TRUE(e.structure().has_value()) << c.text;
    EXPECT_EQ(e.structure()->kind, UnaryStructure::Kind::intervals);
    EXPECT_FALSE(e.structure()->negated);
    EXPECT_EQ(show_intervals(*e.structure()), c.shape) << c.text;
  }
}

TEST(UnaryTestTest, NotEqual) {
  Expression e = cell("!= 5", kInteger);
  Runner run;
  EXPECT_EQ(run(e, integer(5)), "false");
  EXPECT_EQ(run(e, integer(6)), "true");
  EXPECT_EQ(run(e, Value::null()), "null");
  ASSERT_TRUE(e.structure().has_value());
  EXPECT_TRUE(e.structure()->negated);
  EXPECT_EQ(show_intervals(*e.structure()), "[5..5]");

  Expression s = cell("!= 'RSA'", kEnum);
  ASSERT_TRUE(s.structure().has_value());
  EXPECT_EQ(s.structure()->kind, UnaryStructure::Kind::values);
  EXPECT_TRUE(s.structure()->negated);
  EXPECT_EQ(show_values(*s.structure()), "\"RSA\"");

  // "!=" among other items has no structure, but still evaluates.
  Expression mixed = cell("!= 5, 6", kInteger);
  EXPECT_FALSE(mixed.structure().has_value());
  EXPECT_EQ(run(mixed, integer(5)), "false");
  EXPECT_EQ(run(mixed, integer(6)), "true");
}

TEST(UnaryTestTest, NegativeNumbersAndDecimals) {
  EXPECT_EQ(test("-5", kInteger, integer(-5)), "true");
  EXPECT_EQ(test("< -5", kInteger, integer(-6)), "true");
  EXPECT_EQ(test("> 1", kDecimal, decimal("1.000001")), "true");
  EXPECT_EQ(test("<= 0.5", kDecimal, decimal("0.5")), "true");
  EXPECT_EQ(test("0.3", kDecimal, decimal("0.3")), "true");
  EXPECT_EQ(test("[0.1..0.3]", kDecimal, decimal("0.2")), "true");
  EXPECT_EQ(test("< 1.5", kInteger, integer(1)), "true");  // integer and decimal mix exactly
}

// ---------------------------------------------------------------------------------------------
// Ranges

TEST(UnaryTestTest, Ranges) {
  struct Case {
    const char* text;
    const char* at15;
    const char* at16;
    const char* at25;
    const char* at26;
    const char* shape;
  };
  const Case cases[] = {
      {"[16..25]", "false", "true", "true", "false", "[16..25]"},
      {"(16..25]", "false", "false", "true", "false", "(16..25]"},
      {"]16..25]", "false", "false", "true", "false", "(16..25]"},
      {"[16..25)", "false", "true", "false", "false", "[16..25)"},
      {"[16..25[", "false", "true", "false", "false", "[16..25)"},
      {"]16..25[", "false", "false", "false", "false", "(16..25)"},
      {"(15..26)", "false", "true", "true", "false", "(15..26)"},
      {" [ 16 .. 25 ] ", "false", "true", "true", "false", "[16..25]"},
  };
  for (const Case& c : cases) {
    Expression e = cell(c.text, kInteger);
    Runner run;
    EXPECT_EQ(run(e, integer(15)), c.at15) << c.text;
    EXPECT_EQ(run(e, integer(16)), c.at16) << c.text;
    EXPECT_EQ(run(e, integer(25)), c.at25) << c.text;
    EXPECT_EQ(run(e, integer(26)), c.at26) << c.text;
    EXPECT_EQ(run(e, Value::null()), "null") << c.text;
    ASSERT_TRUE(e.structure().has_value()) << c.text;
    EXPECT_EQ(e.structure()->kind, UnaryStructure::Kind::intervals);
    EXPECT_EQ(show_intervals(*e.structure()), c.shape) << c.text;
  }
}

TEST(UnaryTestTest, BracketsThatAreNotRanges) {
  // A parenthesised expression and a list literal, not ranges.
  Expression sum = cell("(1 + 2)", kInteger);
  EXPECT_EQ(test("(1 + 2)", kInteger, integer(3)), "true");
  ASSERT_TRUE(sum.structure().has_value());
  EXPECT_EQ(show_intervals(*sum.structure()), "[3..3]");

  Expression list = cell("[1, 2]", kInteger);
  EXPECT_EQ(test("[1, 2]", kInteger, integer(2)), "true");
  EXPECT_EQ(test("[1, 2]", kInteger, integer(3)), "false");
  EXPECT_EQ(test("[1, 2]", kInteger, Value::null()), "null");
  ASSERT_TRUE(list.structure().has_value());
  EXPECT_EQ(show_intervals(*list.structure()), "[1..1] [2..2]");
}

TEST(UnaryTestTest, RangeSyntaxErrors) {
  Error open = cell_error("[1..5", kInteger);
  EXPECT_EQ(open.code(), ErrorCode::syntax);
  EXPECT_EQ(open.column(), 6);
  EXPECT_EQ(cell_error("]1, 5[", kInteger).code(), ErrorCode::syntax);
  EXPECT_EQ(cell_error("[1..]", kInteger).code(), ErrorCode::syntax);
  EXPECT_EQ(cell_error("< ", kInteger).code(), ErrorCode::syntax);
  EXPECT_EQ(cell_error("1,", kInteger).code(), ErrorCode::syntax);
  EXPECT_EQ(cell_error("1 2", kInteger).column(), 3);
}

TEST(UnaryTestTest, DateColumns) {
  Expression before = cell("< date('2024-01-01')", kDate);
  Runner run;
  EXPECT_EQ(run(before, date("2023-12-31")), "true");
  EXPECT_EQ(run(before, date("2024-01-01")), "false");
  EXPECT_EQ(run(before, Value::null()), "null");
  ASSERT_TRUE(before.structure().has_value());
  EXPECT_EQ(show_intervals(*before.structure()), "(-inf..2024-01-01)");

  Expression year = cell("[date('2024-01-01')..date('2024-12-31')]", kDate);
  EXPECT_EQ(run(year, date("2024-06-15")), "true");
  EXPECT_EQ(run(year, date("2025-01-01")), "false");
  ASSERT_TRUE(year.structure().has_value());
  EXPECT_EQ(show_intervals(*year.structure()), "[2024-01-01..2024-12-31]");

  Error text = cell_error("< '2024-01-01'", kDate);
  EXPECT_EQ(text.code(), ErrorCode::type_error);
  EXPECT_EQ(cell_error("date('2024-02-30')", kDate).code(), ErrorCode::type_error);
}

// ---------------------------------------------------------------------------------------------
// Lists of items and not(...)

TEST(UnaryTestTest, ItemListsAreOred) {
  Expression e = cell("1, 2, 3", kInteger);
  Runner run;
  EXPECT_EQ(run(e, integer(2)), "true");
  EXPECT_EQ(run(e, integer(4)), "false");
  EXPECT_EQ(run(e, Value::null()), "null");
  ASSERT_TRUE(e.structure().has_value());
  EXPECT_EQ(show_intervals(*e.structure()), "[1..1] [2..2] [3..3]");

  Expression outside = cell("< 5, > 10", kInteger);
  EXPECT_EQ(run(outside, integer(3)), "true");
  EXPECT_EQ(run(outside, integer(7)), "false");
  EXPECT_EQ(run(outside, integer(11)), "true");
  EXPECT_EQ(run(outside, Value::null()), "null");
  ASSERT_TRUE(outside.structure().has_value());
  EXPECT_EQ(show_intervals(*outside.structure()), "(-inf..5) (10..+inf)");

  Expression mixed = cell("[1..3], 7, >= 10", kInteger);
  ASSERT_TRUE(mixed.structure().has_value());
  EXPECT_EQ(show_intervals(*mixed.structure()), "[1..3] [7..7] [10..+inf)");
  EXPECT_EQ(run(mixed, integer(7)), "true");
  EXPECT_EQ(run(mixed, integer(8)), "false");
}

TEST(UnaryTestTest, NotNegates) {
  Expression e = cell("not(1, 2)", kInteger);
  Runner run;
  EXPECT_EQ(run(e, integer(1)), "false");
  EXPECT_EQ(run(e, integer(3)), "true");
  EXPECT_EQ(run(e, Value::null()), "null");  // not(unknown) is unknown
  ASSERT_TRUE(e.structure().has_value());
  EXPECT_TRUE(e.structure()->negated);
  EXPECT_EQ(show_intervals(*e.structure()), "[1..1] [2..2]");

  Expression range = cell(" not( [1..5] ) ", kInteger);
  EXPECT_EQ(run(range, integer(3)), "false");
  EXPECT_EQ(run(range, integer(6)), "true");
  ASSERT_TRUE(range.structure().has_value());
  EXPECT_TRUE(range.structure()->negated);

  Expression twice = cell("not(!= 5)", kInteger);
  EXPECT_EQ(run(twice, integer(5)), "true");
  EXPECT_EQ(run(twice, integer(6)), "false");
  ASSERT_TRUE(twice.structure().has_value());
  EXPECT_FALSE(twice.structure()->negated);

  Expression values = cell("not(\"RSA\", \"ASS\")", kEnum);
  EXPECT_EQ(run(values, Value::string("AAH")), "true");
  EXPECT_EQ(run(values, Value::string("ASS")), "false");
  ASSERT_TRUE(values.structure().has_value());
  EXPECT_TRUE(values.structure()->negated);
  EXPECT_EQ(show_values(*values.structure()), "\"RSA\" \"ASS\"");
}

TEST(UnaryTestTest, NotThatIsAnOrdinaryExpression) {
  // The not(...) does not wrap the whole cell: the cell is a value, $ = (not(true) or false).
  Expression e = cell("not(true) or false", kBool);
  Runner run;
  EXPECT_EQ(run(e, Value::boolean(false)), "true");
  EXPECT_EQ(run(e, Value::boolean(true)), "false");
}

TEST(UnaryTestTest, NullItems) {
  Expression e = cell("null, 5", kInteger);
  Runner run;
  EXPECT_EQ(run(e, Value::null()), "true");
  EXPECT_EQ(run(e, integer(5)), "true");
  EXPECT_EQ(run(e, integer(6)), "false");
  EXPECT_FALSE(e.structure().has_value());

  Expression negated = cell("not(null)", kInteger);
  EXPECT_EQ(run(negated, Value::null()), "false");
  EXPECT_EQ(run(negated, integer(1)), "true");
  EXPECT_FALSE(negated.structure().has_value());
}

// ---------------------------------------------------------------------------------------------
// Strings, enums, booleans, lists

TEST(UnaryTestTest, EnumValues) {
  Expression e = cell("\"RSA\",\"ASS\"", kEnum);
  Runner run;
  EXPECT_EQ(run(e, Value::string("ASS")), "true");
  EXPECT_EQ(run(e, Value::string("AAH")), "false");
  EXPECT_EQ(run(e, Value::null()), "null");
  ASSERT_TRUE(e.structure().has_value());
  EXPECT_EQ(e.structure()->kind, UnaryStructure::Kind::values);
  EXPECT_EQ(show_values(*e.structure()), "\"RSA\" \"ASS\"");

  Expression list = cell("['RSA', 'AAH']", kEnum);
  ASSERT_TRUE(list.structure().has_value());
  EXPECT_EQ(show_values(*list.structure()), "\"RSA\" \"AAH\"");
  EXPECT_EQ(run(list, Value::string("AAH")), "true");
}

TEST(UnaryTestTest, EnumTypos) {
  Error e = cell_error("\"RSAA\"", kEnum);
  EXPECT_EQ(e.code(), ErrorCode::type_error);
  EXPECT_EQ(e.column(), 1);
  EXPECT_TRUE(
      contains_text(e.message(), "\"RSAA\" is not a value of this enum (RSA, ASS, AAH, ARE, none)"))
      << e.message();
  EXPECT_EQ(cell_error("\"RSA\", \"XYZ\"", kEnum).column(), 8);
  EXPECT_EQ(cell_error("!= 'XYZ'", kEnum).column(), 4);
  EXPECT_EQ(cell_error("not('RSA', 'XYZ')", kEnum).column(), 12);
  EXPECT_EQ(cell_error("['RSA', 'XYZ']", kEnum).column(), 9);
  EXPECT_EQ(cell_error("$ = 'XYZ'", kEnum).column(), 5);
}

TEST(UnaryTestTest, StringsAndBooleans) {
  Expression gb = cell("'GB'", kString);
  Runner run;
  EXPECT_EQ(run(gb, Value::string("GB")), "true");
  EXPECT_EQ(run(gb, Value::string("FR")), "false");
  EXPECT_EQ(run(gb, Value::null()), "null");
  ASSERT_TRUE(gb.structure().has_value());
  EXPECT_EQ(gb.structure()->kind, UnaryStructure::Kind::values);
  EXPECT_EQ(show_values(*gb.structure()), "\"GB\"");

  // "$" inside a string is text, not the column.
  EXPECT_EQ(test("'$'", kString, Value::string("$")), "true");

  // Ordering strings is allowed but has no interval structure.
  Expression before = cell("< 'M'", kString);
  EXPECT_EQ(run(before, Value::string("Alice")), "true");
  EXPECT_FALSE(before.structure().has_value());

  Expression yes = cell("true", kBool);
  EXPECT_EQ(run(yes, Value::boolean(true)), "true");
  EXPECT_EQ(run(yes, Value::boolean(false)), "false");
  EXPECT_EQ(run(yes, Value::null()), "null");
  ASSERT_TRUE(yes.structure().has_value());
  EXPECT_EQ(yes.structure()->kind, UnaryStructure::Kind::values);
  EXPECT_EQ(show_values(*yes.structure()), "true");
  EXPECT_EQ(cell_error("< true", kBool).code(), ErrorCode::type_error);
}

TEST(UnaryTestTest, ListColumns) {
  std::vector<Value> items = {Value::string("cpp"), Value::string("sql")};
  Value skills = Value::list(items.data(), items.size());
  Expression has = cell("'sql'", kSkills);
  Runner run;
  EXPECT_EQ(run(has, skills), "true");
  EXPECT_EQ(run(cell("'go'", kSkills), skills), "false");
  EXPECT_EQ(run(has, Value::null()), "null");
  EXPECT_FALSE(has.structure().has_value());
  EXPECT_EQ(cell_error("'XYZ'", kBenefits).code(), ErrorCode::type_error);
  EXPECT_EQ(cell_error("< 3", kSkills).code(), ErrorCode::type_error);
}

// ---------------------------------------------------------------------------------------------
// Type errors

TEST(UnaryTestTest, TypeErrorsPointAtTheItem) {
  Error less = cell_error("< 26", kString);
  EXPECT_EQ(less.code(), ErrorCode::type_error);
  EXPECT_EQ(less.column(), 1);
  EXPECT_TRUE(contains_text(less.message(), "string")) << less.message();
  EXPECT_TRUE(contains_text(less.message(), "integer")) << less.message();
  EXPECT_EQ(cell_error("  < 26", kString).column(), 3);
  EXPECT_EQ(cell_error("'a', 'b', 3", kString).column(), 11);
  EXPECT_EQ(cell_error("[1..'a']", kInteger).column(), 1);
  EXPECT_EQ(cell_error("'x'", kInteger).code(), ErrorCode::type_error);
  EXPECT_EQ(cell_error("< maxage", kInteger).code(), ErrorCode::unknown_name);
  EXPECT_EQ(cell_error("< foo(1)", kInteger).code(), ErrorCode::unknown_function);
  // A column of unknown type accepts anything.
  EXPECT_EQ(test("5", kAny, integer(5)), "true");
  EXPECT_EQ(test("'a'", kAny, Value::string("a")), "true");
}

// ---------------------------------------------------------------------------------------------
// Cells that read other inputs or "$"

TEST(UnaryTestTest, ItemsReadingInputs) {
  Expression e = cell("<= max_age", kInteger);
  Runner run;
  run.slots[kMaxAge] = integer(25);
  EXPECT_EQ(run(e, integer(25)), "true");
  EXPECT_EQ(run(e, integer(26)), "false");
  EXPECT_EQ(e.slots(), std::vector<int>{kMaxAge});
  EXPECT_FALSE(e.structure().has_value());
  run.slots[kMaxAge] = Value::null();
  EXPECT_EQ(run(e, integer(25)), "null");
}

TEST(UnaryTestTest, DollarExpressions) {
  Expression e = cell("$ > 18 and $ < 30", kInteger);
  Runner run;
  EXPECT_EQ(run(e, integer(20)), "true");
  EXPECT_EQ(run(e, integer(40)), "false");
  EXPECT_EQ(run(e, Value::null()), "null");
  EXPECT_TRUE(e.uses_dollar());
  EXPECT_FALSE(e.structure().has_value());
  EXPECT_EQ(e.type().kind, TypeKind::boolean);

  Expression in = cell("$ in [18..25]", kInteger);
  EXPECT_EQ(run(in, integer(18)), "true");
  EXPECT_FALSE(in.structure().has_value());

  Error number = cell_error("$ + 1", kInteger);
  EXPECT_EQ(number.code(), ErrorCode::type_error);
  EXPECT_EQ(number.column(), 1);
  EXPECT_EQ(cell_error("$ = 'a'", kInteger).code(), ErrorCode::type_error);
}

TEST(UnaryTestTest, ZenStyleCells) {
  Expression gmail = cell("endsWith($, '@gmail.com')", kString);
  Runner run;
  EXPECT_EQ(run(gmail, Value::string("ada@gmail.com")), "true");
  EXPECT_EQ(run(gmail, Value::string("ada@example.org")), "false");
  EXPECT_EQ(run(gmail, Value::null()), "null");
  EXPECT_FALSE(gmail.structure().has_value());

  Expression prefix = cell("startsWith($, 'FR')", kString);
  EXPECT_EQ(run(prefix, Value::string("FR-75")), "true");

  Expression country = cell("'GB'", kString);
  EXPECT_EQ(run(country, Value::string("GB")), "true");

  Expression upper = cell("upper($) = 'GB'", kString);
  EXPECT_EQ(run(upper, Value::string("gb")), "true");

  Expression length = cell("len($) > 3", kString);
  EXPECT_EQ(run(length, Value::string("été!")), "true");
  EXPECT_EQ(run(length, Value::string("été")), "false");
}

// ---------------------------------------------------------------------------------------------
// Limits

TEST(UnaryTestTest, Limits) {
  std::string items = "0";
  for (int k = 1; k < 1001; ++k) items += "," + std::to_string(k);
  Error many = cell_error(items, kInteger);
  EXPECT_EQ(many.code(), ErrorCode::limit_exceeded);

  Limits small;
  small.max_length = 4;
  EXPECT_EQ(cell_error("< 100", kInteger, small).code(), ErrorCode::limit_exceeded);
  EXPECT_EQ(cell_error("  -  ", kInteger, small).code(), ErrorCode::limit_exceeded);

  Limits roomy;
  roomy.max_length = 100'000;
  std::string deep = "< " + std::string(5000, '(') + "1" + std::string(5000, ')');
  EXPECT_EQ(cell_error(deep, kInteger, roomy).code(), ErrorCode::limit_exceeded);
  std::string nots;
  for (int k = 0; k < 5000; ++k) nots += "not(";
  nots += "1" + std::string(5000, ')');
  EXPECT_EQ(cell_error(nots, kInteger, roomy).code(), ErrorCode::limit_exceeded);
}

TEST(UnaryTestTest, TextIsKept) {
  EXPECT_EQ(cell(" < 26 ", kInteger).text(), " < 26 ");
  EXPECT_EQ(cell("-", kInteger).text(), "-");
}

}  // namespace
}  // namespace aiguillage
