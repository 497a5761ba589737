#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>

#include "rules/expression_impl.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

const std::vector<FunctionSpec>& function_specs() {
  // The camelCase spellings are those of GoRules ZEN, so cells written there load unchanged.
  static const std::vector<FunctionSpec> specs = {
      {"contains", Fn::contains, 2, 2, false, "contains(text, part) | contains(list, item)",
       "true when the text contains the part, or the list contains the item"},
      {"starts_with", Fn::starts_with, 2, 2, false, "starts_with(text, prefix)",
       "true when the text starts with the prefix"},
      {"startsWith", Fn::starts_with, 2, 2, false, "startsWith(text, prefix)",
       "same as starts_with"},
      {"ends_with", Fn::ends_with, 2, 2, false, "ends_with(text, suffix)",
       "true when the text ends with the suffix"},
      {"endsWith", Fn::ends_with, 2, 2, false, "endsWith(text, suffix)", "same as ends_with"},
      {"lower", Fn::lower, 1, 1, false, "lower(text)",
       "the text in lower case (ASCII and Latin-1 letters)"},
      {"upper", Fn::upper, 1, 1, false, "upper(text)",
       "the text in upper case (ASCII and Latin-1 letters)"},
      {"len", Fn::len, 1, 1, false, "len(text) | len(list)",
       "number of characters of a text, or of items of a list"},
      {"count", Fn::count, 1, 2, true, "count(list) | count(list, predicate)",
       "number of items, or of items for which the predicate on # is true"},
      {"any", Fn::any, 2, 2, true, "any(list, predicate)",
       "true when the predicate on # is true for some item, false when false for all"},
      {"some", Fn::any, 2, 2, true, "some(list, predicate)", "same as any"},
      {"all", Fn::all, 2, 2, true, "all(list, predicate)",
       "true when the predicate on # is true for every item, false when false for one"},
      {"none", Fn::none, 2, 2, true, "none(list, predicate)",
       "true when the predicate on # is false for every item, false when true for one"},
      {"one", Fn::one, 2, 2, true, "one(list, predicate)",
       "true when the predicate on # is true for exactly one item, false when for none or two"},
      {"map", Fn::map, 2, 2, true, "map(list, expression)",
       "the list of the expression's values on each item #, in order"},
      {"filter", Fn::filter, 2, 2, true, "filter(list, predicate)",
       "the items for which the predicate on # is true, in order (false or unknown: left out)"},
      {"min", Fn::min, 1, kUnbounded, false, "min(list) | min(a, b, ...)",
       "smallest number or date; null for an empty list"},
      {"max", Fn::max, 1, kUnbounded, false, "max(list) | max(a, b, ...)",
       "largest number or date; null for an empty list"},
      {"sum", Fn::sum, 1, 1, false, "sum(list)", "sum of a list of numbers; 0 when empty"},
      {"abs", Fn::abs, 1, 1, false, "abs(number)", "absolute value"},
      {"floor", Fn::floor, 1, 1, false, "floor(number)", "largest integer not above"},
      {"ceil", Fn::ceil, 1, 1, false, "ceil(number)", "smallest integer not below"},
      {"round", Fn::round, 1, 1, false, "round(number)",
       "nearest integer, halves to the even neighbour"},
      {"date", Fn::date, 1, 1, false, "date(text)",
       "the date written YYYY-MM-DD; null when invalid"},
      {"d", Fn::date, 1, 1, false, "d(text)", "same as date"},
      {"years_between", Fn::years_between, 2, 2, false, "years_between(from, to)",
       "whole years from one date to another (an age: the birthday counts)"},
      {"months_between", Fn::months_between, 2, 2, false, "months_between(from, to)",
       "whole months from one date to another"},
      {"days_between", Fn::days_between, 2, 2, false, "days_between(from, to)",
       "days from one date to another"},
      {"add_days", Fn::add_days, 2, 2, false, "add_days(date, days)",
       "the date moved by a number of days"},
      {"add_months", Fn::add_months, 2, 2, false, "add_months(date, months)",
       "the date moved by calendar months, clamped to the end of the month"},
      {"is_missing", Fn::is_missing, 1, 1, false, "is_missing(value)",
       "true when the value is null, false otherwise (never unknown)"},
      {"coalesce", Fn::coalesce, 1, kUnbounded, false, "coalesce(a, b, ...)",
       "the first argument that is not null"},
      {"power", Fn::power, 2, 2, false, "power(base, exponent)",
       "the base raised to a whole exponent (at most 1000 in size); null otherwise or on "
       "overflow"},
      {"concat", Fn::concat, 1, kUnbounded, false, "concat(a, b, ...) | a + b",
       "the texts joined; null when one is null"},
      {"string", Fn::to_text, 1, 1, false, "string(value)",
       "the value as a text (a number as JSON writes it); null stays null"},
      {"timestamp", Fn::timestamp, 1, 1, false, "timestamp(value)",
       "seconds since 1970-01-01T00:00:00Z of a date, or of a text YYYY-MM-DD, "
       "YYYY-MM-DD HH:MM:SS or RFC 3339 (offsets applied, fractions of a second dropped); a "
       "number truncated to an integer; null when invalid"},
      {"trim", Fn::trim, 1, 1, false, "trim(text)",
       "the text without the white space (Unicode White_Space) at its start and end"},
      {"trunc", Fn::trunc, 1, 2, false, "trunc(number) | trunc(number, places)",
       "the number cut toward zero: to an integer, or to 0 to 6 decimal places (a decimal)"},
      {"rem", Fn::rem, 2, 2, false, "rem(dividend, divisor)",
       "the remainder of the division cut toward zero (the dividend's sign); null for a divisor "
       "of 0"},
      {"avg", Fn::avg, 1, 1, false, "avg(list)",
       "the mean of a list of numbers (a decimal, rounded half to even at 6 places); null when "
       "empty"},
      {"median", Fn::median, 1, 1, false, "median(list)",
       "the middle of a list of numbers once sorted, or the mean of the two middle ones (a "
       "decimal); null when empty"},
      {"mode", Fn::mode, 1, 1, false, "mode(list)",
       "the most frequent number of a list (the largest of those equally frequent); null when "
       "empty"},
      {"utc_date", Fn::utc_date, 1, 1, false, "utc_date(seconds)",
       "the day (UTC) of a number of seconds since 1970-01-01T00:00:00Z, as timestamp() gives"},
      {"year", Fn::year, 1, 1, false, "year(date)", "the year of a date"},
      {"month", Fn::month, 1, 1, false, "month(date)", "the month of a date, 1 to 12"},
      {"day", Fn::day, 1, 1, false, "day(date)", "the day of the month of a date, 1 to 31"},
      {"weekday", Fn::weekday, 1, 1, false, "weekday(date)",
       "the day of the week of a date, 1 (Monday) to 7 (Sunday)"},
      {"day_of_year", Fn::day_of_year, 1, 1, false, "day_of_year(date)",
       "the day of the year of a date, 1 to 366"},
      {"iso_week", Fn::iso_week, 1, 1, false, "iso_week(date)",
       "the ISO 8601 week number of a date, 1 to 53 (weeks start on Monday; week 1 holds the "
       "year's first Thursday)"},
  };
  return specs;
}

const FunctionSpec* find_function(std::string_view name) {
  for (const FunctionSpec& s : function_specs())
    if (name == s.name) return &s;
  return nullptr;
}

namespace {

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// Case mapping of ASCII and of the Latin-1 letters U+00C0..U+00DE <-> U+00E0..U+00FE (two
// bytes, lead 0xC3, so the length never changes); the multiplication and division signs at
// U+00D7 / U+00F7 are not letters.
bool maps_case(std::string_view s, std::size_t k, bool to_upper) {
  unsigned char c = static_cast<unsigned char>(s[k]);
  if (to_upper) {
    if (c >= 'a' && c <= 'z') return true;
    if (c == 0xC3 && k + 1 < s.size()) {
      unsigned char d = static_cast<unsigned char>(s[k + 1]);
      return d >= 0xA0 && d <= 0xBE && d != 0xB7;
    }
    return false;
  }
  if (c >= 'A' && c <= 'Z') return true;
  if (c == 0xC3 && k + 1 < s.size()) {
    unsigned char d = static_cast<unsigned char>(s[k + 1]);
    return d >= 0x80 && d <= 0x9E && d != 0x97;
  }
  return false;
}

Value change_case(const Value& v, bool to_upper, Arena* arena) {
  if (v.type() != Type::string) return Value::null();
  std::string_view s = v.as_string();
  std::size_t first = 0;
  while (first < s.size() && !maps_case(s, first, to_upper)) ++first;
  if (first == s.size()) return v;  // unchanged text needs no copy
  if (!arena) return Value::null();
  char* out = static_cast<char*>(arena->allocate(s.size(), 1));
  std::memcpy(out, s.data(), s.size());
  for (std::size_t k = first; k < s.size(); ++k) {
    if (!maps_case(s, k, to_upper)) continue;
    unsigned char c = static_cast<unsigned char>(s[k]);
    if (c == 0xC3) {
      ++k;
      out[k] = static_cast<char>(static_cast<unsigned char>(s[k]) + (to_upper ? -0x20 : 0x20));
    } else {
      out[k] = static_cast<char>(c + (to_upper ? -0x20 : 0x20));
    }
  }
  return Value::string({out, s.size()});
}

// base ** exponent by squaring, each product rounded to 6 places as `*` does; a negative
// exponent divides 1 by the power. Only whole exponents: FEEL's fractional powers would need
// binary floating point.
Value power(const Value& base, const Value& exponent) {
  if (!base.is_number() || !exponent.is_number()) return Value::null();
  std::int64_t e = 0;
  if (exponent.type() == Type::integer) {
    e = exponent.as_int();
  } else {
    Decimal d = exponent.as_decimal();
    if (!d.is_integral()) return Value::null();
    e = d.units / Decimal::kOne;
  }
  constexpr std::int64_t kMaxExponent = 1000;
  if (e > kMaxExponent || e < -kMaxExponent) return Value::null();
  std::optional<Decimal> b = base.type() == Type::integer ? Decimal::from_int(base.as_int())
                                                          : std::optional(base.as_decimal());
  if (!b) return Value::null();
  std::optional<Decimal> result = Decimal::from_int(1);
  std::optional<Decimal> square = b;
  for (std::int64_t k = e < 0 ? -e : e; k > 0; k >>= 1) {
    if (k & 1) result = multiply(*result, *square);
    if (!result) return Value::null();
    if (k > 1) square = multiply(*square, *square);
    if (!square) return Value::null();
  }
  if (e < 0) result = divide(*Decimal::from_int(1), *result);
  return result ? Value::decimal(*result) : Value::null();
}

// Integer part of a decimal, rounded as asked.
enum class Rounding { floor, ceil, half_even };

Value to_integer(const Value& v, Rounding mode) {
  if (v.type() == Type::integer) return v;
  if (v.type() != Type::decimal) return Value::null();
  std::int64_t q = v.as_int() / Decimal::kOne;
  std::int64_t r = v.as_int() % Decimal::kOne;
  switch (mode) {
    case Rounding::floor:
      if (r < 0) --q;
      break;
    case Rounding::ceil:
      if (r > 0) ++q;
      break;
    case Rounding::half_even: {
      std::int64_t twice = r < 0 ? -2 * r : 2 * r;
      if (twice > Decimal::kOne || (twice == Decimal::kOne && q % 2 != 0)) q += r < 0 ? -1 : 1;
      break;
    }
  }
  return Value::integer(q);
}

// Folds min or max over values; any null or unordered value makes the result null.
class Extreme {
 public:
  explicit Extreme(bool want_max) : want_max_(want_max) {}
  bool take(const Value& v) {
    if (!v.is_number() && v.type() != Type::date) return false;
    if (v.type() == Type::decimal) any_decimal_ = true;
    if (best_.is_null()) {
      best_ = v;
      return true;
    }
    int order = 0;
    if (!compare_values(v, best_, order)) return false;
    if (want_max_ ? order > 0 : order < 0) best_ = v;
    return true;
  }
  Value result() const {
    // Mixed numbers give a decimal, as arithmetic does.
    if (any_decimal_ && best_.type() == Type::integer) {
      std::optional<Decimal> d = to_decimal(best_);
      return d ? Value::decimal(*d) : Value::null();
    }
    return best_;
  }

 private:
  bool want_max_;
  bool any_decimal_ = false;
  Value best_;
};

Value sum_of(const Value& list) {
  if (list.type() != Type::list) return Value::null();
  bool as_decimal = false;
  std::int64_t whole = 0;
  Decimal total{0};
  for (std::size_t k = 0; k < list.list_size(); ++k) {
    const Value& v = list[k];
    if (!v.is_number()) return Value::null();
    if (!as_decimal && v.type() == Type::integer) {
      if (__builtin_add_overflow(whole, v.as_int(), &whole)) return Value::null();
      continue;
    }
    if (!as_decimal) {
      std::optional<Decimal> d = Decimal::from_int(whole);
      if (!d) return Value::null();
      total = *d;
      as_decimal = true;
    }
    std::optional<Decimal> d = to_decimal(v);
    if (!d) return Value::null();
    std::optional<Decimal> s = add(total, *d);
    if (!s) return Value::null();
    total = *s;
  }
  return as_decimal ? Value::decimal(total) : Value::integer(whole);
}

// Membership with three-valued equality: an unknown item makes a miss unknown.
Value list_contains(const Value& list, const Value& x) {
  bool unknown = false;
  for (std::size_t k = 0; k < list.list_size(); ++k) {
    Value r = equal_values(list[k], x);
    if (r.is_null())
      unknown = true;
    else if (r.as_bool())
      return r;
  }
  return unknown ? Value::null() : Value::boolean(false);
}

// Length of the Unicode White_Space character (UTF-8) starting at s[k], 0 when there is none:
// ZEN's trim() is Rust's str::trim, which removes exactly these.
std::size_t white_space_at(std::string_view s, std::size_t k) {
  const auto b = [&](std::size_t i) {
    return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u;
  };
  const unsigned c = b(k);
  if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return 1;
  if (c == 0xC2 && (b(k + 1) == 0x85 || b(k + 1) == 0xA0)) return 2;  // U+0085, U+00A0
  if (c == 0xE1 && b(k + 1) == 0x9A && b(k + 2) == 0x80) return 3;    // U+1680
  if (c == 0xE2 && b(k + 1) == 0x80) {
    const unsigned t = b(k + 2);  // U+2000..200A, U+2028, U+2029, U+202F
    if ((t >= 0x80 && t <= 0x8A) || t == 0xA8 || t == 0xA9 || t == 0xAF) return 3;
  }
  if (c == 0xE2 && b(k + 1) == 0x81 && b(k + 2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && b(k + 1) == 0x80 && b(k + 2) == 0x80) return 3;  // U+3000
  return 0;
}

// The same, for the character ending at s[end - 1].
std::size_t white_space_before(std::string_view s, std::size_t end) {
  for (std::size_t len = 1; len <= 3 && len <= end; ++len)
    if (white_space_at(s, end - len) == len) return len;
  return 0;
}

// Reads `width` digits (or, when `flexible`, one or two) at s[k]; advances k.
std::optional<int> digits(std::string_view s, std::size_t& k, std::size_t width, bool flexible) {
  std::size_t n = 0;
  int value = 0;
  while (k + n < s.size() && n < width && s[k + n] >= '0' && s[k + n] <= '9')
    value = value * 10 + (s[k + n++] - '0');
  if (n == 0 || (n < width && !flexible)) return std::nullopt;
  k += n;
  return value;
}

bool expect_char(std::string_view s, std::size_t& k, char c) {
  if (k >= s.size() || s[k] != c) return false;
  ++k;
  return true;
}

// YYYY-MM-DD at s[k] as days since 1970-01-01.
std::optional<std::int64_t> date_part(std::string_view s, std::size_t& k, bool flexible) {
  auto y = digits(s, k, 4, false);
  if (!y || !expect_char(s, k, '-')) return std::nullopt;
  auto m = digits(s, k, 2, flexible);
  if (!m || !expect_char(s, k, '-')) return std::nullopt;
  auto d = digits(s, k, 2, flexible);
  if (!d) return std::nullopt;
  std::optional<Date> date = Date::from_ymd(*y, *m, *d);
  if (!date) return std::nullopt;
  return date->days;
}

// HH:MM:SS at s[k] as seconds since midnight.
std::optional<std::int64_t> time_part(std::string_view s, std::size_t& k, bool flexible) {
  auto h = digits(s, k, 2, flexible);
  if (!h || !expect_char(s, k, ':')) return std::nullopt;
  auto m = digits(s, k, 2, flexible);
  if (!m || !expect_char(s, k, ':')) return std::nullopt;
  auto sec = digits(s, k, 2, flexible);
  if (!sec || *h > 23 || *m > 59 || *sec > 59) return std::nullopt;
  return *h * 3600 + *m * 60 + *sec;
}

// The texts ZEN's date() reads, in its order: "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD" (fields of one
// or two digits but the year), then RFC 3339 (two digits each, `T`, `t` or a space between date
// and time, a fraction of a second, `Z`, `z` or an offset +HH:MM / -HH:MM).
std::optional<std::int64_t> parse_timestamp(std::string_view s) {
  {
    std::size_t k = 0;
    auto days = date_part(s, k, true);
    if (days && k == s.size()) return *days * 86400;
    if (days && expect_char(s, k, ' ')) {
      auto seconds = time_part(s, k, true);
      if (seconds && k == s.size()) return *days * 86400 + *seconds;
    }
  }
  std::size_t k = 0;
  auto days = date_part(s, k, false);
  if (!days || k >= s.size() || (s[k] != 'T' && s[k] != 't' && s[k] != ' ')) return std::nullopt;
  ++k;
  auto seconds = time_part(s, k, false);
  if (!seconds) return std::nullopt;
  if (expect_char(s, k, '.')) {
    const std::size_t start = k;
    while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k;
    if (k == start) return std::nullopt;
  }
  std::int64_t offset = 0;
  if (k < s.size() && (s[k] == 'Z' || s[k] == 'z')) {
    ++k;
  } else if (k < s.size() && (s[k] == '+' || s[k] == '-')) {
    const int sign = s[k++] == '-' ? -1 : 1;
    auto oh = digits(s, k, 2, false);
    if (!oh || !expect_char(s, k, ':')) return std::nullopt;
    auto om = digits(s, k, 2, false);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset = sign * (*oh * 3600 + *om * 60);
  } else {
    return std::nullopt;
  }
  if (k != s.size()) return std::nullopt;
  return *days * 86400 + *seconds - offset;
}

std::string_view trim_white_space(std::string_view s) {
  std::size_t start = 0, end = s.size();
  while (start < end) {
    const std::size_t w = white_space_at(s, start);
    if (w == 0) break;
    start += w;
  }
  while (end > start) {
    const std::size_t w = white_space_before(s, end);
    if (w == 0) break;
    end -= w;
  }
  return s.substr(start, end - start);
}

// trunc(x) and trunc(x, places): toward zero; places beyond the sixth change nothing.
Value truncate(const Value& v, const Value* places) {
  if (!v.is_number()) return Value::null();
  if (!places) {
    if (v.type() == Type::integer) return v;
    return Value::integer(v.as_int() / Decimal::kOne);
  }
  if (places->type() != Type::integer || places->as_int() < 0) return Value::null();
  std::optional<Decimal> d = to_decimal(v);
  if (!d) return Value::null();
  std::int64_t step = 1;
  for (std::int64_t k = places->as_int(); k < Decimal::kScale; ++k) step *= 10;
  return Value::decimal(Decimal::from_units(d->units / step * step));
}

// The remainder of a / b cut toward zero: exact, both being whole millionths.
Value remainder_of(const Value& a, const Value& b) {
  if (!a.is_number() || !b.is_number()) return Value::null();
  if (a.type() == Type::integer && b.type() == Type::integer) {
    if (b.as_int() == 0) return Value::null();
    if (b.as_int() == -1) return Value::integer(0);  // INT64_MIN % -1 would overflow
    return Value::integer(a.as_int() % b.as_int());
  }
  std::optional<Decimal> x = to_decimal(a), y = to_decimal(b);
  if (!x || !y || y->units == 0) return Value::null();
  if (y->units == -1) return Value::decimal(Decimal{0});
  return Value::decimal(Decimal::from_units(x->units % y->units));
}

// The numbers of a list as decimals, sorted when asked; nullopt when an item is not a number.
std::optional<std::vector<Decimal>> decimals_of(const Value& list, bool sorted) {
  if (list.type() != Type::list) return std::nullopt;
  std::vector<Decimal> out;
  out.reserve(list.list_size());
  for (std::size_t k = 0; k < list.list_size(); ++k) {
    std::optional<Decimal> d = list[k].is_number() ? to_decimal(list[k]) : std::nullopt;
    if (!d) return std::nullopt;
    out.push_back(*d);
  }
  if (sorted) std::sort(out.begin(), out.end());
  return out;
}

Value mean_of(const std::vector<Decimal>& xs, std::size_t from, std::size_t to) {
  std::optional<Decimal> total = Decimal{0};
  for (std::size_t k = from; k < to && total; ++k) total = add(*total, xs[k]);
  if (!total) return Value::null();
  std::optional<Decimal> n = Decimal::from_int(static_cast<std::int64_t>(to - from));
  std::optional<Decimal> mean = n ? divide(*total, *n) : std::nullopt;
  return mean ? Value::decimal(*mean) : Value::null();
}

// ISO 8601 week of a date: the week (Monday to Sunday) holding its Thursday, counted in the
// Thursday's year.
std::int64_t iso_week_of(Date d) {
  const std::int64_t weekday = ((std::int64_t{d.days} + 3) % 7 + 7) % 7;  // 0 = Monday
  Date thursday{static_cast<std::int32_t>(d.days - weekday + 3)};
  int y = 0, m = 0, day = 0;
  thursday.to_ymd(y, m, day);
  const Date first = *Date::from_ymd(y, 1, 1);
  return (thursday.days - first.days) / 7 + 1;
}

}  // namespace
}  // namespace detail

using detail::Fn;
using detail::Node;

Value Expression::Impl::map_or_filter(const Node& n, const EvalContext& ctx, Value list) const {
  if (list.type() != Type::list || !ctx.arena) return Value::null();
  const std::int32_t body = args[n.args_begin + 1];
  Value* out = ctx.arena->allocate_values(list.list_size() ? list.list_size() : 1);
  std::size_t kept = 0;
  for (std::size_t k = 0; k < list.list_size(); ++k) {
    Value r = eval(body, ctx, list[k]);
    if (n.fn == Fn::map)
      out[kept++] = r;
    else if (r.type() == Type::boolean && r.as_bool())
      out[kept++] = list[k];
  }
  return Value::list(out, kept);
}

Value Expression::Impl::call(const Node& n, const EvalContext& ctx, Value item,
                             const Value* given) const {
  const std::int32_t* argv = args.data() + n.args_begin;
  const std::uint32_t argc = n.args_count;
  auto arg = [&](std::uint32_t k) { return given ? given[k] : eval(argv[k], ctx, item); };

  switch (n.fn) {
    case Fn::contains: {
      Value h = arg(0), x = arg(1);
      if (h.is_null() || x.is_null()) return Value::null();
      if (h.type() == Type::list) return detail::list_contains(h, x);
      if (h.type() == Type::string && x.type() == Type::string)
        return Value::boolean(h.as_string().find(x.as_string()) != std::string_view::npos);
      return Value::null();
    }
    case Fn::starts_with:
    case Fn::ends_with: {
      Value s = arg(0), p = arg(1);
      if (s.type() != Type::string || p.type() != Type::string) return Value::null();
      std::string_view whole = s.as_string(), part = p.as_string();
      if (part.size() > whole.size()) return Value::boolean(false);
      return Value::boolean(n.fn == Fn::starts_with
                                ? whole.substr(0, part.size()) == part
                                : whole.substr(whole.size() - part.size()) == part);
    }
    case Fn::lower:
      return detail::change_case(arg(0), false, ctx.arena);
    case Fn::upper:
      return detail::change_case(arg(0), true, ctx.arena);
    case Fn::len: {
      Value v = arg(0);
      if (v.type() == Type::string)
        return Value::integer(static_cast<std::int64_t>(detail::code_points(v.as_string())));
      if (v.type() == Type::list) return Value::integer(static_cast<std::int64_t>(v.list_size()));
      return Value::null();
    }
    case Fn::map:
    case Fn::filter:
      return map_or_filter(n, ctx, arg(0));
    case Fn::none:
    case Fn::one: {
      Value list = arg(0);
      if (list.type() != Type::list) return Value::null();
      std::int64_t hits = 0;
      bool unknown = false;
      for (std::size_t k = 0; k < list.list_size(); ++k) {
        Value r = eval(argv[1], ctx, list[k]);
        if (r.type() != Type::boolean)
          unknown = true;
        else if (r.as_bool())
          ++hits;
        if (hits > (n.fn == Fn::one ? 1 : 0)) return Value::boolean(false);
      }
      if (unknown) return Value::null();
      return Value::boolean(n.fn == Fn::none || hits == 1);
    }
    case Fn::count:
    case Fn::any:
    case Fn::all: {
      Value list = arg(0);
      if (list.type() != Type::list) return Value::null();
      if (argc == 1) return Value::integer(static_cast<std::int64_t>(list.list_size()));
      std::int64_t hits = 0;
      bool unknown = false;
      for (std::size_t k = 0; k < list.list_size(); ++k) {
        Value r = eval(argv[1], ctx, list[k]);
        if (r.type() != Type::boolean) {
          unknown = true;
          continue;
        }
        if (r.as_bool()) ++hits;
        if (n.fn == Fn::any && r.as_bool()) return r;
        if (n.fn == Fn::all && !r.as_bool()) return r;
      }
      if (n.fn == Fn::count) return Value::integer(hits);
      if (unknown) return Value::null();
      return Value::boolean(n.fn == Fn::all);
    }
    case Fn::min:
    case Fn::max: {
      detail::Extreme extreme(n.fn == Fn::max);
      if (argc == 1) {
        Value list = arg(0);
        if (list.type() != Type::list) return Value::null();
        for (std::size_t k = 0; k < list.list_size(); ++k)
          if (!extreme.take(list[k])) return Value::null();
      } else {
        for (std::uint32_t k = 0; k < argc; ++k)
          if (!extreme.take(arg(k))) return Value::null();
      }
      return extreme.result();
    }
    case Fn::sum:
      return detail::sum_of(arg(0));
    case Fn::abs: {
      Value v = arg(0);
      if (!v.is_number() || v.as_int() == std::numeric_limits<std::int64_t>::min())
        return Value::null();
      if (v.as_int() >= 0) return v;
      return v.type() == Type::integer ? Value::integer(-v.as_int())
                                       : Value::decimal(Decimal::from_units(-v.as_int()));
    }
    case Fn::floor:
      return detail::to_integer(arg(0), detail::Rounding::floor);
    case Fn::ceil:
      return detail::to_integer(arg(0), detail::Rounding::ceil);
    case Fn::round:
      return detail::to_integer(arg(0), detail::Rounding::half_even);
    case Fn::date: {
      Value v = arg(0);
      if (v.type() == Type::date) return v;
      if (v.type() != Type::string) return Value::null();
      std::optional<Date> d = Date::parse(v.as_string());
      return d ? Value::date(*d) : Value::null();
    }
    case Fn::years_between:
    case Fn::months_between:
    case Fn::days_between: {
      Value a = arg(0), b = arg(1);
      if (a.type() != Type::date || b.type() != Type::date) return Value::null();
      if (n.fn == Fn::years_between) return Value::integer(years_between(a.as_date(), b.as_date()));
      if (n.fn == Fn::months_between)
        return Value::integer(months_between(a.as_date(), b.as_date()));
      return Value::integer(days_between(a.as_date(), b.as_date()));
    }
    case Fn::add_days:
    case Fn::add_months: {
      Value d = arg(0), k = arg(1);
      if (d.type() != Type::date || k.type() != Type::integer) return Value::null();
      std::optional<Date> r = n.fn == Fn::add_days ? add_days(d.as_date(), k.as_int())
                                                   : add_months(d.as_date(), k.as_int());
      return r ? Value::date(*r) : Value::null();
    }
    case Fn::is_missing:
      return Value::boolean(arg(0).is_null());
    case Fn::coalesce:
      for (std::uint32_t k = 0; k < argc; ++k) {
        Value v = arg(k);
        if (!v.is_null()) return v;
      }
      return Value::null();
    case Fn::power:
      return detail::power(arg(0), arg(1));
    case Fn::concat: {
      std::size_t size = 0;
      for (std::uint32_t k = 0; k < argc; ++k) {
        Value v = arg(k);
        if (v.type() != Type::string) return Value::null();
        size += v.as_string().size();
      }
      if (!ctx.arena) return Value::null();
      char* out = static_cast<char*>(ctx.arena->allocate(size == 0 ? 1 : size, 1));
      std::size_t at = 0;
      for (std::uint32_t k = 0; k < argc; ++k) {
        std::string_view s = arg(k).as_string();
        std::memcpy(out + at, s.data(), s.size());
        at += s.size();
      }
      return Value::string({out, size});
    }
    case Fn::timestamp: {
      Value v = arg(0);
      if (v.type() == Type::date) return Value::integer(std::int64_t{v.as_date().days} * 86400);
      if (v.type() == Type::integer) return v;
      if (v.type() == Type::decimal) return Value::integer(v.as_decimal().units / Decimal::kOne);
      if (v.type() != Type::string) return Value::null();
      std::optional<std::int64_t> seconds = detail::parse_timestamp(v.as_string());
      return seconds ? Value::integer(*seconds) : Value::null();
    }
    case Fn::trim: {
      Value v = arg(0);
      if (v.type() != Type::string) return Value::null();
      return Value::string(detail::trim_white_space(v.as_string()));
    }
    case Fn::trunc: {
      if (argc == 1) return detail::truncate(arg(0), nullptr);
      Value x = arg(0), places = arg(1);
      return detail::truncate(x, &places);
    }
    case Fn::rem:
      return detail::remainder_of(arg(0), arg(1));
    case Fn::avg:
    case Fn::median:
    case Fn::mode: {
      Value list = arg(0);
      std::optional<std::vector<Decimal>> xs = detail::decimals_of(list, n.fn != Fn::avg);
      if (!xs || xs->empty()) return Value::null();
      if (n.fn == Fn::mode) {
        // Runs of equal numbers in the sorted list; the last longest run is the largest.
        std::size_t best = 0, best_length = 0;
        for (std::size_t k = 0, run = 0; k < xs->size(); ++k) {
          run = k > 0 && (*xs)[k] == (*xs)[k - 1] ? run + 1 : 1;
          if (run >= best_length) best = k, best_length = run;
        }
        // Integers stay integers, as min and max keep them.
        for (std::size_t k = 0; k < list.list_size(); ++k)
          if (list[k].type() == Type::decimal) return Value::decimal((*xs)[best]);
        return Value::integer((*xs)[best].units / Decimal::kOne);
      }
      if (n.fn == Fn::avg) return detail::mean_of(*xs, 0, xs->size());
      const std::size_t mid = xs->size() / 2;
      return xs->size() % 2 ? Value::decimal((*xs)[mid]) : detail::mean_of(*xs, mid - 1, mid + 1);
    }
    case Fn::utc_date: {
      Value v = arg(0);
      if (!v.is_number()) return Value::null();
      std::int64_t seconds = v.type() == Type::integer ? v.as_int() : v.as_int() / Decimal::kOne;
      std::int64_t days = seconds / 86400 - (seconds % 86400 < 0 ? 1 : 0);
      // Years 1 to 9999, as every date.
      if (days < -719162 || days > 2932896) return Value::null();
      return Value::date(Date{static_cast<std::int32_t>(days)});
    }
    case Fn::year:
    case Fn::month:
    case Fn::day:
    case Fn::day_of_year: {
      Value v = arg(0);
      if (v.type() != Type::date) return Value::null();
      int y = 0, m = 0, d = 0;
      v.as_date().to_ymd(y, m, d);
      if (n.fn == Fn::year) return Value::integer(y);
      if (n.fn == Fn::month) return Value::integer(m);
      if (n.fn == Fn::day) return Value::integer(d);
      return Value::integer(v.as_date().days - Date::from_ymd(y, 1, 1)->days + 1);
    }
    case Fn::weekday: {
      Value v = arg(0);
      if (v.type() != Type::date) return Value::null();
      return Value::integer(((std::int64_t{v.as_date().days} + 3) % 7 + 7) % 7 + 1);
    }
    case Fn::iso_week: {
      Value v = arg(0);
      if (v.type() != Type::date) return Value::null();
      return Value::integer(detail::iso_week_of(v.as_date()));
    }
    case Fn::to_text: {
      Value v = arg(0);
      if (v.is_null() || v.type() == Type::string) return v;
      if (!ctx.arena) return Value::null();
      // Numbers, booleans and dates as their JSON text, without a date's quotes.
      std::string rendered = v.to_json();
      if (!rendered.empty() && rendered.front() == '"')
        rendered = rendered.substr(1, rendered.size() - 2);
      char* out =
          static_cast<char*>(ctx.arena->allocate(rendered.empty() ? 1 : rendered.size(), 1));
      std::memcpy(out, rendered.data(), rendered.size());
      return Value::string({out, rendered.size()});
    }
  }
  return Value::null();
}

const std::vector<FunctionInfo>& builtin_functions() {
  static const std::vector<FunctionInfo> infos = [] {
    std::vector<FunctionInfo> out;
    for (const detail::FunctionSpec& s : detail::function_specs())
      out.push_back(FunctionInfo{s.name, s.signature, s.summary});
    return out;
  }();
  return infos;
}

}  // namespace v1
}  // namespace aiguillage
