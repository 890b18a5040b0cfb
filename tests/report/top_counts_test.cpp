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
  EXPECT_EQ(top[0], (std::pair<std::string, std::uint64_t>{"c.example", 3}));
  EXPECT_EQ(top[1], (std::pair<std::string, std::uint64_t>{"b.example", 2}));
  EXPECT_EQ(top[2], (std::pair<std::string, std::uint64_t>{"a.example", 1}));
  EXPECT_EQ(counts.total(), 7u);
  EXPECT_EQ(counts.top(100).size(), 4u);
}

TEST(TopCountsTest, AFloodOfDistinctKeysIsHeldToTheBound) {
  TopCounts counts;
  const std::string long_key(1000, 'x');
  for (std::size_t i = 0; i < TopCounts::kMaxKeys + 500; ++i) counts.add(std::to_string(i) + long_key);
  EXPECT_EQ(counts.keys(), TopCounts::kMaxKeys);
  EXPECT_EQ(counts.others(), 500u);
  EXPECT_EQ(counts.total(), TopCounts::kMaxKeys + 500);
  EXPECT_EQ(counts.top(1).front().first.size(), TopCounts::kMaxKeyBytes);
  // A key already held is still counted under its own name when the table is full.
  counts.add("0" + long_key);
  EXPECT_EQ(counts.top(1).front().second, 2u);
  EXPECT_EQ(counts.others(), 500u);
}

}  // namespace
}  // namespace mta
