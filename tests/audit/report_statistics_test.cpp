// The report's statistics against hand-computed values (tests/python/test_report.py compares
// them with scipy on the report itself).
#include "aiguillage/audit/report_statistics.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace aiguillage {
namespace {

TEST(ReportStatistics, WilsonIntervalByHand) {
  // 5 of 10: centre 0.5, half-width z/(1+z²/n) * sqrt(p(1-p)/n + z²/4n²) = 0.263407.
  const RateInterval w = wilson_interval(5, 10);
  EXPECT_NEAR(w.low, 0.236593, 1e-6);  // scipy binomtest(5, 10).proportion_ci("wilson")
  EXPECT_NEAR(w.high, 0.763407, 1e-6);
  const RateInterval zero = wilson_interval(0, 20);
  EXPECT_EQ(zero.low, 0.0);
  EXPECT_NEAR(zero.high, 0.161125, 1e-6);  // z²/(n+z²)
  EXPECT_TRUE(std::isnan(wilson_interval(0, 0).low));
  EXPECT_TRUE(std::isnan(wilson_interval(3, 2).high));
}

TEST(ReportStatistics, KatzRatioByHand) {
  // 20/100 vs 10/100: RR 2, se sqrt(1/20 - 1/100 + 1/10 - 1/100) = sqrt(0.13).
  const RatioEstimate r = rate_ratio_katz(20, 100, 10, 100);
  EXPECT_DOUBLE_EQ(r.ratio, 2.0);
  EXPECT_NEAR(r.low, 2.0 * std::exp(-kZ95 * std::sqrt(0.13)), 1e-12);
  EXPECT_NEAR(r.high, 2.0 * std::exp(kZ95 * std::sqrt(0.13)), 1e-12);
  EXPECT_NEAR(r.low, 0.986563, 1e-6);
  EXPECT_TRUE(std::isnan(rate_ratio_katz(5, 10, 0, 10).ratio));  // zero reference rate
  const RatioEstimate none = rate_ratio_katz(0, 10, 5, 10);
  EXPECT_EQ(none.ratio, 0.0);
  EXPECT_TRUE(std::isnan(none.low));
  EXPECT_TRUE(std::isnan(rate_ratio_katz(1, 0, 1, 10).ratio));
}

TEST(ReportStatistics, TwoProportionTestByHand) {
  // pooled 0.15, z = 0.1 / sqrt(0.15 * 0.85 * 0.02) = 1.980295; p = erfc(z / sqrt 2).
  EXPECT_NEAR(two_proportion_p_value(20, 100, 10, 100), 0.0476705, 1e-6);
  EXPECT_NEAR(two_proportion_p_value(10, 100, 20, 100), 0.0476705, 1e-6);
  EXPECT_DOUBLE_EQ(two_proportion_p_value(7, 70, 3, 30), 1.0);
  EXPECT_TRUE(std::isnan(two_proportion_p_value(0, 10, 0, 10)));  // no variance
  EXPECT_TRUE(std::isnan(two_proportion_p_value(1, 0, 0, 10)));
}

TEST(ReportStatistics, MultipleComparisonsByHand) {
  const std::vector<double> p = {0.01, 0.04, 0.03, NAN};
  const auto holm = holm_adjust(p);
  EXPECT_DOUBLE_EQ(holm[0], 0.03);
  EXPECT_DOUBLE_EQ(holm[2], 0.06);
  EXPECT_DOUBLE_EQ(holm[1], 0.06);  // monotone: never below an earlier step
  EXPECT_TRUE(std::isnan(holm[3]));
  const auto bh = benjamini_hochberg_adjust(p);
  EXPECT_DOUBLE_EQ(bh[0], 0.03);
  EXPECT_DOUBLE_EQ(bh[2], 0.04);
  EXPECT_DOUBLE_EQ(bh[1], 0.04);
  EXPECT_TRUE(std::isnan(bh[3]));
  EXPECT_TRUE(holm_adjust({}).empty());
}

TEST(ReportStatistics, AdjustedValuesAreOrderedAndBounded) {
  std::vector<double> p;
  for (int k = 1; k <= 50; ++k) p.push_back(std::fmod(k * 0.6180339887, 1.0));
  const auto holm = holm_adjust(p);
  const auto bh = benjamini_hochberg_adjust(p);
  for (std::size_t i = 0; i < p.size(); ++i) {
    EXPECT_GE(holm[i], p[i]);
    EXPECT_GE(bh[i], p[i]);
    EXPECT_LE(bh[i], holm[i] + 1e-15);  // BH is never stricter than Holm
    EXPECT_LE(holm[i], 1.0);
    for (std::size_t j = 0; j < p.size(); ++j)
      if (p[i] < p[j]) {
        EXPECT_LE(holm[i], holm[j]);
        EXPECT_LE(bh[i], bh[j]);
      }
  }
}

TEST(ReportStatistics, MantelHaenszelByHand) {
  // Two strata with the same ratio 2; a stratum lacking the reference group is skipped.
  std::vector<Stratum> s = {{2, 10, 1, 10}, {8, 20, 4, 20}, {5, 5, 0, 0}};
  EXPECT_NEAR(mantel_haenszel_ratio(s), 2.0, 1e-12);
  // Simpson: each stratum has ratio 1, the crude ratio is far from 1.
  std::vector<Stratum> simpson = {{9, 10, 45, 50}, {5, 50, 1, 10}};
  EXPECT_NEAR(mantel_haenszel_ratio(simpson), 1.0, 1e-12);
  EXPECT_TRUE(std::isnan(mantel_haenszel_ratio({})));
}

}  // namespace
}  // namespace aiguillage
