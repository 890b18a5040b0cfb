#include "report/top_counts.hpp"

#include <algorithm>

namespace mta {

void TopCounts::add(std::string_view key) {
  if (key.empty()) return;
  key = key.substr(0, kMaxKeyBytes);
  ++total_;
  if (const auto found = index_.find(key); found != index_.end()) {
    ++slots_[found->second].count;
    return;
  }
  if (slots_.size() < kMaxKeys) {
    const auto slot = static_cast<std::uint32_t>(slots_.size());
    const auto added = index_.emplace(key, slot).first;
    slots_.push_back({&added->first, 1, 0});
    least_.push({1, slot});
    return;
  }
  // Full: the least counted slot takes the new key (each slot counted since its entry was pushed is pushed again
  // with its count; every increment is re-pushed at most once, so this stays O(log kMaxKeys) amortised).
  while (least_.top().first != slots_[least_.top().second].count) {
    const std::uint32_t slot = least_.top().second;
    least_.pop();
    least_.push({slots_[slot].count, slot});
  }
  const std::uint32_t slot = least_.top().second;
  least_.pop();
  Slot& replaced = slots_[slot];
  index_.erase(index_.find(*replaced.key));
  const auto added = index_.emplace(key, slot).first;
  replaced = {&added->first, replaced.count + 1, replaced.count};
  least_.push({replaced.count, slot});
}

std::vector<TopCount> TopCounts::top(std::size_t n) const {
  std::vector<TopCount> sorted;
  sorted.reserve(slots_.size());
  for (const Slot& slot : slots_) sorted.push_back({*slot.key, slot.count, slot.error});
  const auto larger = [](const TopCount& a, const TopCount& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  };
  const std::size_t kept = std::min(n, sorted.size());
  std::partial_sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(kept), sorted.end(), larger);
  sorted.resize(kept);
  return sorted;
}

}  // namespace mta
