#include "history/timed_log.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace mta {
namespace {

TEST(TimeArgumentTest, ReadsDatesAndTimesWithOrWithoutAZone) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  EXPECT_EQ(parse_time_argument("2024-05-01"), 1714521600.0);
  EXPECT_EQ(parse_time_argument("2024-05-01T10:00"), 1714557600.0);
  EXPECT_EQ(parse_time_argument("2024-05-01 10:00"), 1714557600.0);
  EXPECT_EQ(parse_time_argument("2024-05-01T10:00:30"), 1714557630.0);
  EXPECT_EQ(parse_time_argument("2024-05-01T10:00+02:00"), 1714550400.0);
  EXPECT_EQ(parse_time_argument("2024-05-01T10:00:00Z"), 1714557600.0);
  for (const char* bad : {"", "yesterday", "2024-05", "2024-05-01T", "2024-05-01T10", "2024-13-01", "1714557600"}) {
    EXPECT_EQ(parse_time_argument(bad), std::nullopt) << bad;
  }
}

TEST(TimeRangeTest, HoldsItsStartButNotItsEnd) {
  const TimeRange open;
  EXPECT_FALSE(open.limits());
  EXPECT_TRUE(open.holds(-INFINITY));
  const TimeRange day{100.0, 200.0};
  EXPECT_TRUE(day.limits());
  EXPECT_TRUE(day.holds(100));
  EXPECT_FALSE(day.holds(200));
  EXPECT_FALSE(day.holds(-INFINITY));  // a line before any timestamp is before the range
  EXPECT_TRUE((TimeRange{std::nullopt, 200.0}).holds(-INFINITY));
}

TEST(TimedLogTest, ALineWithoutATimestampKeepsTheTimeOfTheOneBefore) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("timed_log_test." + std::to_string(::getpid()));
  std::ofstream(path) << "no stamp yet\n"
                      << "Feb 11 06:26:14 t postfix/smtpd[1]: connect from x[192.0.2.1]\n"
                      << "  continued without a stamp\n";
  TimedLog log(path.string(), 2018);
  ASSERT_TRUE(log.advance());
  EXPECT_FALSE(log.stamped());
  EXPECT_EQ(log.time(), -INFINITY);
  ASSERT_TRUE(log.advance());
  EXPECT_TRUE(log.stamped());
  EXPECT_EQ(log.time(), 1518330374.0);
  ASSERT_TRUE(log.advance());
  EXPECT_FALSE(log.stamped());
  EXPECT_EQ(log.time(), 1518330374.0);
  EXPECT_EQ(log.line(), "  continued without a stamp");
  EXPECT_FALSE(log.advance());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace mta
