#include "report/delay_distribution.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace mta {
namespace {

TEST(DelayDistributionTest, QuantilesAreWithinTwoPercentOfTheExactOnes) {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> delays(2.0, 3.0);  // 0.01 s to days, as real queues
  DelayDistribution distribution;
  std::vector<double> added;
  for (int i = 0; i < 100000; ++i) {
    const double delay = delays(random);
    distribution.add(delay);
    added.push_back(delay);
  }
  std::sort(added.begin(), added.end());
  for (const double q : {0.5, 0.9, 0.95, 0.99, 1.0}) {
    const double exact = added[static_cast<std::size_t>(std::ceil(q * added.size())) - 1];
    if (exact < DelayDistribution::kFinest) continue;
    EXPECT_NEAR(distribution.quantile(q), exact, exact * 0.021) << q;
  }
  EXPECT_EQ(distribution.count(), added.size());
  EXPECT_EQ(distribution.max(), added.back());
}

TEST(DelayDistributionTest, AQuantileNeverExceedsTheLargestDelay) {
  DelayDistribution distribution;
  distribution.add(10);
  EXPECT_LE(distribution.quantile(0.5), 10);
  EXPECT_NEAR(distribution.quantile(0.5), 10, 0.21);
  EXPECT_EQ(distribution.quantile(1), 10);
}

TEST(DelayDistributionTest, BandsCountEachDelayOnceAtTheirBounds) {
  DelayDistribution distribution;
  for (const double delay : {0.0, 299.9, 300.0, 3599.0, 3600.0, 86400.0, 5 * 86400.0, 1e9}) distribution.add(delay);
  const auto& bands = distribution.bands();
  EXPECT_EQ(bands[0], 2u);  // under 5 min
  EXPECT_EQ(bands[1], 2u);  // 5 min to 1 h
  EXPECT_EQ(bands[2], 1u);  // 1 h to 4 h
  EXPECT_EQ(bands[3], 0u);
  EXPECT_EQ(bands[4], 1u);  // 1 to 2 days
  EXPECT_EQ(bands[5], 0u);
  EXPECT_EQ(bands[6], 2u);  // 5 days and more
}

TEST(DelayDistributionTest, DelaysALineDoesNotCarryAreNotCounted) {
  DelayDistribution distribution;
  for (const double delay : {-1.0, std::numeric_limits<double>::quiet_NaN()}) distribution.add(delay);
  EXPECT_EQ(distribution.count(), 0u);
  EXPECT_EQ(distribution.quantile(0.5), 0);
}

// As many as the delay histogram counts (every delay >= 0): huge and infinite ones in the last bucket.
TEST(DelayDistributionTest, HugeAndInfiniteDelaysFallInTheLastBucket) {
  DelayDistribution distribution;
  for (const double delay : {1e300, 1e307, 1e308, std::numeric_limits<double>::infinity()}) distribution.add(delay);
  EXPECT_EQ(distribution.count(), 4u);
  EXPECT_EQ(distribution.quantile(0.5), std::numeric_limits<double>::infinity());  // the last bucket says max()
  EXPECT_EQ(distribution.bands().back(), 4u);
}

}  // namespace
}  // namespace mta
