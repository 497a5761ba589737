// Calendar dates (proleptic Gregorian), stored as days since 1970-01-01. No clock is ever read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include "aiguillage/core/export.hpp"

namespace aiguillage {
inline namespace v1 {

struct AIG_API Date {
  std::int32_t days = 0;  // days since 1970-01-01

  // Parses exactly "YYYY-MM-DD" with a valid day for the month (leap years included),
  // years 0001..9999. nullopt otherwise.
  static std::optional<Date> parse(std::string_view text);
  // nullopt when the day does not exist or the year is outside 1..9999.
  static std::optional<Date> from_ymd(int year, int month, int day);

  void to_ymd(int& year, int& month, int& day) const;
  std::string to_string() const;  // "YYYY-MM-DD"

  friend constexpr bool operator==(Date a, Date b) { return a.days == b.days; }
  friend constexpr auto operator<=>(Date a, Date b) { return a.days <=> b.days; }
};

// Whole years from `from` to `to` (an age: birthday on `to` counts; 29 Feb birthdays are
// reached on 1 March in non-leap years). Negative when `to` is before `from`.
AIG_API std::int64_t years_between(Date from, Date to);
// Whole months from `from` to `to`, same convention (the day of month must be reached; a
// 31st is reached on the last day of a shorter month).
AIG_API std::int64_t months_between(Date from, Date to);
AIG_API std::int64_t days_between(Date from, Date to);  // to - from
// nullopt when the result leaves years 1..9999.
AIG_API std::optional<Date> add_days(Date date, std::int64_t days);
// Adds calendar months, clamping the day to the end of the target month (31 Jan + 1 = 28/29 Feb).
AIG_API std::optional<Date> add_months(Date date, std::int64_t months);

}  // namespace v1
}  // namespace aiguillage
