#include "report/top_counts.hpp"

#include <algorithm>

namespace mta {

void TopCounts::add(std::string_view key) {
  if (key.empty()) return;
  key = key.substr(0, kMaxKeyBytes);
  ++total_;
  if (const auto found = counts_.find(key); found != counts_.end()) {
    ++found->second;
  } else if (counts_.size() < kMaxKeys) {
    counts_.emplace(key, 1);
  } else {
    ++others_;
  }
}

std::vector<std::pair<std::string, std::uint64_t>> TopCounts::top(std::size_t n) const {
  std::vector<std::pair<std::string, std::uint64_t>> sorted(counts_.begin(), counts_.end());
  const auto larger = [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  const std::size_t kept = std::min(n, sorted.size());
  std::partial_sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(kept), sorted.end(), larger);
  sorted.resize(kept);
  return sorted;
}

}  // namespace mta
