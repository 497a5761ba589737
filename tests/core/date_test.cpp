#include "aiguillage/core/date.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace aiguillage {
namespace {

constexpr std::int32_t kFirstDay = -719'162;  // 0001-01-01
constexpr std::int32_t kLastDay = 2'932'896;  // 9999-12-31

Date ymd(int year, int month, int day) {
  auto date = Date::from_ymd(year, month, day);
  EXPECT_TRUE(date.has_value()) << year << '-' << month << '-' << day;
  return date.value_or(Date{});
}

Date parsed(const char* text) {
  auto date = Date::parse(text);
  EXPECT_TRUE(date.has_value()) << text;
  return date.value_or(Date{});
}

// An independent calendar to compare against.
std::int64_t chrono_days(int year, int month, int day) {
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{year},
                            std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  return sys_days{date}.time_since_epoch().count();
}

TEST(DateTest, KnownDayCounts) {
  EXPECT_EQ(ymd(1970, 1, 1).days, 0);
  EXPECT_EQ(ymd(1969, 12, 31).days, -1);
  EXPECT_EQ(ymd(2000, 1, 1).days, 10'957);
  EXPECT_EQ(ymd(2000, 3, 1).days, 11'017);
  EXPECT_EQ(ymd(1, 1, 1).days, kFirstDay);
  EXPECT_EQ(ymd(9999, 12, 31).days, kLastDay);
  EXPECT_EQ(ymd(1600, 2, 29).days, chrono_days(1600, 2, 29));
}

TEST(DateTest, ParseAndPrint) {
  EXPECT_EQ(parsed("1970-01-01").days, 0);
  EXPECT_EQ(parsed("2024-02-29"), ymd(2024, 2, 29));
  EXPECT_EQ(parsed("0001-01-01").days, kFirstDay);
  EXPECT_EQ(parsed("9999-12-31").days, kLastDay);
  EXPECT_EQ(Date{kFirstDay}.to_string(), "0001-01-01");
  EXPECT_EQ(Date{kLastDay}.to_string(), "9999-12-31");
  EXPECT_EQ(ymd(812, 7, 4).to_string(), "0812-07-04");
  int year = 0, month = 0, day = 0;
  Date{kLastDay}.to_ymd(year, month, day);
  EXPECT_EQ(year, 9999);
  EXPECT_EQ(month, 12);
  EXPECT_EQ(day, 31);
}

TEST(DateTest, RejectsInvalidText) {
  for (const char* text :
       {"2025-02-29",  "2025-13-01",    "2025-1-01",   "2025-01-1",     "2025-00-10",
        "2025-01-00",  "2025-04-31",    "2025-01-32",  "0000-01-01",    "1900-02-29",
        "2100-02-29",  "2025/01/01",    "2025-01-01 ", " 2025-01-01",   "",
        "20250101",    "+025-01-01",    "-001-01-01",  "2025-01-1a",    "2025-0a-01",
        "10000-01-01", "2025-01-01T00", "2025_01_01",  "２０２５-01-01"}) {
    EXPECT_FALSE(Date::parse(text).has_value()) << '"' << text << '"';
  }
}

TEST(DateTest, FromYmdChecksRanges) {
  EXPECT_FALSE(Date::from_ymd(0, 1, 1).has_value());
  EXPECT_FALSE(Date::from_ymd(10000, 1, 1).has_value());
  EXPECT_FALSE(Date::from_ymd(-1, 1, 1).has_value());
  EXPECT_FALSE(Date::from_ymd(2025, 0, 1).has_value());
  EXPECT_FALSE(Date::from_ymd(2025, 13, 1).has_value());
  EXPECT_FALSE(Date::from_ymd(2025, 1, 0).has_value());
  EXPECT_FALSE(Date::from_ymd(2025, 1, 32).has_value());
  EXPECT_FALSE(Date::from_ymd(2025, 6, 31).has_value());
  EXPECT_FALSE(Date::from_ymd(std::numeric_limits<int>::min(), 1, 1).has_value());
  EXPECT_FALSE(Date::from_ymd(2025, std::numeric_limits<int>::max(), 1).has_value());
}

TEST(DateTest, LeapYears) {
  for (int year : {4, 400, 1600, 1996, 2000, 2024, 2400, 9996}) {
    EXPECT_TRUE(Date::from_ymd(year, 2, 29).has_value()) << year;
  }
  for (int year : {1, 100, 1700, 1800, 1900, 2023, 2025, 2100, 9999}) {
    EXPECT_FALSE(Date::from_ymd(year, 2, 29).has_value()) << year;
  }
  EXPECT_EQ(days_between(ymd(2000, 1, 1), ymd(2001, 1, 1)), 366);
  EXPECT_EQ(days_between(ymd(1900, 1, 1), ymd(1901, 1, 1)), 365);
  EXPECT_EQ(days_between(ymd(2000, 1, 1), ymd(2400, 1, 1)), 146'097);
}

TEST(DateTest, AddDays) {
  EXPECT_EQ(add_days(ymd(2024, 2, 28), 1), ymd(2024, 2, 29));
  EXPECT_EQ(add_days(ymd(2024, 2, 28), 2), ymd(2024, 3, 1));
  EXPECT_EQ(add_days(ymd(2025, 2, 28), 1), ymd(2025, 3, 1));
  EXPECT_EQ(add_days(ymd(2025, 1, 1), -1), ymd(2024, 12, 31));
  EXPECT_EQ(add_days(Date{kFirstDay}, kLastDay - kFirstDay), Date{kLastDay});
  EXPECT_EQ(add_days(Date{kLastDay}, kFirstDay - kLastDay), Date{kFirstDay});
  EXPECT_FALSE(add_days(Date{kLastDay}, 1).has_value());
  EXPECT_FALSE(add_days(Date{kFirstDay}, -1).has_value());
  EXPECT_FALSE(add_days(ymd(2025, 1, 1), std::numeric_limits<std::int64_t>::max()).has_value());
  EXPECT_FALSE(add_days(ymd(2025, 1, 1), std::numeric_limits<std::int64_t>::min()).has_value());
}

TEST(DateTest, DaysBetween) {
  EXPECT_EQ(days_between(ymd(2025, 1, 1), ymd(2025, 12, 31)), 364);
  EXPECT_EQ(days_between(ymd(2025, 12, 31), ymd(2025, 1, 1)), -364);
  EXPECT_EQ(days_between(Date{kFirstDay}, Date{kLastDay}), 3'652'058);
}

TEST(DateTest, AddMonthsClampsEveryMonthEnd) {
  auto length = [](int year, int month) {
    constexpr int kCommon[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kCommon[month - 1];
  };
  for (int year : {2024, 2025}) {
    for (int k = 0; k < 12; ++k) {
      EXPECT_EQ(add_months(ymd(year, 1, 31), k), ymd(year, k + 1, length(year, k + 1)))
          << year << '+' << k;
    }
    // From every month's last day to the next month: the day is kept or clamped.
    for (int month = 1; month <= 12; ++month) {
      const Date end = ymd(year, month, length(year, month));
      const int next_month = month % 12 + 1;
      const int next_year = month == 12 ? year + 1 : year;
      const int expected_day = std::min(length(year, month), length(next_year, next_month));
      EXPECT_EQ(add_months(end, 1), ymd(next_year, next_month, expected_day)) << end.to_string();
    }
  }
  EXPECT_EQ(add_months(ymd(2024, 1, 31), 1), ymd(2024, 2, 29));
  EXPECT_EQ(add_months(ymd(2024, 3, 31), -1), ymd(2024, 2, 29));
  EXPECT_EQ(add_months(ymd(2023, 3, 31), -1), ymd(2023, 2, 28));
  EXPECT_EQ(add_months(ymd(2024, 2, 29), 12), ymd(2025, 2, 28));
  EXPECT_EQ(add_months(ymd(2024, 2, 29), 48), ymd(2028, 2, 29));
  EXPECT_EQ(add_months(ymd(2024, 11, 30), 3), ymd(2025, 2, 28));
  EXPECT_EQ(add_months(ymd(2025, 1, 15), -13), ymd(2023, 12, 15));
  EXPECT_EQ(add_months(ymd(2025, 5, 10), 0), ymd(2025, 5, 10));
}

TEST(DateTest, AddMonthsRange) {
  EXPECT_EQ(add_months(Date{kFirstDay}, 9998 * 12 + 11), ymd(9999, 12, 1));
  EXPECT_EQ(add_months(Date{kLastDay}, -(9998 * 12 + 11)), ymd(1, 1, 31));
  EXPECT_FALSE(add_months(Date{kLastDay}, 1).has_value());
  EXPECT_FALSE(add_months(Date{kFirstDay}, -1).has_value());
  EXPECT_FALSE(add_months(ymd(2025, 1, 1), std::numeric_limits<std::int64_t>::max()).has_value());
  EXPECT_FALSE(add_months(ymd(2025, 1, 1), std::numeric_limits<std::int64_t>::min()).has_value());
}

TEST(DateTest, YearsBetweenIsAnAge) {
  EXPECT_EQ(years_between(ymd(2000, 5, 10), ymd(2026, 5, 10)), 26);
  EXPECT_EQ(years_between(ymd(2000, 5, 10), ymd(2026, 5, 9)), 25);
  EXPECT_EQ(years_between(ymd(2000, 5, 10), ymd(2000, 5, 10)), 0);
  EXPECT_EQ(years_between(ymd(2000, 5, 10), ymd(2001, 5, 9)), 0);
  EXPECT_EQ(years_between(ymd(2000, 12, 31), ymd(2001, 1, 1)), 0);
  EXPECT_EQ(years_between(Date{kFirstDay}, Date{kLastDay}), 9998);
  // 29 February birthdays are reached on 1 March in common years, on the day in leap years.
  EXPECT_EQ(years_between(ymd(2000, 2, 29), ymd(2025, 2, 28)), 24);
  EXPECT_EQ(years_between(ymd(2000, 2, 29), ymd(2025, 3, 1)), 25);
  EXPECT_EQ(years_between(ymd(2000, 2, 29), ymd(2004, 2, 28)), 3);
  EXPECT_EQ(years_between(ymd(2000, 2, 29), ymd(2004, 2, 29)), 4);
  // A 28 February birthday is not delayed by a leap year.
  EXPECT_EQ(years_between(ymd(2001, 2, 28), ymd(2004, 2, 28)), 3);
}

TEST(DateTest, YearsBetweenNegative) {
  EXPECT_EQ(years_between(ymd(2026, 5, 10), ymd(2000, 5, 10)), -26);
  // Counted forward from the earlier date, then negated.
  EXPECT_EQ(years_between(ymd(2026, 5, 9), ymd(2000, 5, 10)), -25);
  EXPECT_EQ(years_between(ymd(2025, 2, 28), ymd(2000, 2, 29)), -24);
  EXPECT_EQ(years_between(ymd(2001, 5, 9), ymd(2000, 5, 10)), 0);
}

TEST(DateTest, MonthsBetween) {
  EXPECT_EQ(months_between(ymd(2025, 1, 31), ymd(2025, 2, 28)), 1);
  EXPECT_EQ(months_between(ymd(2025, 1, 31), ymd(2025, 2, 27)), 0);
  EXPECT_EQ(months_between(ymd(2025, 1, 15), ymd(2025, 2, 14)), 0);
  EXPECT_EQ(months_between(ymd(2025, 1, 15), ymd(2025, 2, 15)), 1);
  EXPECT_EQ(months_between(ymd(2025, 1, 31), ymd(2025, 3, 30)), 1);
  EXPECT_EQ(months_between(ymd(2025, 1, 31), ymd(2025, 3, 31)), 2);
  EXPECT_EQ(months_between(ymd(2025, 1, 30), ymd(2025, 2, 28)), 1);
  EXPECT_EQ(months_between(ymd(2024, 1, 31), ymd(2024, 2, 28)), 0);
  EXPECT_EQ(months_between(ymd(2024, 1, 31), ymd(2024, 2, 29)), 1);
  EXPECT_EQ(months_between(ymd(2025, 12, 15), ymd(2026, 1, 15)), 1);
  EXPECT_EQ(months_between(ymd(2025, 5, 10), ymd(2025, 5, 10)), 0);
  EXPECT_EQ(months_between(Date{kFirstDay}, Date{kLastDay}), 9998 * 12 + 11);
  // Months follow the month-end rule, years the 1 March rule, so they disagree on 29 Feb.
  EXPECT_EQ(months_between(ymd(2000, 2, 29), ymd(2025, 2, 28)), 300);
}

TEST(DateTest, MonthsBetweenNegative) {
  EXPECT_EQ(months_between(ymd(2025, 2, 28), ymd(2025, 1, 31)), -1);
  EXPECT_EQ(months_between(ymd(2025, 2, 14), ymd(2025, 1, 15)), 0);
  EXPECT_EQ(months_between(ymd(2025, 2, 15), ymd(2025, 1, 15)), -1);
  EXPECT_EQ(months_between(ymd(2026, 1, 14), ymd(2025, 1, 15)), -11);
}

TEST(DateTest, EveryDayFollowsTheLast) {
  int year = 1, month = 1, day = 1;
  for (std::int32_t d = kFirstDay; d <= kLastDay; ++d) {
    int y = 0, m = 0, dd = 0;
    Date{d}.to_ymd(y, m, dd);
    ASSERT_TRUE(y == year && m == month && dd == day)
        << d << ": " << y << '-' << m << '-' << dd << " expected " << year << '-' << month << '-'
        << day;
    if (Date::from_ymd(year, month, day + 1)) {
      ++day;
    } else if (month < 12) {
      ++month;
      day = 1;
    } else {
      ++year;
      month = 1;
      day = 1;
    }
  }
  EXPECT_EQ(year, 10000);
}

TEST(DateTest, PropertyRoundTrips) {
  std::mt19937_64 random(19700101);
  std::uniform_int_distribution<std::int32_t> days(kFirstDay, kLastDay);
  for (int i = 0; i < 100'000; ++i) {
    const Date date{days(random)};
    const std::string text = date.to_string();
    ASSERT_EQ(Date::parse(text), date) << text;
    int year = 0, month = 0, day = 0;
    date.to_ymd(year, month, day);
    ASSERT_EQ(Date::from_ymd(year, month, day), date) << text;
    ASSERT_EQ(chrono_days(year, month, day), date.days) << text;
  }
}

TEST(DateTest, PropertyMonthsUndoAddMonths) {
  std::mt19937_64 random(42);
  std::uniform_int_distribution<std::int32_t> days(kFirstDay, kLastDay);
  std::uniform_int_distribution<std::int64_t> steps(-1200, 1200);
  for (int i = 0; i < 100'000; ++i) {
    const Date date{days(random)};
    const std::int64_t months = steps(random);
    const auto moved = add_months(date, months);
    if (!moved) continue;
    ASSERT_EQ(months_between(date, *moved), months) << date.to_string() << ' ' << months;
    int year = 0, month = 0, day = 0;
    date.to_ymd(year, month, day);
    if (months % 12 == 0 && !(month == 2 && day == 29)) {
      ASSERT_EQ(years_between(date, *moved), months / 12) << date.to_string() << ' ' << months;
    }
  }
}

}  // namespace
}  // namespace aiguillage
