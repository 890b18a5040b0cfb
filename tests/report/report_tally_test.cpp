#include "report/report_tally.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "metrics/mta_metrics.hpp"

namespace mta {
namespace {

constexpr double kTen = 1710496800;  // 2024-03-15 10:00:00 UTC

// Lines through a real pipeline, as report reads them, each with its time.
struct Reading {
  prometheus::Registry registry;
  MetricFamilies families{registry};
  ReportTally tally;
  LineProcessor processor{families, "mail.log"};
  std::uint64_t number = 0;

  Reading() { processor.set_observer(&tally); }
  void read(double time, std::string_view line) {
    tally.set_line("mail.log", ++number, time);
    processor.process(line);
  }
};

TEST(ReportTallyTest, CountsRepliesByHourClassCauseAndWhom) {
  Reading reading;
  reading.read(
      kTen + 60,
      "Mar 15 10:01:00 mx postfix/smtp[2]: 4AB1C2D3E4: to=<u@Example.NET.>, relay=mx.example.net[192.0.2.2]:25, "
      "delay=1.5, delays=0/0/0/1.5, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.2] said: 550 5.1.1 "
      "<u@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command))");
  reading.read(
      kTen + 120,
      "Mar 15 10:02:00 mx postfix/smtp[2]: 4AB1C2D3E5: to=<v@example.net>, relay=mx.example.net[192.0.2.2]:25, "
      "delay=7300, delays=7299/0/0/1, dsn=4.2.2, status=deferred (host mx.example.net[192.0.2.2] said: 452 4.2.2 "
      "Mailbox full (in reply to RCPT TO command))");
  reading.read(
      kTen + 3600,
      "Mar 15 11:00:00 mx postfix/smtp[3]: 4AB1C2D3E6: to=<w@example.org>, relay=mx.example.org[192.0.2.3]:25, "
      "delay=2.5, delays=0/0/0/2.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)");
  reading.read(kTen + 3660,
               "Mar 15 11:01:00 mx postfix/smtpd[4]: NOQUEUE: reject: RCPT from bad.example[198.51.100.7]: 554 5.7.1 "
               "Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org; from=<a@b.example> "
               "to=<c@d.example> proto=ESMTP helo=<bad.example>");
  reading.read(kTen + 3700,
               "Mar 15 11:01:40 mx postfix/smtpd[4]: warning: bad.example[198.51.100.7]: SASL LOGIN authentication "
               "failed: UGFzc3dvcmQ6");
  reading.read(NAN, "postfix/smtp[3]: 4AB1C2D3E7: to=<x@example.com>, status=weird");  // unmatched, no time
  reading.read(kTen + 3800, "Mar 15 11:03:20 mx postfix/smtpd[4]: connect from bad.example[198.51.100.7]");

  const ReportTally& tally = reading.tally;
  EXPECT_EQ(tally.lines(), 7u);
  EXPECT_EQ(tally.replies(), (ClassCounts{1, 1, 3}));
  ASSERT_EQ(tally.replies_by_period().size(), 2u);
  EXPECT_EQ(tally.replies_by_period().at(static_cast<std::int64_t>(kTen)), (ClassCounts{0, 1, 1}));
  EXPECT_EQ(tally.replies_by_period().at(static_cast<std::int64_t>(kTen) + 3600), (ClassCounts{1, 0, 2}));
  EXPECT_EQ(tally.replies_without_time(), 0u);
  EXPECT_EQ(tally.replies_by_cause().at(Cause::mailbox_unknown), (ClassCounts{0, 0, 1}));
  EXPECT_EQ(tally.replies_by_cause().at(Cause::quota), (ClassCounts{0, 1, 0}));
  EXPECT_EQ(tally.replies_by_cause().at(Cause::blocklist), (ClassCounts{0, 0, 1}));
  EXPECT_EQ(tally.outbound_failures().size(), 2u);
  // Domains in lower case without the root's dot; the clients as logged.
  EXPECT_EQ(tally.refusing_domains().top(5), (std::vector<TopCount>{{"example.net", 2, 0}}));
  EXPECT_EQ(tally.refused_clients().top(5), (std::vector<TopCount>{{"bad.example[198.51.100.7]", 2, 0}}));
  EXPECT_EQ(tally.delivery_delays().count(), 1u);
  EXPECT_NEAR(tally.delivery_delays().quantile(0.5), 2.5, 0.06);
  EXPECT_EQ(tally.deferral_ages().count(), 1u);
  EXPECT_EQ(tally.deferral_ages().bands()[2], 1u);  // 1 h to 4 h
  EXPECT_EQ(tally.unmatched(), 1u);
  ASSERT_EQ(tally.unmatched_examples().size(), 1u);
  EXPECT_EQ(tally.unmatched_examples()[0].number, 6u);
  EXPECT_EQ(tally.unmatched_examples()[0].file, "mail.log");
  EXPECT_EQ(tally.first_time(), kTen + 60);
  EXPECT_EQ(tally.last_time(), kTen + 3800);
}

TEST(ReportTallyTest, RepliesOfLinesWithoutATimeAreCountedButNotInTheHours) {
  Reading reading;
  const std::string line =
      "postfix/smtpd[4]: NOQUEUE: reject: RCPT from bad.example[198.51.100.7]: 550 5.7.1 Access denied; "
      "from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<bad.example>";
  reading.read(-INFINITY, line);
  reading.read(-3600, line);  // before 1970: as unknown
  EXPECT_EQ(reading.tally.replies(), (ClassCounts{0, 0, 2}));
  EXPECT_TRUE(reading.tally.replies_by_period().empty());
  EXPECT_EQ(reading.tally.replies_without_time(), 2u);
  EXPECT_FALSE(std::isfinite(reading.tally.first_time()));
}

TEST(ReportTallyTest, PeriodsLengthenRatherThanGrowPastTheirBound) {
  Reading reading;
  const std::string line =
      "postfix/smtpd[4]: NOQUEUE: reject: RCPT from bad.example[198.51.100.7]: 550 5.7.1 Access denied; "
      "from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<bad.example>";
  // One reply an hour for longer than the bound, then stamps at the ends of the range a report places.
  const std::size_t hours = ReportTally::kMaxPeriods + 1;
  for (std::size_t hour = 0; hour < hours; ++hour) reading.read(kTen + 3600.0 * static_cast<double>(hour), line);
  const ReportTally& tally = reading.tally;
  EXPECT_EQ(tally.period_seconds(), 86400);
  EXPECT_LE(tally.replies_by_period().size(), ReportTally::kMaxPeriods);
  std::uint64_t charted = 0;
  for (const auto& [start, replies] : tally.replies_by_period()) {
    EXPECT_EQ(start % 86400, 0);
    charted += total_of(replies);
  }
  EXPECT_EQ(charted, hours);
  reading.read(0, line);
  reading.read(253402300799.0, line);  // 9999-12-31 23:59:59
  reading.read(253402300800.0, line);  // year 10000: not placed
  EXPECT_LE(tally.replies_by_period().size(), ReportTally::kMaxPeriods);
  EXPECT_EQ(tally.replies_without_time(), 1u);
  EXPECT_EQ(tally.last_time(), 253402300799.0);
}

TEST(ReportTallyTest, KeepsOnlyTheFirstUnmatchedLinesAndCutsThem) {
  Reading reading;
  const std::string line = "postfix/smtp[3]: 4AB1C2D3E7: to=<x@example.com>, status=weird " + std::string(1000, 'y');
  for (int i = 0; i < 50; ++i) reading.read(kTen, line);
  EXPECT_EQ(reading.tally.unmatched(), 50u);
  ASSERT_EQ(reading.tally.unmatched_examples().size(), ReportTally::kMaxUnmatchedExamples);
  EXPECT_EQ(reading.tally.unmatched_examples().back().text.size(), ReportTally::kMaxExampleBytes);
}

}  // namespace
}  // namespace mta
