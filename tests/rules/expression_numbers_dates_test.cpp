// trunc, rem, avg, median, mode, the date parts and utc_date (the functions ZEN's standard
// library maps to).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "aiguillage/rules/expression.hpp"

namespace aiguillage {
namespace {

class NumbersScope : public Scope {
 public:
  NumbersScope() {
    entries_.emplace("xs", Entry{0, StaticType::list_of(TypeKind::integer)});
    entries_.emplace("day", Entry{1, StaticType::of(TypeKind::date)});
    entries_.emplace("n", Entry{2, StaticType::of(TypeKind::integer)});
  }
  std::optional<Entry> lookup(std::string_view name) const override {
    auto it = entries_.find(name);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, Entry, std::less<>> entries_;
};

std::string ev(std::string_view text) {
  static const NumbersScope scope;
  Value slots[3];
  Arena arena;
  EvalContext ctx;
  ctx.slots = slots;
  ctx.arena = &arena;
  return Expression::compile(text, scope).evaluate(ctx).to_display();
}

Type type_of(std::string_view text) {
  static const NumbersScope scope;
  Value slots[3];
  EvalContext ctx;
  ctx.slots = slots;
  return Expression::compile(text, scope).evaluate(ctx).type();
}

ErrorCode compile_error(std::string_view text) {
  static const NumbersScope scope;
  try {
    (void)Expression::compile(text, scope);
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::ok;
}

TEST(ExpressionNumbers, TruncCutsTowardZero) {
  EXPECT_EQ(ev("trunc(7.6)"), "7");
  EXPECT_EQ(ev("trunc(-7.6)"), "-7");
  EXPECT_EQ(ev("trunc(7)"), "7");
  EXPECT_EQ(type_of("trunc(7.6)"), Type::integer);
  EXPECT_EQ(ev("trunc(7.999, 2)"), "7.99");
  EXPECT_EQ(ev("trunc(-7.999, 2)"), "-7.99");
  EXPECT_EQ(ev("trunc(7.444, 0)"), "7");
  EXPECT_EQ(type_of("trunc(7.444, 0)"), Type::decimal);
  EXPECT_EQ(ev("trunc(0.123456, 9)"), "0.123456");
  EXPECT_EQ(ev("trunc(5, 1)"), "5");
  EXPECT_EQ(ev("trunc(1.5, -1)"), "null");
  EXPECT_EQ(ev("trunc(null)"), "null");
  EXPECT_EQ(compile_error("trunc('a')"), ErrorCode::type_error);
  EXPECT_EQ(compile_error("trunc(1.5, 1.5)"), ErrorCode::type_error);
}

TEST(ExpressionNumbers, RemainderHasTheDividendsSign) {
  EXPECT_EQ(ev("rem(5, 2)"), "1");
  EXPECT_EQ(ev("rem(-7, 2)"), "-1");
  EXPECT_EQ(ev("rem(7, -2)"), "1");
  EXPECT_EQ(ev("rem(10, 4)"), "2");
  EXPECT_EQ(type_of("rem(10, 4)"), Type::integer);
  EXPECT_EQ(ev("rem(5.5, 2)"), "1.5");
  EXPECT_EQ(ev("rem(-5.5, 2)"), "-1.5");
  EXPECT_EQ(ev("rem(0.000007, 0.000002)"), "0.000001");
  EXPECT_EQ(type_of("rem(5.5, 2)"), Type::decimal);
  EXPECT_EQ(ev("rem(5, 0)"), "null");
  EXPECT_EQ(ev("rem(5.5, 0)"), "null");
  EXPECT_EQ(ev("rem(-9223372036854775807 - 1, -1)"), "0");
  EXPECT_EQ(compile_error("rem('a', 2)"), ErrorCode::type_error);
}

TEST(ExpressionNumbers, AverageMedianMode) {
  EXPECT_EQ(ev("avg([10, 20, 30])"), "20");
  EXPECT_EQ(type_of("avg([10, 20, 30])"), Type::decimal);
  EXPECT_EQ(ev("avg([1, 2, 2])"), "1.666667");  // rounded as `/`
  EXPECT_EQ(ev("avg([1.5, 2])"), "1.75");
  EXPECT_EQ(ev("avg(xs)"), "null");  // a missing list
  EXPECT_EQ(ev("avg([])"), "null");
  EXPECT_EQ(ev("median([4, 2, 7, 5, 3])"), "4");
  EXPECT_EQ(ev("median([4, 2, 7, 5])"), "4.5");
  EXPECT_EQ(ev("median([])"), "null");
  EXPECT_EQ(ev("mode([1, 2, 2, 3, 3, 3, 4, 4, 4, 4])"), "4");
  EXPECT_EQ(ev("mode([3, 1, 3, 1])"), "3");  // equally frequent: the largest
  EXPECT_EQ(ev("mode([1.5, 2, 1.5])"), "1.5");
  EXPECT_EQ(type_of("mode([1, 1, 2])"), Type::integer);
  EXPECT_EQ(ev("mode([])"), "null");
  EXPECT_EQ(ev("avg([1, null])"), "null");
  EXPECT_EQ(compile_error("avg(['a'])"), ErrorCode::type_error);
  EXPECT_EQ(compile_error("median(3)"), ErrorCode::type_error);
}

TEST(ExpressionDates, PartsOfADate) {
  EXPECT_EQ(ev("year(date('2023-09-18'))"), "2023");
  EXPECT_EQ(ev("month(date('2023-09-18'))"), "9");
  EXPECT_EQ(ev("day(date('2023-09-18'))"), "18");
  EXPECT_EQ(ev("weekday(date('2023-09-18'))"), "1");  // a Monday
  EXPECT_EQ(ev("weekday(date('2023-10-15'))"), "7");  // a Sunday
  EXPECT_EQ(ev("weekday(date('1969-12-31'))"), "3");
  EXPECT_EQ(ev("day_of_year(date('2023-09-18'))"), "261");
  EXPECT_EQ(ev("day_of_year(date('2024-12-31'))"), "366");
  EXPECT_EQ(ev("iso_week(date('2023-09-18'))"), "38");
  EXPECT_EQ(ev("iso_week(date('2023-10-15'))"), "41");
  EXPECT_EQ(ev("iso_week(date('2021-01-03'))"), "53");  // in 2020's last week
  EXPECT_EQ(ev("iso_week(date('2024-12-30'))"), "1");   // in 2025's first week
  EXPECT_EQ(ev("year(day)"), "null");
  EXPECT_EQ(compile_error("year('2023-09-18')"), ErrorCode::type_error);
}

TEST(ExpressionDates, UtcDateOfSeconds) {
  EXPECT_EQ(ev("utc_date(timestamp('2023-09-18 23:10:00'))"), "2023-09-18");
  EXPECT_EQ(ev("utc_date(0)"), "1970-01-01");
  EXPECT_EQ(ev("utc_date(-1)"), "1969-12-31");
  EXPECT_EQ(ev("utc_date(-86400)"), "1969-12-31");
  EXPECT_EQ(ev("utc_date(86399.9)"), "1970-01-01");
  EXPECT_EQ(ev("utc_date(253402300800)"), "null");  // year 10000
  EXPECT_EQ(ev("utc_date(253402300799)"), "9999-12-31");
  EXPECT_EQ(ev("utc_date(timestamp('x'))"), "null");
  EXPECT_EQ(compile_error("utc_date('2023-09-18')"), ErrorCode::type_error);
}

}  // namespace
}  // namespace aiguillage
