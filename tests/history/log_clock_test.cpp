#include "history/log_clock.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <tuple>

namespace mta {
namespace {

// RFC 3164 and zone-less stamps are local time: these tests read them in UTC.
class LogClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* zone = std::getenv("TZ");
    saved_zone_ = zone == nullptr ? std::nullopt : std::optional<std::string>(zone);
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
  void TearDown() override {
    if (saved_zone_) {
      ::setenv("TZ", saved_zone_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> saved_zone_;
};

TEST_F(LogClockTest, ReadsTheTimestampOfEveryHeaderForm) {
  EXPECT_EQ(line_timestamp("Mar  4 00:00:01 mx postfix/smtpd[1]: connect from x[192.0.2.1]"), "Mar  4 00:00:01");
  EXPECT_EQ(line_timestamp("2023-03-15T00:00:06.046710+01:00 helga postfix/postscreen[3]: PASS OLD [192.0.2.1]:1"),
            "2023-03-15T00:00:06.046710+01:00");
  EXPECT_EQ(line_timestamp("<22>1 2024-05-01T10:00:00Z mx postfix/smtp 7 - - text"), "2024-05-01T10:00:00Z");
  // Exim's own log has no program tag after the date.
  EXPECT_EQ(line_timestamp("2024-01-01 00:00:00 1rKXm1-0001-AB ** a@b.example R=dnslookup: 550 No such user"),
            "2024-01-01 00:00:00");
  EXPECT_EQ(line_timestamp("no timestamp here"), "");
}

TEST_F(LogClockTest, ConvertsEveryTimestampForm) {
  EXPECT_EQ(timestamp_seconds("Feb 11 06:26:14", 2018), 1518330374.0);
  EXPECT_EQ(timestamp_seconds("Feb  1 06:26:14", 2018), 1517466374.0);
  EXPECT_EQ(timestamp_seconds("Feb 11 06:26:14.250", 2018), 1518330374.25);
  EXPECT_EQ(timestamp_seconds("2023-03-15T00:00:06.5+01:00", 0), 1678834806.5);
  EXPECT_EQ(timestamp_seconds("2023-03-15T00:00:06-0130", 0), 1678843806.0);
  EXPECT_EQ(timestamp_seconds("2023-03-15T00:00:06Z", 0), 1678838406.0);
  EXPECT_EQ(timestamp_seconds("2023-03-15T00:00:06", 0), 1678838406.0);  // local time, here UTC
  EXPECT_EQ(timestamp_seconds("2024-01-01 00:00:00", 0), 1704067200.0);
  EXPECT_EQ(timestamp_seconds("2024-01-01 00:00:00 +0100", 0), 1704063600.0);
  for (const char* bad : {"", "Foo 11 06:26:14", "Feb 11 6:26:14", "Feb 11 06:26:14x", "2023-13-15T00:00:06Z",
                          "2023-03-15T25:00:06Z", "2023-03-15T00:00:06+1", "2023-03-15X00:00:06Z"}) {
    EXPECT_EQ(timestamp_seconds(bad, 2018), std::nullopt) << bad;
  }
}

TEST_F(LogClockTest, CountsTheYearUpFromDecemberToJanuary) {
  LogClock clock(2025);
  EXPECT_EQ(clock.time_of("Dec 31 23:59:59 mx postfix/qmgr[1]: A: removed"), 1767225599.0);
  EXPECT_EQ(clock.time_of("mx postfix/qmgr[1]: A: removed"), std::nullopt);
  EXPECT_EQ(clock.time_of("Jan  1 00:00:01 mx postfix/qmgr[1]: A: removed"), 1767225601.0);
  EXPECT_EQ(clock.time_of("Dec 31 23:59:59 mx postfix/qmgr[1]: late: of the year before"), 1767225599.0);
  EXPECT_EQ(clock.time_of("Mar  1 00:00:00 mx postfix/qmgr[1]: A: removed"), 1772323200.0);
  // A dated stamp leaves the year of the year-less ones alone.
  EXPECT_EQ(clock.time_of("2024-01-01T00:00:00Z mx postfix/qmgr[1]: A: removed"), 1704067200.0);
}

// Relays and queues let a few lines arrive late: a step back of a month is no new year.
TEST_F(LogClockTest, ALateLineIsNoNewYear) {
  LogClock clock(2024);
  EXPECT_EQ(clock.time_of("Apr 30 23:59:58 h postfix/smtp[1]: A: removed"), 1714521598.0);
  EXPECT_EQ(clock.time_of("May  1 00:00:01 h postfix/smtp[1]: A: removed"), 1714521601.0);
  EXPECT_EQ(clock.time_of("Apr 30 23:59:59 h postfix/smtp[1]: A: removed"), 1714521599.0);
  EXPECT_EQ(clock.time_of("May  1 00:00:02 h postfix/smtp[1]: A: removed"), 1714521602.0);
  FirstYearScan scan;
  for (const char* stamp : {"Apr 30 23:59:58", "May  1 00:00:01", "Apr 30 23:59:59"}) {
    scan.see(std::string(stamp) + " h postfix/smtp[1]: A: removed");
  }
  EXPECT_EQ(scan.first_year(1714608000), 2024);  // modified 2024-05-02
  // A late December line after January's belongs to the year before, and starts no year of its own.
  LogClock turning(2025);
  EXPECT_EQ(turning.time_of("Dec 31 23:59:58 h postfix/smtp[1]: A: removed"), 1767225598.0);
  EXPECT_EQ(turning.time_of("Jan  1 00:00:01 h postfix/smtp[1]: A: removed"), 1767225601.0);
  EXPECT_EQ(turning.time_of("Dec 31 23:59:59 h postfix/smtp[1]: A: removed"), 1767225599.0);
  EXPECT_EQ(turning.time_of("Jan  1 00:00:02 h postfix/smtp[1]: A: removed"), 1767225602.0);
  EXPECT_EQ(next_month(-1, 0), MonthStep::same_year);
  EXPECT_EQ(next_month(11, 0), MonthStep::next_year);
  EXPECT_EQ(next_month(0, 11), MonthStep::year_before);
  EXPECT_EQ(next_month(4, 3), MonthStep::same_year);
}

TEST_F(LogClockTest, TheFirstYearComesFromTheModificationTime) {
  const std::time_t january_2026 = 1767312000;  // 2026-01-02T00:00:00Z
  FirstYearScan turned;
  turned.see("Dec 30 10:00:00 mx postfix/qmgr[1]: A: removed");
  turned.see("Jan  1 10:00:00 mx postfix/qmgr[1]: A: removed");
  EXPECT_EQ(turned.first_year(january_2026), 2025);
  // A December log rotated on January 2nd ends in the year before its modification time.
  FirstYearScan december;
  december.see("Dec 30 10:00:00 mx postfix/qmgr[1]: A: removed");
  december.see("Dec 31 23:00:00 mx postfix/qmgr[1]: A: removed");
  EXPECT_EQ(december.first_year(january_2026), 2025);
  FirstYearScan same_year;
  same_year.see("Jan  1 10:00:00 mx postfix/qmgr[1]: A: removed");
  EXPECT_EQ(same_year.first_year(january_2026), 2026);
  EXPECT_EQ(FirstYearScan{}.first_year(january_2026), 2026);  // no year-less line
}

}  // namespace
}  // namespace mta

namespace mta {
namespace {

// Local time in zones that change their offset: every minute of the days the clocks move, read in order by one
// clock (which reuses the offset it last found), is the time mktime() gives, or, in the hour set back where a local
// time occurs twice, one of its two instants.
TEST(LocalTimesTest, EveryMinuteOfTheDaysTheClocksMoveIsMktimesTime) {
  const char* saved = std::getenv("TZ");
  const std::optional<std::string> saved_zone = saved ? std::optional<std::string>(saved) : std::nullopt;
  // Berlin moves an hour at 02:00 and 03:00; Lord Howe half an hour at 02:00, inside an hour.
  for (const char* zone : {"Europe/Berlin", "Australia/Lord_Howe"}) {
    ::setenv("TZ", zone, 1);
    ::tzset();
    for (const auto& [year, month, day] : {std::tuple{2024, 2, 31}, {2024, 9, 27}, {2024, 3, 7}, {2024, 9, 6}}) {
      LocalTimes local_times;
      std::time_t before = 0;
      for (int minute = 0; minute < 24 * 60; ++minute) {
        std::tm fields{};
        fields.tm_year = year - 1900;
        fields.tm_mon = month;
        fields.tm_mday = day;
        fields.tm_hour = minute / 60;
        fields.tm_min = minute % 60;
        fields.tm_sec = 30;
        std::tm for_mktime = fields;
        for_mktime.tm_isdst = -1;
        const std::time_t expected = std::mktime(&for_mktime);
        const std::optional<std::time_t> got = local_times.seconds(fields);
        ASSERT_TRUE(got) << zone << " " << minute;
        std::tm back{};
        ::localtime_r(&*got, &back);
        const bool exists = back.tm_hour == fields.tm_hour && back.tm_min == fields.tm_min;
        if (exists) {
          // The same local time, at mktime's instant or at the other one of a repeated hour (at most 1 h away).
          EXPECT_LE(std::abs(static_cast<long>(*got - expected)), 3600) << zone << " " << minute;
          if (*got != expected) {
            EXPECT_GT(*got, before) << zone << " " << minute;  // in order, never back
          }
        } else {
          EXPECT_EQ(*got, expected) << zone << " " << minute;  // a skipped local time: as mktime() places it
        }
        before = *got;
      }
    }
  }
  if (saved_zone) {
    ::setenv("TZ", saved_zone->c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
}

}  // namespace
}  // namespace mta
