#pragma once
// The counts of one series second by second over a fixed horizon: a ring of one bucket a second, so that a sum
// over any range inside the horizon (the last 5 minutes; the hour that ended 15 minutes ago) slides with time.
// Fixed memory, allocated once: 4 bytes a second (a float holds every whole count up to 16 million a second).

#include <cstdint>
#include <vector>

namespace mta {

class SlidingWindow {
 public:
  explicit SlidingWindow(std::int64_t horizon_seconds)
      : buckets_(static_cast<std::size_t>(horizon_seconds > 0 ? horizon_seconds : 1), 0.0F) {}

  // Moves the newest bucket to `second`, emptying the seconds skipped; an earlier second is ignored.
  void advance_to(std::int64_t second) {
    if (!started_) {
      latest_ = second;
      started_ = true;
      return;
    }
    if (second <= latest_) return;
    const std::int64_t horizon = static_cast<std::int64_t>(buckets_.size());
    const std::int64_t first = second - latest_ >= horizon ? second - horizon + 1 : latest_ + 1;
    for (std::int64_t s = first; s <= second; ++s) buckets_[index(s)] = 0;
    latest_ = second;
  }

  // Counts `count` in the newest second.
  void add(double count) { buckets_[index(latest_)] += static_cast<float>(count); }

  // The counts of the `length` seconds that end `offset` seconds before the newest one (inclusive); the part
  // outside the horizon counts as 0.
  double sum(std::int64_t length, std::int64_t offset = 0) const {
    const std::int64_t horizon = static_cast<std::int64_t>(buckets_.size());
    double total = 0;
    for (std::int64_t back = offset; back < offset + length && back < horizon; ++back) {
      total += buckets_[index(latest_ - back)];
    }
    return total;
  }

  std::int64_t horizon() const { return static_cast<std::int64_t>(buckets_.size()); }

 private:
  std::size_t index(std::int64_t second) const {
    const std::int64_t horizon = static_cast<std::int64_t>(buckets_.size());
    return static_cast<std::size_t>(((second % horizon) + horizon) % horizon);
  }

  std::vector<float> buckets_;
  std::int64_t latest_ = 0;
  bool started_ = false;
};

}  // namespace mta
