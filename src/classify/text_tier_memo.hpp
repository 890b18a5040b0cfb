#pragma once
// Remembers which text rule group decided the last few thousand reply texts. A mail log repeats its
// replies (one refusal for every recipient, one deferral on every queue run), and finding the deciding
// group costs a scan of the text against every rule of the tier; a repeat then costs a hash and a compare. Fixed memory,
// allocated once: short texts in one table, the long ones (Gmail's and Microsoft's run to 300-400
// characters, and cost the most to search) in a smaller one of wider slots; longer texts are not
// remembered.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "smtp/smtp_event.hpp"

namespace mta {

inline constexpr int kTextTierUnknown = -2;  // not remembered; -1 is "no group decides"

// A set-associative table: a text may sit in any of the kWays slots of its set, so that a few frequent
// replies whose hashes meet do not evict each other on every line (round robin picks the one to replace).
template <std::size_t kEntries, std::size_t kWays, std::size_t kMaxText>
class TextTierTable {
 public:
  static constexpr std::size_t kLongest = kMaxText;

  int find(std::uint64_t hash, std::string_view text, Stage stage, std::size_t tier) const {
    const std::size_t slot = slot_holding(hash, text, stage);
    return slot != kEntries ? entries_[slot].group[tier] : kTextTierUnknown;
  }

  void remember(std::uint64_t hash, std::string_view text, Stage stage, std::size_t tier, int group) {
    std::size_t slot = slot_holding(hash, text, stage);
    if (slot == kEntries) {
      const std::size_t set = hash % kSets;
      slot = set * kWays + next_victim_[set];
      next_victim_[set] = static_cast<std::uint8_t>((next_victim_[set] + 1) % kWays);
      Entry& entry = entries_[slot];
      entry.hash = hash;
      entry.length = static_cast<std::uint16_t>(text.size());
      entry.stage = stage;
      entry.group = {kTextTierUnknown, kTextTierUnknown};
      std::memcpy(entry.text.data(), text.data(), text.size());
    }
    entries_[slot].group[tier] = static_cast<std::int16_t>(group);
  }

 private:
  static constexpr std::size_t kSets = kEntries / kWays;
  static_assert(kSets * kWays == kEntries && kWays < 256 && kMaxText < 65536);

  struct Entry {
    std::uint64_t hash = 0;
    std::uint16_t length = 0;
    Stage stage = Stage::unknown;
    std::array<std::int16_t, 2> group{kTextTierUnknown, kTextTierUnknown};
    std::array<char, kMaxText> text{};
  };

  // The slot of the set that holds `text` at `stage`, or kEntries.
  std::size_t slot_holding(std::uint64_t hash, std::string_view text, Stage stage) const {
    const std::size_t first = (hash % kSets) * kWays;
    for (std::size_t slot = first; slot < first + kWays; ++slot) {
      const Entry& entry = entries_[slot];
      if (entry.hash == hash && entry.length == text.size() && entry.stage == stage &&
          entry.group != std::array<std::int16_t, 2>{kTextTierUnknown, kTextTierUnknown} &&
          std::memcmp(entry.text.data(), text.data(), text.size()) == 0) {
        return slot;
      }
    }
    return kEntries;
  }

  std::vector<Entry> entries_ = std::vector<Entry>(kEntries);
  std::vector<std::uint8_t> next_victim_ = std::vector<std::uint8_t>(kSets, 0);
};

class TextTierMemo {
 public:
  static constexpr int kUnknown = kTextTierUnknown;

  // The group remembered for `text` at `stage` in the text tier `tier` (0 strong, 1 weak), or kUnknown.
  int find(std::string_view text, Stage stage, std::size_t tier) const {
    if (text.size() <= ShortTexts::kLongest) return short_.find(hash_of(text, stage), text, stage, tier);
    if (text.size() <= LongTexts::kLongest) return long_.find(hash_of(text, stage), text, stage, tier);
    return kUnknown;
  }

  void remember(std::string_view text, Stage stage, std::size_t tier, int group) {
    if (text.size() <= ShortTexts::kLongest) {
      short_.remember(hash_of(text, stage), text, stage, tier, group);
    } else if (text.size() <= LongTexts::kLongest) {
      long_.remember(hash_of(text, stage), text, stage, tier, group);
    }
  }

 private:
  // 4096 slots of 256 bytes (1 MiB) and 256 of 1 KiB: a busy server's distinct failure replies at a time.
  // The dev set's 666 failure lines (tests/bench/throughput.py --mix real-failures) thrashed 512 and 2048
  // direct-mapped slots, and sets of 4 ways, where more texts met in a set than it had ways.
  using ShortTexts = TextTierTable<4096, 8, 240>;
  using LongTexts = TextTierTable<256, 4, 1008>;

  static std::uint64_t hash_of(std::string_view text, Stage stage) {
    std::uint64_t hash = 14695981039346656037ull ^ static_cast<std::uint64_t>(stage);  // FNV-1a
    for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return hash;
  }

  ShortTexts short_;
  LongTexts long_;
};

}  // namespace mta
