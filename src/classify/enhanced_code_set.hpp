#pragma once
// A set of enhanced codes whose test costs a shift and a mask for the codes replies carry most: one bit for each code
// of a subject and detail that RFC 3463 and its successors register (subjects 0-7, details below 64), a hash set for
// the rest (providers' own, such as Yahoo's 4.16.55). Every reply counted tests its code against the labels' sets.

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <unordered_set>

#include "smtp/reply.hpp"

namespace mta {

class EnhancedCodeSet {
 public:
  void insert(EnhancedCode code) {
    if (in_bitmap(code)) {
      bits_.set(bit(code));
    } else {
      others_.insert(code.packed());
    }
  }

  bool contains(EnhancedCode code) const {
    if (in_bitmap(code)) return bits_.test(bit(code));
    return !others_.empty() && others_.contains(code.packed());
  }

 private:
  static constexpr std::size_t kClasses = 8;  // a class is one digit: 2, 4 or 5
  static constexpr std::size_t kSubjects = 8;
  static constexpr std::size_t kDetails = 64;

  static bool in_bitmap(EnhancedCode code) {
    return code.klass < kClasses && code.subject < kSubjects && code.detail < kDetails;
  }
  static std::size_t bit(EnhancedCode code) {
    return (static_cast<std::size_t>(code.klass) * kSubjects + code.subject) * kDetails + code.detail;
  }

  std::bitset<kClasses * kSubjects * kDetails> bits_;
  std::unordered_set<std::uint32_t> others_;
};

}  // namespace mta
