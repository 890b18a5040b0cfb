#pragma once
// Remembers which text rule group decided the last two thousand or so reply texts. A mail log repeats its
// replies (one refusal for every recipient, one deferral on every queue run), and finding the deciding
// group costs several DFA scans of the text; a repeat then costs a hash and a compare. Fixed memory,
// allocated once; texts longer than kMaxText are not remembered.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "smtp/smtp_event.hpp"

namespace mta {

class TextTierMemo {
 public:
  static constexpr int kUnknown = -2;  // not remembered; -1 is "no group decides"

  TextTierMemo() : entries_(kEntries) {}

  // The group remembered for `text` at `stage` in the text tier `tier` (0 strong, 1 weak), or kUnknown.
  int find(std::string_view text, Stage stage, std::size_t tier) const {
    const std::uint64_t hash = hash_of(text, stage);
    const Entry& entry = entries_[hash % kEntries];
    return holds(entry, hash, text, stage) ? entry.group[tier] : kUnknown;
  }

  void remember(std::string_view text, Stage stage, std::size_t tier, int group) {
    if (text.size() > kMaxText) return;
    const std::uint64_t hash = hash_of(text, stage);
    Entry& entry = entries_[hash % kEntries];
    if (!holds(entry, hash, text, stage)) {
      entry.hash = hash;
      entry.length = static_cast<std::uint16_t>(text.size());
      entry.stage = stage;
      entry.group = {kUnknown, kUnknown};
      std::memcpy(entry.text.data(), text.data(), text.size());
    }
    entry.group[tier] = static_cast<std::int16_t>(group);
  }

 private:
  // 2048 slots of 256 bytes (512 KiB): a busy server's distinct failure replies at a time (the dev set's
  // 666 failure lines thrashed 512 direct-mapped slots; tests/bench/throughput.py --mix real-failures).
  static constexpr std::size_t kEntries = 2048;
  static constexpr std::size_t kMaxText = 240;

  struct Entry {
    std::uint64_t hash = 0;
    std::uint16_t length = 0;
    Stage stage = Stage::unknown;
    std::array<std::int16_t, 2> group{kUnknown, kUnknown};
    std::array<char, kMaxText> text{};
  };

  static std::uint64_t hash_of(std::string_view text, Stage stage) {
    std::uint64_t hash = 14695981039346656037ull ^ static_cast<std::uint64_t>(stage);  // FNV-1a
    for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return hash;
  }

  static bool holds(const Entry& entry, std::uint64_t hash, std::string_view text, Stage stage) {
    return entry.hash == hash && entry.length == text.size() && entry.stage == stage &&
           entry.group != std::array<std::int16_t, 2>{kUnknown, kUnknown} &&
           std::memcmp(entry.text.data(), text.data(), text.size()) == 0;
  }

  std::vector<Entry> entries_;
};

}  // namespace mta
