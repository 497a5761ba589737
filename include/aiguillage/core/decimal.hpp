// Exact decimal numbers: a signed 64-bit count of millionths (scale fixed at 6 places).
// Thresholds such as 0.1 + 0.2 = 0.3 hold exactly; results of division are rounded half to
// even at the sixth place. Range: about +/- 9.2e12.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include "aiguillage/core/export.hpp"

namespace aiguillage {
inline namespace v1 {

struct AIG_API Decimal {
  static constexpr int kScale = 6;
  static constexpr std::int64_t kOne = 1'000'000;

  std::int64_t units = 0;  // value * 10^6

  static constexpr Decimal from_units(std::int64_t u) { return Decimal{u}; }
  // nullopt on overflow.
  static std::optional<Decimal> from_int(std::int64_t v);
  // Parses "-12", "3.5", "0.000001", "1e3", "2.5E-2"; nullopt when the text is not a number,
  // is out of range, or needs more than 6 decimal places (never rounds an input silently).
  static std::optional<Decimal> parse(std::string_view text);

  // Shortest exact text: "1.5", "-2", "0.000001" (no exponent, no trailing zeros).
  std::string to_string() const;
  void append_to(std::string& out) const;  // the same text, appended
  // The value as a double (for display and for peers only).
  double to_double() const { return static_cast<double>(units) / static_cast<double>(kOne); }
  // True when the value has no fractional part.
  bool is_integral() const { return units % kOne == 0; }

  friend constexpr bool operator==(Decimal a, Decimal b) { return a.units == b.units; }
  friend constexpr auto operator<=>(Decimal a, Decimal b) { return a.units <=> b.units; }
};

// Arithmetic; nullopt on overflow or division by zero.
AIG_API std::optional<Decimal> add(Decimal a, Decimal b);
AIG_API std::optional<Decimal> subtract(Decimal a, Decimal b);
AIG_API std::optional<Decimal> multiply(Decimal a, Decimal b);  // rounded half to even
AIG_API std::optional<Decimal> divide(Decimal a, Decimal b);    // rounded half to even

}  // namespace v1
}  // namespace aiguillage
