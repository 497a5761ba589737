// ZEN's trunc, round with places, %, avg, median, mode and deprecated date-part functions, as
// the pack's functions, and evaluated by the pack to ZEN's values.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "aiguillage/core/error.hpp"
#include "aiguillage/rules/expression.hpp"
#include "zen_expression.hpp"

namespace aiguillage {
namespace {

using detail::translate_zen;
using detail::ZenNameUse;

std::string plain(std::string_view text) {
  return translate_zen(text, [](const ZenNameUse& u) { return u.path; });
}

class NoNames : public Scope {
 public:
  std::optional<Entry> lookup(std::string_view) const override { return std::nullopt; }
};

// The ZEN expression translated, then evaluated by the pack (no names, no reference date).
std::string zen(std::string_view text) {
  static const NoNames scope;
  Arena arena;
  EvalContext ctx;
  ctx.arena = &arena;
  return Expression::compile(plain(text), scope).evaluate(ctx).to_display();
}

TEST(ZenNumbers, Translations) {
  EXPECT_EQ(plain("a % 2"), "rem(a, 2)");
  EXPECT_EQ(plain("trunc(x)"), "trunc(x)");
  EXPECT_EQ(plain("trunc(x, 2)"), "trunc(x, 2)");
  EXPECT_EQ(plain("avg(xs)"), "avg(xs)");
  EXPECT_EQ(plain("median(xs)"), "median(xs)");
  EXPECT_EQ(plain("mode(xs)"), "mode(xs)");
  EXPECT_EQ(plain("round(x, 2)"),
            "((if x >= 0 then floor(x * 100 + 0.5) else (-floor((-x) * 100 + 0.5))) / 100)");
  EXPECT_EQ(plain("round(x, 8)"), "(x * 1)");
  EXPECT_EQ(plain("year(d)"), "year(utc_date(timestamp(d)))");
  EXPECT_EQ(plain("dayOfYear('now')"), "day_of_year(utc_date(timestamp(reference_date)))");
}

TEST(ZenNumbers, RefusedForms) {
  for (const char* text :
       {"round(x, n)", "round(x, 1.5)", "round(x, -1)", "trunc(1, 2, 3)", "avg()", "year()"}) {
    try {
      plain(text);
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::unsupported_construct) << text;
    }
  }
}

// Rows of ZEN's own standard.csv (zen-test-data/expression), with ZEN's values.
TEST(ZenNumbers, ZensValues) {
  EXPECT_EQ(zen("5 % 2 == 1"), "true");
  EXPECT_EQ(zen("10 % 3 != 0"), "true");
  EXPECT_EQ(zen("-7 % 2"), "-1");
  EXPECT_EQ(zen("avg([10, 20, 30])"), "20");
  EXPECT_EQ(zen("median([4, 2, 7, 5, 3])"), "4");
  EXPECT_EQ(zen("mode([1, 2, 2, 3, 3, 3, 4, 4, 4, 4])"), "4");
  EXPECT_EQ(zen("round(7.555, 2)"), "7.56");
  EXPECT_EQ(zen("round(-7.555, 2)"), "-7.56");
  EXPECT_EQ(zen("round(7.444, 1)"), "7.4");
  EXPECT_EQ(zen("round(7.444, 0)"), "7");
  EXPECT_EQ(zen("round(2.5, 0)"), "3");  // half away from zero, as ZEN
  EXPECT_EQ(zen("round(-0.05, 1)"), "-0.1");
  EXPECT_EQ(zen("trunc(-7.999, 2)"), "-7.99");
  EXPECT_EQ(zen("trunc(7.6)"), "7");
  EXPECT_EQ(zen("year('2023-09-18')"), "2023");
  EXPECT_EQ(zen("monthOfYear('2023-09-18')"), "9");
  EXPECT_EQ(zen("dayOfMonth('2023-09-18')"), "18");
  EXPECT_EQ(zen("dayOfWeek('2023-09-18')"), "1");
  EXPECT_EQ(zen("dayOfYear('2023-09-18')"), "261");
  EXPECT_EQ(zen("weekOfYear('2023-09-18')"), "38");
  EXPECT_EQ(zen("dayOfWeek(date('2023-10-15'))"), "7");
  EXPECT_EQ(zen("year('not a date')"), "null");
}

}  // namespace
}  // namespace aiguillage
