#include "classify/first_match_index.hpp"

#include <algorithm>
#include <stdexcept>

namespace mta {

FirstMatchIndex::FirstMatchIndex(const std::vector<std::string>& patterns, const RE2::Options& options, bool with_set)
    : patterns_(patterns), options_(options) {
  if (patterns.empty()) return;
  nodes_ = std::make_unique<Node[]>(2 * patterns.size() - 1);
  int next = 0;
  root_ = build(0, static_cast<int>(patterns.size()), next);
  if (with_set) {
    // The set parses every pattern as it takes it, which proves them; the tree is then only a fallback and
    // is compiled, root included, when a search first needs it.
    set_ = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      std::string error;
      if (set_->Add(patterns[i], &error) != static_cast<int>(i)) {
        throw std::runtime_error("pattern \"" + patterns[i] + "\": " + error);
      }
    }
    if (!set_->Compile()) set_.reset();
    return;
  }
  const RE2& root = regex_of(nodes_[static_cast<std::size_t>(root_)]);
  if (root.ok()) return;
  for (const std::string& pattern : patterns) {
    const RE2 single(pattern, options);
    if (!single.ok()) throw std::runtime_error("pattern \"" + pattern + "\": " + single.error());
  }
  throw std::runtime_error("patterns together: " + root.error());
}

int FirstMatchIndex::build(int begin, int end, int& next) {
  const int index = next++;
  Node& node = nodes_[static_cast<std::size_t>(index)];
  node.begin = begin;
  node.end = end;
  if (end - begin > 1) {
    const int middle = begin + (end - begin) / 2;
    node.left = build(begin, middle, next);
    node.right = build(middle, end, next);
  }
  return index;
}

std::string FirstMatchIndex::alternation(int begin, int end) const {
  std::string text;
  for (int i = begin; i < end; ++i) {
    if (i != begin) text += '|';
    text += "(?:" + patterns_[static_cast<std::size_t>(i)] + ")";
  }
  return text;
}

const RE2& FirstMatchIndex::regex_of(const Node& node) const {
  if (const RE2* compiled = node.regex.load(std::memory_order_acquire)) return *compiled;
  // Every part of the root's alternation compiles within the root's budget.
  auto compiled = std::make_unique<const RE2>(alternation(node.begin, node.end), options_);
  const RE2* expected = nullptr;
  if (node.regex.compare_exchange_strong(expected, compiled.get(), std::memory_order_acq_rel)) {
    return *compiled.release();
  }
  return *expected;  // another thread compiled it first
}

bool FirstMatchIndex::all_matches(std::string_view text, std::vector<int>& matches) const {
  if (!set_) return false;
  RE2::Set::ErrorInfo error;
  if (!set_->Match(text, &matches, &error)) return error.kind == RE2::Set::kNoError;
  std::sort(matches.begin(), matches.end());
  return true;
}

int FirstMatchIndex::first_match(std::string_view text, int from) const {
  return root_ < 0 ? -1 : search(root_, text, from, false);
}

int FirstMatchIndex::search(int index, std::string_view text, int from, bool known_to_match) const {
  const Node& node = nodes_[static_cast<std::size_t>(index)];
  if (node.end <= from) return -1;
  if (!known_to_match && !RE2::PartialMatch(text, regex_of(node))) return -1;
  if (node.left < 0) return node.begin;
  const int found = search(node.left, text, from, false);
  if (found >= 0) return found;
  // The node matched and its left half found nothing; unless `from` cut into the left half, the match
  // is in the right half and need not be tested again.
  return search(node.right, text, from, nodes_[static_cast<std::size_t>(node.left)].begin >= from);
}

}  // namespace mta
