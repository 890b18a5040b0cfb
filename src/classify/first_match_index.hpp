#pragma once
// Finds the first of an ordered list of patterns that matches a text, without allocating.
// RE2::Set reports every match but allocates on each call; here a binary tree of RE2 alternations
// over ranges of the list lets a search descend to the first match in about log2(n) DFA scans.

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mta {

class FirstMatchIndex {
 public:
  FirstMatchIndex() = default;
  // Throws std::runtime_error naming the pattern when one does not compile.
  FirstMatchIndex(const std::vector<std::string>& patterns, const RE2::Options& options);

  // The index of the first pattern at or after `from` that matches somewhere in `text`, or -1.
  int first_match(std::string_view text, int from = 0) const;
  bool empty() const { return nodes_.empty(); }

 private:
  struct Node {
    std::unique_ptr<RE2> regex;
    int begin;
    int end;
    int left = -1;
    int right = -1;
  };

  int build(const std::vector<std::string>& patterns, int begin, int end, const RE2::Options& options);
  int search(int node, std::string_view text, int from, bool known_to_match) const;

  std::vector<Node> nodes_;
  int root_ = -1;
};

}  // namespace mta
