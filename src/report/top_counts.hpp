#pragma once
// Counts by a key taken from log content (a domain, a client host), in bounded memory: at most kMaxKeys keys of at
// most kMaxKeyBytes each are held; a key that arrives when the table is full is counted under "others", so a
// flood of distinct hostile names cannot grow the report's memory. The first keys to arrive keep their place.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mta {

class TopCounts {
 public:
  static constexpr std::size_t kMaxKeys = 10000;
  static constexpr std::size_t kMaxKeyBytes = 128;

  // `key` is cut to kMaxKeyBytes; an empty key is not counted.
  void add(std::string_view key);

  // The `n` largest counts, largest first (ties in key order).
  std::vector<std::pair<std::string, std::uint64_t>> top(std::size_t n) const;
  // What was counted in total, and under no key of its own because the table was full.
  std::uint64_t total() const { return total_; }
  std::uint64_t others() const { return others_; }
  std::size_t keys() const { return counts_.size(); }

 private:
  // Transparent, so that counting a key already held builds no string.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  std::unordered_map<std::string, std::uint64_t, KeyHash, std::equal_to<>> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t others_ = 0;
};

}  // namespace mta
