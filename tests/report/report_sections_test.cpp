#include "report/report_sections.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "metrics/mta_metrics.hpp"

namespace mta {
namespace {

constexpr std::int64_t kDay = 1710460800;  // 2024-03-15 00:00:00 UTC

// A reply of class `klass` at `time`, through a real pipeline.
void reply_at(ReportTally& tally, double time, int klass) {
  static prometheus::Registry registry;
  static MetricFamilies families(registry);
  LineProcessor processor(families, "mail.log");
  processor.set_observer(&tally);
  tally.set_line("mail.log", 1, time);
  const std::string code = std::to_string(klass) + "50";
  processor.process("postfix/smtpd[4]: NOQUEUE: reject: RCPT from bad.example[198.51.100.7]: " + code + " " +
                    std::to_string(klass) + ".7.1 Access denied; from=<a@b.example> to=<c@d.example> proto=ESMTP");
}

TEST(TimeLineTest, HoursWithTheEmptyOnesBetween) {
  ReportTally tally;
  reply_at(tally, kDay + 10 * 3600 + 5, 5);
  reply_at(tally, kDay + 13 * 3600 + 59, 4);
  reply_at(tally, kDay + 13 * 3600, 5);
  const TimeLine line = time_line(tally, 744);
  EXPECT_EQ(line.width, 3600);
  ASSERT_EQ(line.buckets.size(), 4u);
  EXPECT_EQ(line.buckets[0].start, kDay + 10 * 3600);
  EXPECT_EQ(line.buckets[0].replies, (ClassCounts{0, 0, 1}));
  EXPECT_EQ(line.buckets[1].replies, (ClassCounts{0, 0, 0}));
  EXPECT_EQ(line.buckets[3].replies, (ClassCounts{0, 1, 1}));
  EXPECT_EQ(time_line_title(line, *report_words("en")), "Replies per hour, by class");
}

TEST(TimeLineTest, DaysOrSeveralDaysWhenHoursWouldBeTooMany) {
  ReportTally tally;
  reply_at(tally, kDay + 3600, 5);
  reply_at(tally, kDay + 40 * 86400 + 7200, 4);
  const TimeLine days = time_line(tally, 744);
  EXPECT_EQ(days.width, 86400);
  ASSERT_EQ(days.buckets.size(), 41u);
  EXPECT_EQ(days.buckets.front().start, kDay);
  EXPECT_EQ(days.buckets.back().replies, (ClassCounts{0, 1, 0}));
  const TimeLine weeks = time_line(tally, 7);
  // The smallest whole number of days that needs at most 7 bars: bars start at whole multiples of their width since
  // the epoch, so these 41 days would take 8 bars of 6 days.
  EXPECT_EQ(weeks.width, 7 * 86400);
  EXPECT_EQ(weeks.buckets.size(), 6u);
  EXPECT_EQ(weeks.buckets.front().start % weeks.width, 0);
  EXPECT_EQ(time_line_title(weeks, *report_words("en")), "Replies per 7 days, by class");
  EXPECT_EQ(time_line_title(weeks, *report_words("tr")), "7 günlük yanıtlar, sınıfa göre");
  // An outlier centuries away still gives a bounded chart.
  reply_at(tally, 4e11, 5);
  EXPECT_LE(time_line(tally, 744).buckets.size(), 744u);
}

TEST(ReportSectionsTest, WritesDurationsTimesAndShares) {
  EXPECT_EQ(human_duration(0.04), "0.0 s");
  EXPECT_EQ(human_duration(4.56), "4.6 s");
  EXPECT_EQ(human_duration(42), "42 s");
  EXPECT_EQ(human_duration(250), "4 min 10 s");
  EXPECT_EQ(human_duration(3 * 3600 + 300), "3 h 5 min");
  EXPECT_EQ(human_duration(2 * 86400 + 4 * 3600 + 59), "2 d 4 h");
  EXPECT_EQ(human_duration(1e308), "1e+308 s");
  EXPECT_EQ(human_duration(INFINITY), "inf s");
  EXPECT_EQ(utc_time(kDay + 3600 * 10 + 59, true), "2024-03-15 10:00 UTC");
  EXPECT_EQ(utc_time(kDay, false), "2024-03-15");
  EXPECT_EQ(percent(1, 8), "12.5 %");
  EXPECT_EQ(percent(1, 0), "0 %");
}

TEST(ReportSectionsTest, CausesOfFailuresMostFirst) {
  ReportTally tally;
  reply_at(tally, kDay, 4);
  reply_at(tally, kDay, 5);
  reply_at(tally, kDay, 5);
  const std::vector<CauseRow> causes = failure_causes(tally);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].replies, (ClassCounts{0, 1, 2}));
}

}  // namespace
}  // namespace mta
