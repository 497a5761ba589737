#include "aiguillage/core/decimal.hpp"

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace aiguillage {
namespace {

constexpr std::int64_t kMaxUnits = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMinUnits = std::numeric_limits<std::int64_t>::min();

Decimal units(std::int64_t u) {
  return Decimal::from_units(u);
}

Decimal parsed(const char* text) {
  auto value = Decimal::parse(text);
  EXPECT_TRUE(value.has_value()) << text;
  return value.value_or(Decimal{});
}

TEST(DecimalTest, ParsesPlainNumbers) {
  EXPECT_EQ(parsed("0").units, 0);
  EXPECT_EQ(parsed("-0").units, 0);
  EXPECT_EQ(parsed("-12").units, -12'000'000);
  EXPECT_EQ(parsed("3.5").units, 3'500'000);
  EXPECT_EQ(parsed("-0.5").units, -500'000);
  EXPECT_EQ(parsed("0.000001").units, 1);
  EXPECT_EQ(parsed("123456.654321").units, 123'456'654'321);
}

TEST(DecimalTest, ParsesExponents) {
  EXPECT_EQ(parsed("1e3").units, 1'000'000'000);
  EXPECT_EQ(parsed("1E3").units, 1'000'000'000);
  EXPECT_EQ(parsed("1e+3").units, 1'000'000'000);
  EXPECT_EQ(parsed("2.5E-2").units, 25'000);
  EXPECT_EQ(parsed("100e-8").units, 1);
  EXPECT_EQ(parsed("1e-6").units, 1);
  EXPECT_EQ(parsed("-4.2e1").units, -42'000'000);
  EXPECT_EQ(parsed("1e0").units, 1'000'000);
  EXPECT_EQ(parsed("1e-0").units, 1'000'000);
}

TEST(DecimalTest, AcceptsRedundantZeros) {
  EXPECT_EQ(parsed("00.5").units, 500'000);
  EXPECT_EQ(parsed("007").units, 7'000'000);
  EXPECT_EQ(parsed("1.0000000").units, 1'000'000);
  EXPECT_EQ(parsed("0.0000010000").units, 1);
  EXPECT_EQ(parsed("0e-1000").units, 0);
  EXPECT_EQ(parsed("0e999999999999999999999").units, 0);
  EXPECT_EQ(parsed("0.00000000000000000000").units, 0);
  EXPECT_EQ(parsed("1e0000000000000000000000006").units, 1'000'000'000'000);
}

TEST(DecimalTest, RejectsMalformedText) {
  for (const char* text : {"",    "-",     "+1",   "1.",  ".5",   "-.5",   "1e",    "1e+",
                           "1e-", " 1",    "1 ",   "1,5", "0x10", "nan",   "inf",   "1.5.2",
                           "--1", "1e3.5", "1ee3", "e3",  "1e3e", "1_000", "\u00bd"}) {
    EXPECT_FALSE(Decimal::parse(text).has_value()) << '"' << text << '"';
  }
  EXPECT_FALSE(Decimal::parse(std::string_view("1\0", 2)).has_value());
}

TEST(DecimalTest, RejectsMoreThanSixPlaces) {
  EXPECT_FALSE(Decimal::parse("1e-7").has_value());
  EXPECT_FALSE(Decimal::parse("0.0000001").has_value());
  EXPECT_FALSE(Decimal::parse("0.1234567").has_value());
  EXPECT_FALSE(Decimal::parse("1.0000001").has_value());
  EXPECT_FALSE(Decimal::parse("15e-7").has_value());
  EXPECT_FALSE(Decimal::parse("1e-999999999999999999999").has_value());
}

TEST(DecimalTest, ParseBoundaries) {
  EXPECT_EQ(parsed("9223372036854.775807").units, kMaxUnits);
  EXPECT_EQ(parsed("-9223372036854.775808").units, kMinUnits);
  EXPECT_EQ(parsed("9223372036854775807e-6").units, kMaxUnits);
  EXPECT_EQ(parsed("9e12").units, 9'000'000'000'000'000'000);
  EXPECT_FALSE(Decimal::parse("9223372036854.775808").has_value());
  EXPECT_FALSE(Decimal::parse("-9223372036854.775809").has_value());
  EXPECT_FALSE(Decimal::parse("1e13").has_value());
  EXPECT_FALSE(Decimal::parse("99999999999999999999").has_value());
  EXPECT_FALSE(Decimal::parse("1e999999999999999999999").has_value());
  EXPECT_FALSE(Decimal::parse("-1e999999999999999999999").has_value());
}

TEST(DecimalTest, ToStringIsShortestExactText) {
  EXPECT_EQ(units(0).to_string(), "0");
  EXPECT_EQ(units(1'500'000).to_string(), "1.5");
  EXPECT_EQ(units(-2'000'000).to_string(), "-2");
  EXPECT_EQ(units(1).to_string(), "0.000001");
  EXPECT_EQ(units(-1).to_string(), "-0.000001");
  EXPECT_EQ(units(-500'000).to_string(), "-0.5");
  EXPECT_EQ(units(10).to_string(), "0.00001");
  EXPECT_EQ(units(1'000'000'000).to_string(), "1000");
  EXPECT_EQ(units(1'010'000).to_string(), "1.01");
  EXPECT_EQ(units(kMaxUnits).to_string(), "9223372036854.775807");
  EXPECT_EQ(units(kMinUnits).to_string(), "-9223372036854.775808");
}

TEST(DecimalTest, FromIntChecksOverflow) {
  EXPECT_EQ(Decimal::from_int(5)->units, 5'000'000);
  EXPECT_EQ(Decimal::from_int(-7)->units, -7'000'000);
  EXPECT_EQ(Decimal::from_int(9'223'372'036'854)->units, 9'223'372'036'854'000'000);
  EXPECT_EQ(Decimal::from_int(-9'223'372'036'854)->units, -9'223'372'036'854'000'000);
  EXPECT_FALSE(Decimal::from_int(9'223'372'036'855).has_value());
  EXPECT_FALSE(Decimal::from_int(-9'223'372'036'855).has_value());
  EXPECT_FALSE(Decimal::from_int(std::numeric_limits<std::int64_t>::max()).has_value());
  EXPECT_FALSE(Decimal::from_int(std::numeric_limits<std::int64_t>::min()).has_value());
}

TEST(DecimalTest, IntegralAndDouble) {
  EXPECT_TRUE(parsed("-3").is_integral());
  EXPECT_TRUE(parsed("0").is_integral());
  EXPECT_FALSE(parsed("-3.000001").is_integral());
  EXPECT_DOUBLE_EQ(parsed("-2.25").to_double(), -2.25);
}

TEST(DecimalTest, AddAndSubtractAreExact) {
  EXPECT_EQ(add(parsed("0.1"), parsed("0.2")), parsed("0.3"));
  EXPECT_EQ(subtract(parsed("0.3"), parsed("0.1")), parsed("0.2"));
  EXPECT_EQ(add(units(kMaxUnits), units(-1)), units(kMaxUnits - 1));
  EXPECT_FALSE(add(units(kMaxUnits), units(1)).has_value());
  EXPECT_FALSE(add(units(kMinUnits), units(-1)).has_value());
  EXPECT_FALSE(subtract(units(kMinUnits), units(1)).has_value());
  EXPECT_FALSE(subtract(units(0), units(kMinUnits)).has_value());
  EXPECT_EQ(subtract(units(-1), units(kMaxUnits)), units(kMinUnits));
}

TEST(DecimalTest, MultiplyExact) {
  EXPECT_EQ(multiply(parsed("1.5"), parsed("-2")), parsed("-3"));
  EXPECT_EQ(multiply(parsed("0.001"), parsed("0.001")), parsed("0.000001"));
  EXPECT_EQ(multiply(parsed("-0.5"), parsed("-0.5")), parsed("0.25"));
  EXPECT_EQ(multiply(units(kMaxUnits), parsed("1")), units(kMaxUnits));
  EXPECT_EQ(multiply(units(kMinUnits), parsed("1")), units(kMinUnits));
  EXPECT_EQ(multiply(units(kMaxUnits), parsed("0")), units(0));
}

TEST(DecimalTest, MultiplyRoundsHalfToEven) {
  const Decimal half = parsed("0.5");
  EXPECT_EQ(multiply(units(1), half), units(0));  // 0.5 units -> 0
  EXPECT_EQ(multiply(units(3), half), units(2));  // 1.5 -> 2
  EXPECT_EQ(multiply(units(5), half), units(2));  // 2.5 -> 2
  EXPECT_EQ(multiply(units(7), half), units(4));  // 3.5 -> 4
  EXPECT_EQ(multiply(units(-1), half), units(0));
  EXPECT_EQ(multiply(units(-3), half), units(-2));
  EXPECT_EQ(multiply(units(-5), half), units(-2));
  EXPECT_EQ(multiply(units(3), parsed("-0.5")), units(-2));
  // Off the tie, the nearest wins whatever the parity.
  EXPECT_EQ(multiply(units(1), parsed("0.6")), units(1));
  EXPECT_EQ(multiply(units(1), parsed("0.4")), units(0));
  EXPECT_EQ(multiply(units(2), parsed("0.75")), units(2));  // 1.5 -> 2
  EXPECT_EQ(multiply(units(-1), parsed("0.500001")), units(-1));
  EXPECT_EQ(multiply(parsed("0.333333"), parsed("0.333333")), parsed("0.111111"));
}

TEST(DecimalTest, MultiplyOverflow) {
  EXPECT_FALSE(multiply(parsed("1e7"), parsed("1e7")).has_value());
  EXPECT_FALSE(multiply(units(kMinUnits), parsed("-1")).has_value());
  EXPECT_FALSE(multiply(units(kMaxUnits), units(kMaxUnits)).has_value());
  EXPECT_FALSE(multiply(units(kMinUnits), units(kMinUnits)).has_value());
  EXPECT_EQ(multiply(units(kMaxUnits), parsed("-1")), units(-kMaxUnits));
}

TEST(DecimalTest, DivideRoundsHalfToEven) {
  EXPECT_EQ(divide(parsed("1"), parsed("3")), parsed("0.333333"));
  EXPECT_EQ(divide(parsed("2"), parsed("3")), parsed("0.666667"));
  EXPECT_EQ(divide(parsed("-2"), parsed("3")), parsed("-0.666667"));
  EXPECT_EQ(divide(parsed("2"), parsed("-3")), parsed("-0.666667"));
  EXPECT_EQ(divide(parsed("-2"), parsed("-3")), parsed("0.666667"));
  EXPECT_EQ(divide(parsed("1"), parsed("8")), parsed("0.125"));
  EXPECT_EQ(divide(units(1), parsed("2")), units(0));
  EXPECT_EQ(divide(units(3), parsed("2")), units(2));
  EXPECT_EQ(divide(units(5), parsed("2")), units(2));
  EXPECT_EQ(divide(units(-3), parsed("2")), units(-2));
  EXPECT_EQ(divide(units(3), parsed("-2")), units(-2));
  EXPECT_EQ(divide(units(-5), parsed("-2")), units(2));
  EXPECT_EQ(divide(parsed("1"), parsed("0.000001")), parsed("1000000"));
  EXPECT_EQ(divide(units(kMinUnits), parsed("1")), units(kMinUnits));
}

TEST(DecimalTest, DivideByZeroAndOverflow) {
  EXPECT_FALSE(divide(parsed("1"), parsed("0")).has_value());
  EXPECT_FALSE(divide(parsed("0"), parsed("0")).has_value());
  EXPECT_FALSE(divide(units(kMinUnits), parsed("-1")).has_value());
  EXPECT_FALSE(divide(units(kMaxUnits), units(1)).has_value());
  EXPECT_FALSE(divide(parsed("1e7"), parsed("0.000001")).has_value());
  EXPECT_EQ(divide(units(kMaxUnits), units(kMaxUnits)), parsed("1"));
}

TEST(DecimalTest, PropertyTextRoundTrip) {
  std::mt19937_64 random(20250101);
  for (int i = 0; i < 100'000; ++i) {
    // Mix the full range with small magnitudes, where most real values live.
    std::int64_t u = static_cast<std::int64_t>(random());
    if (i % 2 == 0) u %= 1'000'000'000;
    const Decimal x = units(u);
    const std::string text = x.to_string();
    ASSERT_EQ(Decimal::parse(text), x) << text;
    // The same value in exponent form.
    ASSERT_EQ(Decimal::parse(std::to_string(u) + "e-6"), x) << u;
  }
}

TEST(DecimalTest, PropertyIntegerFactorsAreExact) {
  std::mt19937_64 random(7);
  std::uniform_int_distribution<std::int64_t> values(-1'000'000'000'000, 1'000'000'000'000);
  std::uniform_int_distribution<std::int64_t> factors(-1000, 1000);
  for (int i = 0; i < 100'000; ++i) {
    const Decimal a = units(values(random));
    std::int64_t k = factors(random);
    if (k == 0) k = 1;
    const Decimal factor = *Decimal::from_int(k);
    const auto product = multiply(a, factor);
    ASSERT_TRUE(product.has_value());
    ASSERT_EQ(product->units, a.units * k);
    ASSERT_EQ(divide(*product, factor), a);
  }
}

}  // namespace
}  // namespace aiguillage
