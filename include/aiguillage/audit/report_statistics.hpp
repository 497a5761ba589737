// The statistics of the report, kept apart so that they are tested against hand-computed and
// reference values. Every function returns NaN where the figure is not defined (an empty group,
// a zero count in a ratio): the report shows "—", never a division error.
#pragma once

#include <cstdint>
#include <vector>

namespace aiguillage {
inline namespace v1 {

inline constexpr double kZ95 = 1.959963984540054;  // two-sided 95 % normal quantile

struct RateInterval {
  double low, high;
};

// Wilson score interval of a proportion k/n.
RateInterval wilson_interval(std::uint64_t k, std::uint64_t n, double z = kZ95);

// Ratio of two rates (k1/n1) / (k0/n0) with the Katz log interval:
// exp(ln RR ± z sqrt(1/k1 - 1/n1 + 1/k0 - 1/n0)); undefined when k1 or k0 is zero.
struct RatioEstimate {
  double ratio, low, high;
};
RatioEstimate rate_ratio_katz(std::uint64_t k1, std::uint64_t n1, std::uint64_t k0,
                              std::uint64_t n0, double z = kZ95);

// Two-sided p-value of the pooled two-proportion z test (equal to the chi-square test of the
// 2x2 table without continuity correction).
double two_proportion_p_value(std::uint64_t k1, std::uint64_t n1, std::uint64_t k0,
                              std::uint64_t n0);

// Adjusted p-values; NaN entries are left out of the family and stay NaN.
std::vector<double> holm_adjust(const std::vector<double>& p);
std::vector<double> benjamini_hochberg_adjust(const std::vector<double>& p);

// Mantel-Haenszel common risk ratio over strata (k1, n1: group; k0, n0: reference); strata
// lacking either group carry no information and are skipped.
struct Stratum {
  std::uint64_t k1 = 0, n1 = 0, k0 = 0, n0 = 0;
};
double mantel_haenszel_ratio(const std::vector<Stratum>& strata);

}  // namespace v1
}  // namespace aiguillage
