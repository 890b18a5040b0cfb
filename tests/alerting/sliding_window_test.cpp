// Tests for the per-second ring the alert rules sum over (src/alerting/sliding_window.hpp): sums by length and
// offset, the seconds a jump skips, earlier seconds, and ranges that reach past the horizon.

#include "alerting/sliding_window.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace mta {
namespace {

// Seconds `first`..`first + counts.size() - 1`, each with its count.
void fill(SlidingWindow& window, std::int64_t first, std::initializer_list<double> counts) {
  std::int64_t second = first;
  for (const double count : counts) {
    window.advance_to(second++);
    window.add(count);
  }
}

TEST(SlidingWindowTest, SumsTheSecondsThatEndOffsetSecondsBeforeTheNewest) {
  SlidingWindow window(10);
  fill(window, 100, {1, 2, 4, 8});  // seconds 100..103; powers of two tell which seconds a sum took
  EXPECT_EQ(window.sum(1), 8);
  EXPECT_EQ(window.sum(2), 8 + 4);
  EXPECT_EQ(window.sum(4), 8 + 4 + 2 + 1);
  EXPECT_EQ(window.sum(2, 1), 4 + 2);
  EXPECT_EQ(window.sum(1, 3), 1);
  EXPECT_EQ(window.sum(10), 15);  // the seconds before 100 were never counted
  EXPECT_EQ(window.sum(0), 0);
  EXPECT_EQ(window.horizon(), 10);
}

TEST(SlidingWindowTest, CountsAddUpWithinOneSecond) {
  SlidingWindow window(5);
  window.advance_to(7);
  window.add(1.5);
  window.add(2);
  window.advance_to(7);  // the same second again: nothing is emptied
  window.add(0.5);
  EXPECT_EQ(window.sum(1), 4);
}

TEST(SlidingWindowTest, AdvancingEmptiesTheSkippedSeconds) {
  SlidingWindow window(5);
  fill(window, 0, {1, 2, 4, 8, 16});  // a full ring: seconds 0..4
  // Seconds 5, 6 and 7 take the buckets of 0, 1 and 2; none of them was counted, so all three read 0.
  window.advance_to(7);
  EXPECT_EQ(window.sum(3), 0);
  EXPECT_EQ(window.sum(5), 8 + 16);  // seconds 3..7
  EXPECT_EQ(window.sum(2, 3), 8 + 16);
}

TEST(SlidingWindowTest, SkippingTheWholeHorizonEmptiesEverySecond) {
  SlidingWindow exactly(5);
  fill(exactly, 0, {1, 2, 4, 8, 16});
  exactly.advance_to(9);  // 5 seconds later: every bucket is a skipped second
  EXPECT_EQ(exactly.sum(5), 0);

  SlidingWindow far(5);
  fill(far, 0, {1, 2, 4, 8, 16});
  far.advance_to(1'000'003);
  EXPECT_EQ(far.sum(5), 0);
  far.add(3);
  EXPECT_EQ(far.sum(5), 3);
}

TEST(SlidingWindowTest, AnEarlierSecondIsIgnored) {
  SlidingWindow window(5);
  fill(window, 10, {1, 2});  // seconds 10, 11
  window.advance_to(3);
  window.add(4);  // still counted in second 11, the newest
  EXPECT_EQ(window.sum(1), 2 + 4);
  EXPECT_EQ(window.sum(1, 1), 1);
}

TEST(SlidingWindowTest, SecondsBeyondTheHorizonCountZero) {
  SlidingWindow window(5);
  fill(window, 0, {1, 2, 4, 8, 16, 32});  // second 0 fell out of the ring when second 5 took its bucket
  EXPECT_EQ(window.sum(5), 2 + 4 + 8 + 16 + 32);
  EXPECT_EQ(window.sum(100), 2 + 4 + 8 + 16 + 32);  // not the ring read around twice
  EXPECT_EQ(window.sum(3, 4), 2);                   // only the oldest second is inside
  EXPECT_EQ(window.sum(2, 5), 0);
}

TEST(SlidingWindowTest, AHorizonBelowOneKeepsOneSecond) {
  SlidingWindow window(0);
  EXPECT_EQ(window.horizon(), 1);
  fill(window, 1, {2, 3});
  EXPECT_EQ(window.sum(10), 3);
}

}  // namespace
}  // namespace mta
