#pragma once
// Counts by a key taken from log content (a domain, a client host), in bounded memory: at most kMaxKeys keys of at
// most kMaxKeyBytes each are held, so a flood of distinct hostile names cannot grow the report. Past that many keys
// the table is a Space-Saving summary (Metwally, Agrawal, El Abbadi, "Efficient computation of frequent and top-k
// elements in data streams", 2005): a new key takes the place of the least counted one and inherits its count as
// its possible error, so a key that arrives late but often still rises to the top, and a count is exact while its
// error is 0.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mta {

struct TopCount {
  std::string key;
  std::uint64_t count;  // at least count - error, at most count
  std::uint64_t error;

  bool operator==(const TopCount&) const = default;
};

class TopCounts {
 public:
  static constexpr std::size_t kMaxKeys = 10000;
  static constexpr std::size_t kMaxKeyBytes = 128;

  // `key` is cut to kMaxKeyBytes; an empty key is not counted.
  void add(std::string_view key);

  // The `n` largest counts, largest first (ties in key order).
  std::vector<TopCount> top(std::size_t n) const;
  std::uint64_t total() const { return total_; }
  std::size_t keys() const { return slots_.size(); }

 private:
  // Transparent, so that counting a key already held builds no string.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  struct Slot {
    const std::string* key;  // the key in index_, whose nodes do not move
    std::uint64_t count;
    std::uint64_t error;
  };
  // (count when pushed, slot); a slot counted since it was pushed is pushed again when it surfaces, so the top
  // of the heap is the least counted slot once it is current. One entry per slot.
  using HeapEntry = std::pair<std::uint64_t, std::uint32_t>;

  std::unordered_map<std::string, std::uint32_t, KeyHash, std::equal_to<>> index_;
  std::vector<Slot> slots_;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> least_;
  std::uint64_t total_ = 0;
};

}  // namespace mta
