#include "report/top_counts.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mta {
namespace {

TEST(TopCountsTest, TheLargestCountsComeFirstAndTiesInKeyOrder) {
  TopCounts counts;
  for (const char* key : {"b.example", "a.example", "c.example", "c.example", "b.example", "c.example", "d.example"})
    counts.add(key);
  counts.add("");  // not counted
  const auto top = counts.top(3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].key, "c.example");
  EXPECT_EQ(top[0].count, 3u);
  EXPECT_EQ(top[1].key, "b.example");
  EXPECT_EQ(top[1].count, 2u);
  EXPECT_EQ(top[2].key, "a.example");
  EXPECT_EQ(top[2].error, 0u);  // exact while the table has room
  EXPECT_EQ(counts.total(), 7u);
  EXPECT_EQ(counts.top(100).size(), 4u);
}

TEST(TopCountsTest, AFloodOfDistinctKeysIsHeldToTheBoundAndTheLongOnesAreCut) {
  TopCounts counts;
  const std::string long_key(1000, 'x');
  for (std::size_t i = 0; i < 3 * TopCounts::kMaxKeys; ++i) counts.add(std::to_string(i) + long_key);
  EXPECT_EQ(counts.keys(), TopCounts::kMaxKeys);
  EXPECT_EQ(counts.total(), 3 * TopCounts::kMaxKeys);
  EXPECT_EQ(counts.top(1).front().key.size(), TopCounts::kMaxKeyBytes);
}

// The reviewer's case: a client refused 500 times after 10,000 others refused once each.
TEST(TopCountsTest, AFrequentKeyThatArrivesLateStillRisesToTheTop) {
  TopCounts counts;
  for (std::size_t i = 0; i < TopCounts::kMaxKeys; ++i) counts.add("once-" + std::to_string(i));
  for (int i = 0; i < 500; ++i) {
    counts.add("bot.example[198.51.100.7]");
    counts.add("flood-" + std::to_string(i));  // more new keys between its hits
  }
  const auto top = counts.top(2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].key, "bot.example[198.51.100.7]");
  // Space-Saving: the count overestimates by at most its error, never underestimates.
  EXPECT_GE(top[0].count, 500u);
  EXPECT_LE(top[0].count - top[0].error, 500u);
  EXPECT_GT(top[0].error, 0u);
  EXPECT_EQ(counts.keys(), TopCounts::kMaxKeys);
}

}  // namespace
}  // namespace mta
