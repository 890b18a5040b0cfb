#include "classify/first_match_index.hpp"

#include <stdexcept>

namespace mta {

FirstMatchIndex::FirstMatchIndex(const std::vector<std::string>& patterns, const RE2::Options& options) {
  if (patterns.empty()) return;
  nodes_.reserve(2 * patterns.size());
  root_ = build(patterns, 0, static_cast<int>(patterns.size()), options);
}

int FirstMatchIndex::build(const std::vector<std::string>& patterns, int begin, int end, const RE2::Options& options) {
  std::string alternation;
  for (int i = begin; i < end; ++i) {
    if (i != begin) alternation += '|';
    alternation += "(?:" + patterns[static_cast<std::size_t>(i)] + ")";
  }
  auto regex = std::make_unique<RE2>(alternation, options);
  if (!regex->ok()) {
    throw std::runtime_error("pattern \"" +
                             (end - begin == 1 ? patterns[static_cast<std::size_t>(begin)] : alternation) +
                             "\": " + regex->error());
  }
  const int index = static_cast<int>(nodes_.size());
  nodes_.push_back(Node{std::move(regex), begin, end});
  if (end - begin > 1) {
    const int middle = begin + (end - begin) / 2;
    const int left = build(patterns, begin, middle, options);
    const int right = build(patterns, middle, end, options);
    nodes_[static_cast<std::size_t>(index)].left = left;
    nodes_[static_cast<std::size_t>(index)].right = right;
  }
  return index;
}

int FirstMatchIndex::first_match(std::string_view text, int from) const {
  return root_ < 0 ? -1 : search(root_, text, from, false);
}

int FirstMatchIndex::search(int index, std::string_view text, int from, bool known_to_match) const {
  const Node& node = nodes_[static_cast<std::size_t>(index)];
  if (node.end <= from) return -1;
  if (!known_to_match && !RE2::PartialMatch(text, *node.regex)) return -1;
  if (node.left < 0) return node.begin;
  const int found = search(node.left, text, from, false);
  if (found >= 0) return found;
  // The node matched and its left half found nothing; unless `from` cut into the left half, the match
  // is in the right half and need not be tested again.
  return search(node.right, text, from, nodes_[static_cast<std::size_t>(node.left)].begin >= from);
}

}  // namespace mta
