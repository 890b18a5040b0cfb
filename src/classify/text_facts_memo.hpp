#pragma once
// Remembers what the classifier learnt from the last few thousand reply texts: the group of each text tier that
// decided, the provider a marker in the text names, and the rule that decided the cause of the last reply with that
// text, with the context it was decided in. A mail log repeats its replies (one refusal for every recipient, one
// deferral on every queue run), and each fact costs a scan of the text against every rule or marker; a repeat then
// costs one hash and one compare. Fixed memory, allocated once: short texts in one table, the long ones (Gmail's and
// Microsoft's run to 300-400 characters, and cost the most to search) in a smaller one of wider slots; longer texts are
// not remembered.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>
#include <vector>

#include "classify/cause.hpp"
#include "classify/knowledge.hpp"
#include "smtp/smtp_event.hpp"

namespace mta {

// What is remembered of a text: a text tier's deciding group (-1: none decides), or a provider id.
enum class TextFact : std::uint8_t {
  strong_text_group,
  weak_text_group,
  failure_statement_group,
  provider_by_wording,
  provider_by_marker
};
inline constexpr std::size_t kTextFactCount = 5;
inline constexpr int kTextFactUnknown = -2;  // not remembered

// The rule that decided a reply's cause (empty when none did), and everything else the rules read besides the
// text and its stage (codes, class, MTA, direction, provider), packed by the classifier; 0 is no context.
struct Decision {
  Cause cause = Cause::other;
  Tier tier = Tier::basic_code;
  std::string_view rule;
  std::string_view source;
};
using DecisionContext = std::uint64_t;

// A normalised text at the stage of its reply (stage conditions make a text decide differently at another
// stage), hashed once for every fact looked up about it.
struct TextKey {
  // libstdc++ hashes 8 bytes a step (murmur); FNV-1a, a byte a step, cost a tenth of a failure line's time.
  TextKey(std::string_view text, Stage stage)
      : text(text),
        stage(stage),
        hash(std::hash<std::string_view>{}(text) ^ (static_cast<std::uint64_t>(stage) * 0x9E3779B97F4A7C15ull)) {}

  std::string_view text;
  Stage stage;
  std::uint64_t hash;
};

// What is known of one text at one stage.
struct TextFacts {
  std::array<std::int16_t, kTextFactCount> values{};  // kTextFactUnknown until learnt
  DecisionContext decision_context = 0;
  Decision decision;

  // Nothing known: the state of a text new to the memo.
  void forget() {
    values.fill(kTextFactUnknown);
    decision_context = 0;
  }

  int find(TextFact fact) const { return values[static_cast<std::size_t>(fact)]; }
  void remember(TextFact fact, int value) { values[static_cast<std::size_t>(fact)] = static_cast<std::int16_t>(value); }

  // The decision remembered in `context`, or nullptr.
  const Decision* decision_in(DecisionContext context) const {
    return decision_context == context ? &decision : nullptr;
  }
  // A text keeps one decision: a reply that several providers send, or one MTA at several stages, keeps the last.
  void remember_decision(DecisionContext context, const Decision& decided) {
    decision_context = context;
    decision = decided;
  }
};

// A set-associative table: a text may sit in any of the kWays slots of its set, so that a few frequent
// replies whose hashes meet do not evict each other on every line (round robin picks the one to replace).
template <std::size_t kEntries, std::size_t kWays, std::size_t kMaxText>
class TextFactsTable {
 public:
  static constexpr std::size_t kLongest = kMaxText;

  const TextFacts* find(const TextKey& key) const {
    const std::size_t slot = slot_holding(key);
    return slot != kEntries ? &entries_[slot].facts : nullptr;
  }

  // The facts of the key's text, else a slot of its set given to it (round robin) with nothing known.
  TextFacts& facts_of(const TextKey& key) {
    if (const std::size_t slot = slot_holding(key); slot != kEntries) return entries_[slot].facts;
    const std::size_t set = key.hash % kSets;
    Entry& entry = entries_[set * kWays + next_victim_[set]];
    next_victim_[set] = static_cast<std::uint8_t>((next_victim_[set] + 1) % kWays);
    entry.used = true;
    entry.hash = key.hash;
    entry.length = static_cast<std::uint16_t>(key.text.size());
    entry.stage = key.stage;
    entry.facts.forget();
    std::memcpy(entry.text.data(), key.text.data(), key.text.size());
    return entry.facts;
  }

 private:
  static constexpr std::size_t kSets = kEntries / kWays;
  static_assert(kSets * kWays == kEntries && kWays < 256 && kMaxText < 65536);

  struct Entry {
    std::uint64_t hash = 0;
    std::uint16_t length = 0;
    Stage stage = Stage::unknown;
    bool used = false;
    TextFacts facts;
    std::array<char, kMaxText> text{};
  };

  // The slot of the set that holds the key's text at its stage, or kEntries.
  std::size_t slot_holding(const TextKey& key) const {
    const std::size_t first = (key.hash % kSets) * kWays;
    for (std::size_t slot = first; slot < first + kWays; ++slot) {
      const Entry& entry = entries_[slot];
      if (entry.used && entry.hash == key.hash && entry.length == key.text.size() && entry.stage == key.stage &&
          std::memcmp(entry.text.data(), key.text.data(), key.text.size()) == 0) {
        return slot;
      }
    }
    return kEntries;
  }

  std::vector<Entry> entries_ = std::vector<Entry>(kEntries);
  std::vector<std::uint8_t> next_victim_ = std::vector<std::uint8_t>(kSets, 0);
};

class TextFactsMemo {
 public:
  static constexpr int kUnknown = kTextFactUnknown;

  // What is remembered of the key's text and stage, or nullptr.
  const TextFacts* find(const TextKey& key) const {
    if (key.text.size() <= ShortTexts::kLongest) return short_.find(key);
    if (key.text.size() <= LongTexts::kLongest) return long_.find(key);
    return nullptr;
  }

  // The facts of the key's text and stage, which a new text is given with nothing known (and another text loses);
  // nullptr for a text too long to remember. One look-up for every fact a reply needs.
  TextFacts* facts_of(const TextKey& key) {
    if (key.text.size() <= ShortTexts::kLongest) return &short_.facts_of(key);
    if (key.text.size() <= LongTexts::kLongest) return &long_.facts_of(key);
    return nullptr;
  }

 private:
  // 4096 slots of 304 bytes (1.2 MiB) and 256 of 1 KiB: a busy server's distinct failure replies at a time.
  // The dev set's 666 failure lines (tests/bench/throughput.py --mix real-failures) thrashed 512 and 2048
  // direct-mapped slots, and sets of 4 ways, where more texts met in a set than it had ways.
  using ShortTexts = TextFactsTable<4096, 8, 232>;
  using LongTexts = TextFactsTable<256, 4, 1000>;

  ShortTexts short_;
  LongTexts long_;
};

}  // namespace mta
