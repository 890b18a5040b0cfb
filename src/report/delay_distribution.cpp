#include "report/delay_distribution.hpp"

#include <algorithm>
#include <cmath>

namespace mta {
namespace {

std::size_t bucket_of(double seconds) {
  if (seconds < DelayDistribution::kFinest) return 0;
  // The last bucket has no upper bound; testing first keeps infinity and huge delays out of the cast below.
  static const double last =
      DelayDistribution::kFinest * std::pow(DelayDistribution::kRatio, DelayDistribution::kBuckets - 2);
  if (!(seconds < last)) return DelayDistribution::kBuckets - 1;
  const double steps = std::log(seconds / DelayDistribution::kFinest) / std::log(DelayDistribution::kRatio);
  return std::min<std::size_t>(1 + static_cast<std::size_t>(steps), DelayDistribution::kBuckets - 1);
}

}  // namespace

void DelayDistribution::add(double seconds) {
  if (!(seconds >= 0)) return;  // as the delay histogram: any delay >= 0, infinity included, but no NaN
  ++buckets_[bucket_of(seconds)];
  const auto band = std::upper_bound(kBandBounds.begin(), kBandBounds.end(), seconds) - kBandBounds.begin();
  ++bands_[static_cast<std::size_t>(band)];
  ++count_;
  max_ = std::max(max_, seconds);
}

double DelayDistribution::quantile(double q) const {
  if (count_ == 0) return 0;
  // The rank of the delay at q, 1-based: the smallest delay with at least q of all at or below it.
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * count_)));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < kBuckets; ++bucket) {
    seen += buckets_[bucket];
    if (seen < rank) continue;
    if (bucket == 0) return std::min(kFinest / 2, max_);
    if (bucket == kBuckets - 1) return max_;  // the last bucket has no upper bound
    const double low = kFinest * std::pow(kRatio, static_cast<double>(bucket - 1));
    return std::min(low * std::sqrt(kRatio), max_);
  }
  return max_;
}

}  // namespace mta
