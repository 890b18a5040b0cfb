#include "classify/enhanced_code_set.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>

namespace mta {
namespace {

TEST(EnhancedCodeSetTest, HoldsWhatWasInsertedAndNothingElse) {
  EnhancedCodeSet set;
  // Registered codes (bits), and the codes past the bits' range: a subject of 8 or more, a detail of 64 or more.
  const EnhancedCode inserted[] = {{5, 1, 1}, {4, 7, 1}, {2, 0, 0}, {5, 7, 63}, {4, 16, 55}, {5, 7, 64}, {5, 7, 999}};
  for (const EnhancedCode code : inserted) set.insert(code);
  for (const EnhancedCode code : inserted) EXPECT_TRUE(set.contains(code));
  for (const EnhancedCode code : {EnhancedCode{4, 1, 1}, EnhancedCode{5, 1, 2}, EnhancedCode{5, 16, 55},
                                  EnhancedCode{4, 16, 54}, EnhancedCode{5, 7, 65}, EnhancedCode{2, 0, 1}}) {
    EXPECT_FALSE(set.contains(code));
  }
}

TEST(EnhancedCodeSetTest, AgreesWithAnOrderedSetOnRandomCodes) {
  std::mt19937 random(3);
  const auto any_code = [&random] {
    constexpr std::uint8_t kClasses[] = {2, 4, 5};
    // Small subjects and details most of the time, as replies carry them, and sometimes any three digits.
    const bool small = random() % 4 != 0;
    return EnhancedCode{kClasses[random() % 3], static_cast<std::uint16_t>(random() % (small ? 10 : 1000)),
                        static_cast<std::uint16_t>(random() % (small ? 70 : 1000))};
  };
  EnhancedCodeSet set;
  std::set<std::uint32_t> expected;
  for (int i = 0; i < 2000; ++i) {
    const EnhancedCode code = any_code();
    set.insert(code);
    expected.insert(code.packed());
  }
  for (int i = 0; i < 20000; ++i) {
    const EnhancedCode code = any_code();
    ASSERT_EQ(set.contains(code), expected.contains(code.packed())) << code.packed();
  }
}

}  // namespace
}  // namespace mta
