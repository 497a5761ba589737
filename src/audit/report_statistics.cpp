#include "aiguillage/audit/report_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace aiguillage {
inline namespace v1 {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

RateInterval wilson_interval(std::uint64_t k, std::uint64_t n, double z) {
  if (n == 0 || k > n) return {kNaN, kNaN};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  // At k = 0 and k = n the bounds are exactly 0 and 1; rounding would leave ±1e-17.
  return {k == 0 ? 0.0 : std::max(0.0, centre - half), k == n ? 1.0 : std::min(1.0, centre + half)};
}

RatioEstimate rate_ratio_katz(std::uint64_t k1, std::uint64_t n1, std::uint64_t k0,
                              std::uint64_t n0, double z) {
  if (n1 == 0 || n0 == 0 || k1 > n1 || k0 > n0) return {kNaN, kNaN, kNaN};
  if (k0 == 0) return {kNaN, kNaN, kNaN};
  const double ratio = (static_cast<double>(k1) / static_cast<double>(n1)) /
                       (static_cast<double>(k0) / static_cast<double>(n0));
  if (k1 == 0) return {ratio, kNaN, kNaN};
  const double se = std::sqrt(1.0 / static_cast<double>(k1) - 1.0 / static_cast<double>(n1) +
                              1.0 / static_cast<double>(k0) - 1.0 / static_cast<double>(n0));
  const double log_ratio = std::log(ratio);
  return {ratio, std::exp(log_ratio - z * se), std::exp(log_ratio + z * se)};
}

double two_proportion_p_value(std::uint64_t k1, std::uint64_t n1, std::uint64_t k0,
                              std::uint64_t n0) {
  if (n1 == 0 || n0 == 0 || k1 > n1 || k0 > n0) return kNaN;
  const double a = static_cast<double>(n1), b = static_cast<double>(n0);
  const double pooled = static_cast<double>(k1 + k0) / (a + b);
  const double variance = pooled * (1 - pooled) * (1 / a + 1 / b);
  if (variance <= 0) return kNaN;  // everyone or no one has the outcome: nothing to test
  const double zscore =
      (static_cast<double>(k1) / a - static_cast<double>(k0) / b) / std::sqrt(variance);
  return std::erfc(std::fabs(zscore) / std::sqrt(2.0));
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < p.size(); ++k)
    if (!std::isnan(p[k])) order.push_back(k);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return p[a] < p[b]; });
  std::vector<double> out(p.size(), kNaN);
  const double m = static_cast<double>(order.size());
  double running = 0;
  for (std::size_t r = 0; r < order.size(); ++r) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(r)) * p[order[r]]));
    out[order[r]] = running;
  }
  return out;
}

std::vector<double> benjamini_hochberg_adjust(const std::vector<double>& p) {
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < p.size(); ++k)
    if (!std::isnan(p[k])) order.push_back(k);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return p[a] < p[b]; });
  std::vector<double> out(p.size(), kNaN);
  const double m = static_cast<double>(order.size());
  double running = 1;
  for (std::size_t r = order.size(); r-- > 0;) {
    running = std::min(running, m / static_cast<double>(r + 1) * p[order[r]]);
    out[order[r]] = std::min(1.0, running);
  }
  return out;
}

double mantel_haenszel_ratio(const std::vector<Stratum>& strata) {
  double numerator = 0, denominator = 0;
  for (const Stratum& s : strata) {
    if (s.n1 == 0 || s.n0 == 0) continue;
    const double total = static_cast<double>(s.n1 + s.n0);
    numerator += static_cast<double>(s.k1) * static_cast<double>(s.n0) / total;
    denominator += static_cast<double>(s.k0) * static_cast<double>(s.n1) / total;
  }
  if (denominator <= 0) return kNaN;
  return numerator / denominator;
}

}  // namespace v1
}  // namespace aiguillage
