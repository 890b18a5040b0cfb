#pragma once
// Finds the first of an ordered list of patterns that matches a text, two ways:
// - all_matches(): one RE2::Set scan reports every matching pattern. It is the fastest (a reply the classifier's
//   memo does not hold cost 3.7 us with the tree, 2.5 us with the set: tests/bench/throughput.py --mix failures),
//   but re2 (2022-06-01, set.cc) allocates its match set, sized by the number of patterns, on every call, and
//   gives up when its DFA outgrows the memory budget on a hostile text;
// - first_match(): a binary tree of RE2 alternations over ranges of the list, descended to the first match in
//   about log2(n) DFA scans without allocating once warm: the fallback, and the index for short lists.
// A tree node is compiled the first time a search reaches it (only the root is compiled up front, to prove the
// patterns, when there is no set), so the start costs one alternation rather than one per tree level, and the
// parts of the tree no log line ever reaches cost no memory. Searches may run on several threads.

#include <re2/re2.h>
#include <re2/set.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mta {

class FirstMatchIndex {
 public:
  FirstMatchIndex() = default;
  // Throws std::runtime_error naming the first pattern that does not compile. `with_set`: also build the set
  // that all_matches() scans.
  FirstMatchIndex(const std::vector<std::string>& patterns, const RE2::Options& options, bool with_set = false);

  // The index of the first pattern at or after `from` that matches somewhere in `text`, or -1.
  int first_match(std::string_view text, int from = 0) const;
  bool empty() const { return root_ < 0; }
  // Every pattern that matches somewhere in `text`, ascending, into `matches`. False when the set could not
  // tell (its DFA ran out of memory): then ask first_match().
  bool all_matches(std::string_view text, std::vector<int>& matches) const;

 private:
  struct Node {
    int begin = 0;
    int end = 0;
    int left = -1;
    int right = -1;
    mutable std::atomic<const RE2*> regex{nullptr};  // owned; set once, by whichever search compiles it first

    Node() = default;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;
    ~Node() { delete regex.load(); }
  };

  int build(int begin, int end, int& next);
  std::string alternation(int begin, int end) const;
  const RE2& regex_of(const Node& node) const;
  int search(int node, std::string_view text, int from, bool known_to_match) const;

  std::vector<std::string> patterns_;
  RE2::Options options_;
  std::unique_ptr<Node[]> nodes_;  // 2n-1 of them for n patterns; root first
  int root_ = -1;
  std::unique_ptr<RE2::Set> set_;  // every pattern; null when the set does not compile within the budget
};

}  // namespace mta
