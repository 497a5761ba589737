#include "aiguillage/core/date.hpp"

#include <array>
#include <cstdio>

namespace aiguillage {
inline namespace v1 {

namespace {

// Counting years from 1 March puts the leap day at the end of the year, so month starts
// become a fixed table and every leap-year rule only touches the year length.
constexpr std::array<int, 12> kMonthStartFromMarch = {0,   31,  61,  92,  122, 153,
                                                      184, 214, 245, 275, 306, 337};
constexpr std::int64_t kDaysPer400Years = 146097;
constexpr std::int64_t kDaysPer100Years = 36524;  // the last century of a cycle has one more
constexpr std::int64_t kDaysPer4Years = 1461;     // the last block of a century may have one less

constexpr bool is_leap(std::int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr int days_in_month(std::int64_t year, int month) {
  constexpr std::array<int, 12> kLength = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kLength[static_cast<std::size_t>(month - 1)];
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Days since 0000-03-01 (proleptic Gregorian, astronomical year numbering).
constexpr std::int64_t days_from_march_epoch(std::int64_t year, int month, int day) {
  const std::int64_t march_year = month <= 2 ? year - 1 : year;
  const int month_from_march = month <= 2 ? month + 9 : month - 3;
  const std::int64_t era = floor_div(march_year, 400);
  const std::int64_t year_of_era = march_year - era * 400;
  const std::int64_t leap_days = year_of_era / 4 - year_of_era / 100;
  return era * kDaysPer400Years + year_of_era * 365 + leap_days +
         kMonthStartFromMarch[static_cast<std::size_t>(month_from_march)] + (day - 1);
}

constexpr std::int64_t kUnixEpoch = days_from_march_epoch(1970, 1, 1);
constexpr std::int64_t kMinDays = days_from_march_epoch(1, 1, 1) - kUnixEpoch;
constexpr std::int64_t kMaxDays = days_from_march_epoch(9999, 12, 31) - kUnixEpoch;

struct Civil {
  std::int64_t year;
  int month;
  int day;
};

// The search over month starts and the signed floor divisions are the slow part of a date
// function (an age is two of these per person); calendar dates count non-negative days from
// the March epoch, so the fast form uses unsigned divisions by constants (multiplications) and
// reads the month off the day of the March-based year: month starts there grow by 153 days
// every 5 months, so (5 * day + 2) / 153 is the month and (153 * month + 2) / 5 its first day.
constexpr Civil civil_from_days_general(std::int64_t days) {
  const std::int64_t z = days + kUnixEpoch;
  const std::int64_t era = floor_div(z, kDaysPer400Years);
  std::int64_t rest = z - era * kDaysPer400Years;

  std::int64_t centuries = rest / kDaysPer100Years;
  if (centuries > 3) centuries = 3;  // 29 Feb of the cycle's 400th year
  rest -= centuries * kDaysPer100Years;
  const std::int64_t blocks = rest / kDaysPer4Years;
  rest -= blocks * kDaysPer4Years;
  std::int64_t years = rest / 365;
  if (years > 3) years = 3;  // 29 Feb closing a 4-year block
  const auto day_of_year = static_cast<int>(rest - years * 365);

  int month_from_march = 11;
  while (kMonthStartFromMarch[static_cast<std::size_t>(month_from_march)] > day_of_year) {
    --month_from_march;
  }
  const int month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
  const int day =
      day_of_year - kMonthStartFromMarch[static_cast<std::size_t>(month_from_march)] + 1;
  std::int64_t year = era * 400 + centuries * 100 + blocks * 4 + years;
  if (month <= 2) ++year;
  return Civil{year, month, day};
}

constexpr Civil civil_from_days(std::int64_t days) {
  const std::int64_t z64 = days + kUnixEpoch;
  if (z64 < 0 || z64 > 0xFFFFFFFFll) return civil_from_days_general(days);
  const auto z = static_cast<std::uint32_t>(z64);
  const std::uint32_t era = z / 146097u;
  const std::uint32_t day_of_era = z - era * 146097u;
  // Years of the era: one leap day every 4 years, none every 100, one again at 400.
  const std::uint32_t year_of_era =
      (day_of_era - day_of_era / 1460u + day_of_era / 36524u - day_of_era / 146096u) / 365u;
  const std::uint32_t day_of_year =
      day_of_era - (365u * year_of_era + year_of_era / 4u - year_of_era / 100u);
  const std::uint32_t month_from_march = (5u * day_of_year + 2u) / 153u;
  const auto day = static_cast<int>(day_of_year - (153u * month_from_march + 2u) / 5u + 1u);
  const auto month =
      static_cast<int>(month_from_march < 10u ? month_from_march + 3u : month_from_march - 9u);
  const std::int64_t year =
      static_cast<std::int64_t>(era) * 400 + year_of_era + (month <= 2 ? 1 : 0);
  return Civil{year, month, day};
}

std::optional<Date> from_day_count(std::int64_t days) {
  if (days < kMinDays || days > kMaxDays) return std::nullopt;
  return Date{static_cast<std::int32_t>(days)};
}

// An earlier `to` counts the whole units from `to` up to `from`, negated, so that both
// directions share the anniversary rule of the forward count.
template <typename Count>
std::int64_t signed_count(Date from, Date to, Count count) {
  return to < from ? -count(to, from) : count(from, to);
}

std::int64_t whole_years(Date from, Date to) {
  const Civil a = civil_from_days(from.days);
  const Civil b = civil_from_days(to.days);
  std::int64_t years = b.year - a.year;
  // A 29 February anniversary falls on 1 March in common years.
  int month = a.month;
  int day = a.day;
  if (month == 2 && day == 29 && !is_leap(b.year)) {
    month = 3;
    day = 1;
  }
  if (b.month < month || (b.month == month && b.day < day)) --years;
  return years;
}

std::int64_t whole_months(Date from, Date to) {
  const Civil a = civil_from_days(from.days);
  const Civil b = civil_from_days(to.days);
  std::int64_t months = (b.year - a.year) * 12 + (b.month - a.month);
  const int length = days_in_month(b.year, b.month);
  const int target_day = a.day < length ? a.day : length;
  if (b.day < target_day) --months;
  return months;
}

}  // namespace

std::optional<Date> Date::parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](std::size_t begin, std::size_t length) -> int {
    int value = 0;
    for (std::size_t i = begin; i < begin + length; ++i) {
      const char c = text[i];
      if (c < '0' || c > '9') return -1;
      value = value * 10 + (c - '0');
    }
    return value;
  };
  const int year = number(0, 4);
  const int month = number(5, 2);
  const int day = number(8, 2);
  if (year < 0 || month < 0 || day < 0) return std::nullopt;
  return from_ymd(year, month, day);
}

std::optional<Date> Date::from_ymd(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12) return std::nullopt;
  if (day < 1 || day > days_in_month(year, month)) return std::nullopt;
  return Date{static_cast<std::int32_t>(days_from_march_epoch(year, month, day) - kUnixEpoch)};
}

void Date::to_ymd(int& year, int& month, int& day) const {
  const Civil civil = civil_from_days(days);
  year = static_cast<int>(civil.year);
  month = civil.month;
  day = civil.day;
}

std::string Date::to_string() const {
  int year = 0, month = 0, day = 0;
  to_ymd(year, month, day);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year, month, day);
  return buffer;
}

std::int64_t years_between(Date from, Date to) {
  return signed_count(from, to, whole_years);
}

std::int64_t months_between(Date from, Date to) {
  return signed_count(from, to, whole_months);
}

std::int64_t days_between(Date from, Date to) {
  return static_cast<std::int64_t>(to.days) - from.days;
}

std::optional<Date> add_days(Date date, std::int64_t days) {
  // Any larger step leaves the calendar; checking first keeps the sum from overflowing.
  if (days > kMaxDays - kMinDays || days < kMinDays - kMaxDays) return std::nullopt;
  return from_day_count(date.days + days);
}

std::optional<Date> add_months(Date date, std::int64_t months) {
  constexpr std::int64_t kMonthSpan = 12 * 10'000;
  if (months > kMonthSpan || months < -kMonthSpan) return std::nullopt;
  const Civil civil = civil_from_days(date.days);
  const std::int64_t index = civil.year * 12 + (civil.month - 1) + months;
  const std::int64_t year = floor_div(index, 12);
  const int month = static_cast<int>(index - year * 12) + 1;
  if (year < 1 || year > 9999) return std::nullopt;
  const int length = days_in_month(year, month);
  return Date::from_ymd(static_cast<int>(year), month, civil.day < length ? civil.day : length);
}

}  // namespace v1
}  // namespace aiguillage
