#include "aiguillage/core/decimal.hpp"

#include <charconv>
#include <cstddef>
#include <limits>

namespace aiguillage {
inline namespace v1 {

namespace {

// __extension__ keeps -Wpedantic quiet about the GCC/Clang 128-bit type.
__extension__ typedef __int128 Wide;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

// Beyond this magnitude an exponent can only overflow (or, with a zero mantissa, change
// nothing), so clamping keeps the arithmetic below free of overflow for any input length.
constexpr std::int64_t kExponentClamp = 1'000'000'000;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::optional<Decimal> narrow(Wide value) {
  if (value > kMax || value < kMin) return std::nullopt;
  return Decimal::from_units(static_cast<std::int64_t>(value));
}

// Quotient of n / d rounded half to even; d != 0. Operands stay below 2^127 in every caller.
Wide divide_half_even(Wide n, Wide d) {
  Wide quotient = n / d;
  Wide remainder = n % d;
  if (remainder == 0) return quotient;
  Wide twice_remainder = remainder < 0 ? -2 * remainder : 2 * remainder;
  Wide magnitude = d < 0 ? -d : d;
  bool round_away =
      twice_remainder > magnitude || (twice_remainder == magnitude && quotient % 2 != 0);
  if (round_away) quotient += ((n < 0) != (d < 0)) ? -1 : 1;
  return quotient;
}

}  // namespace

std::optional<Decimal> Decimal::from_int(std::int64_t v) {
  std::int64_t units = 0;
  if (__builtin_mul_overflow(v, kOne, &units)) return std::nullopt;
  return Decimal{units};
}

std::optional<Decimal> Decimal::parse(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool negative = false;
  if (i < n && text[i] == '-') {
    negative = true;
    ++i;
  }

  const std::size_t int_begin = i;
  while (i < n && is_digit(text[i])) ++i;
  const std::size_t int_end = i;
  if (int_end == int_begin) return std::nullopt;

  std::size_t frac_begin = i, frac_end = i;
  if (i < n && text[i] == '.') {
    frac_begin = ++i;
    while (i < n && is_digit(text[i])) ++i;
    frac_end = i;
    if (frac_end == frac_begin) return std::nullopt;
  }

  std::int64_t exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) exponent_negative = text[i++] == '-';
    const std::size_t exp_begin = i;
    while (i < n && is_digit(text[i])) {
      if (exponent < kExponentClamp) exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (i == exp_begin) return std::nullopt;
    if (exponent_negative) exponent = -exponent;
  }
  if (i != n) return std::nullopt;

  // The value is digits * 10^scale where digits are the integer and fraction digits run
  // together; strip zeros at both ends so that exactness depends on the value only.
  std::string digits;
  digits.reserve((int_end - int_begin) + (frac_end - frac_begin));
  digits.append(text.substr(int_begin, int_end - int_begin));
  digits.append(text.substr(frac_begin, frac_end - frac_begin));
  std::int64_t scale = exponent - static_cast<std::int64_t>(frac_end - frac_begin);

  std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Decimal{0};
  std::size_t last = digits.find_last_not_of('0');
  scale += static_cast<std::int64_t>(digits.size() - 1 - last);
  std::string_view significant(digits.data() + first, last - first + 1);

  const std::int64_t shift = scale + kScale;
  if (shift < 0) return std::nullopt;  // would need more than kScale decimal places
  // int64 holds at most 19 digits.
  if (static_cast<std::int64_t>(significant.size()) + shift > 19) return std::nullopt;

  Wide magnitude = 0;
  for (char c : significant) magnitude = magnitude * 10 + (c - '0');
  for (std::int64_t k = 0; k < shift; ++k) magnitude *= 10;
  return narrow(negative ? -magnitude : magnitude);
}

std::string Decimal::to_string() const {
  std::string out;
  append_to(out);
  return out;
}

void Decimal::append_to(std::string& out) const {
  // Unsigned so that the most negative value has a magnitude.
  std::uint64_t magnitude = units < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(units)
                                      : static_cast<std::uint64_t>(units);
  const auto one = static_cast<std::uint64_t>(kOne);
  char buffer[48];
  char* p = buffer;
  if (units < 0) *p++ = '-';
  p = std::to_chars(p, buffer + sizeof buffer, magnitude / one).ptr;
  std::uint64_t fraction = magnitude % one;
  if (fraction != 0) {
    *p++ = '.';
    // kScale digits, leading zeros kept, trailing zeros dropped.
    int digits = kScale;
    while (fraction % 10 == 0) {
      fraction /= 10;
      --digits;
    }
    for (int k = digits - 1; k >= 0; --k) {
      p[k] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    p += digits;
  }
  out.append(buffer, static_cast<std::size_t>(p - buffer));
}

std::optional<Decimal> add(Decimal a, Decimal b) {
  std::int64_t units = 0;
  if (__builtin_add_overflow(a.units, b.units, &units)) return std::nullopt;
  return Decimal{units};
}

std::optional<Decimal> subtract(Decimal a, Decimal b) {
  std::int64_t units = 0;
  if (__builtin_sub_overflow(a.units, b.units, &units)) return std::nullopt;
  return Decimal{units};
}

std::optional<Decimal> multiply(Decimal a, Decimal b) {
  // |a * b| <= 2^126, inside the signed 128-bit range.
  return narrow(divide_half_even(Wide{a.units} * b.units, Decimal::kOne));
}

std::optional<Decimal> divide(Decimal a, Decimal b) {
  if (b.units == 0) return std::nullopt;
  return narrow(divide_half_even(Wide{a.units} * Decimal::kOne, b.units));
}

}  // namespace v1
}  // namespace aiguillage
