#pragma once
// Delays in a bounded number of buckets, for the report's percentiles and age bands: a year of deliveries costs
// the same memory as a minute of them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace mta {

class DelayDistribution {
 public:
  // Delays below kFinest share the first bucket; every other bucket spans a factor of kRatio, so a percentile read
  // from it is within 2 % of the delay it stands for.
  static constexpr double kFinest = 0.01;
  static constexpr double kRatio = 1.04;
  static constexpr std::size_t kBuckets = 640;  // the last one from 0.01 s * 1.04^638, about 23 years, up

  // Negative delays (a line without one) and NaN are not counted, as in the delay histogram of the metrics.
  void add(double seconds);

  std::uint64_t count() const { return count_; }
  double max() const { return max_; }
  // The delay at quantile `q` (0..1): the geometric middle of the bucket that holds it, and never above max();
  // 0 when nothing was added.
  double quantile(double q) const;
  // The report's age bands, in seconds: under 5 min, under 1 h, 4 h, 1 d, 2 d, 5 d, and at or above 5 d.
  static constexpr std::array<double, 6> kBandBounds = {300, 3600, 4 * 3600, 86400, 2 * 86400, 5 * 86400};
  // How many delays fell in each band (counted exactly, not from the buckets).
  const std::array<std::uint64_t, kBandBounds.size() + 1>& bands() const { return bands_; }

 private:
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::array<std::uint64_t, kBandBounds.size() + 1> bands_{};
  std::uint64_t count_ = 0;
  double max_ = 0;
};

}  // namespace mta
