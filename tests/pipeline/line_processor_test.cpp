// Tests for the per-source pipeline (src/pipeline/line_processor.hpp): real log lines in, counters out,
// read back through the text exposition.

#include "pipeline/line_processor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/exposition.hpp"
#include "mta/mta_parsers.hpp"

namespace mta {
namespace {

using Labels = std::map<std::string, std::string>;

// The value of the sample `name{labels}` in a text exposition; -1 when absent. Labels must match exactly.
double sample_value(const std::string& text, std::string_view name, const Labels& labels) {
  std::string wanted(name);
  wanted += '{';
  bool first = true;
  for (const auto& [key, value] : labels) {  // prometheus-cpp writes labels sorted by name
    if (!first) wanted += ',';
    first = false;
    wanted += key + "=\"" + value + "\"";
  }
  wanted += "} ";
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(wanted)) return std::stod(line.substr(wanted.size()));
  }
  return -1;
}

int count_series(const std::string& text, std::string_view name) {
  const std::string prefix = std::string(name) + "{";
  std::istringstream in(text);
  std::string line;
  int count = 0;
  while (std::getline(in, line)) count += line.starts_with(prefix) ? 1 : 0;
  return count;
}

Labels reply_labels(std::string direction, std::string klass, std::string code, std::string enhanced, std::string cause,
                    std::string provider) {
  return {{"mta", "postfix"},
          {"direction", std::move(direction)},
          {"class", std::move(klass)},
          {"code", std::move(code)},
          {"enhanced_code", std::move(enhanced)},
          {"cause", std::move(cause)},
          {"provider", std::move(provider)}};
}

// postfix-blockbadip.log
constexpr std::string_view kSentToGmail =
    "Feb 16 20:42:06 t postfix/smtp[29498]: 97C873EC0B: to=<janderson@gmail.com>, "
    "relay=gmail-smtp-in.l.google.com[74.125.29.26]:25, delay=0.57, delays=0.13/0.01/0.13/0.3, dsn=2.0.0, "
    "status=sent (250 2.0.0 OK 1518831726 z188si121582qkc.400 - gsmtp)";
// postfix-blockbadip.log
constexpr std::string_view kLocalDelivery =
    "Feb 11 10:55:22 t postfix/local[26296]: 2B8F93EC27: to=<mousecatcher@aipiggybot.io>, "
    "orig_to=<mike.flyingpig@cwstat.com>, relay=local, delay=61, delays=61/0.01/0/0, dsn=2.0.0, status=sent "
    "(delivered to mailbox)";
// postfix-blockbadip.log
constexpr std::string_view kRbl =
    "Feb 12 13:54:36 t postfix/smtps/smtpd[19098]: NOQUEUE: reject: RCPT from unknown[37.72.175.154]: 554 5.7.1 "
    "<unknown[37.72.175.154]>: Client host rejected: Access denied; from=<test@test.com> to=<landwashar@hotmail.com> "
    "proto=SMTP helo=<win-4h190t62g16.domain>";
// postfix-blockbadip.log
constexpr std::string_view kSaslFailure =
    "Feb 11 06:26:14 t postfix/smtpd[22191]: warning: unknown[188.126.223.106]: SASL LOGIN authentication failed: "
    "Invalid authentication mechanism";
// postfix-homoluctus-maillogger.log
constexpr std::string_view kConnectTimeout =
    "Aug 10 04:10:15 mail postfix/smtp[16703]: 8495840E93: to=<dd@gmail.cm>, relay=none, delay=315562, "
    "delays=315532/0/30/0, dsn=4.4.1, status=deferred (connect to gmail.cm[172.217.25.69]:25: Connection timed out)";
// postfix-blockbadip.log
constexpr std::string_view kConnect = "Feb 11 06:26:15 t postfix/smtpd[22191]: connect from unknown[188.126.223.106]";
// postfix-blockbadip.log
constexpr std::string_view kDovecot =
    "Feb 11 09:20:58 t dovecot: imap-login: Login: user=<mousecatcher>, method=PLAIN, rip=72.78.212.131, "
    "lip=10.17.0.5, mpid=13826, TLS, session=<23htePBkHcZITtSD>";
// postfix-blockbadip.log
constexpr std::string_view kQueueActive =
    "Feb 11 10:55:22 t postfix/qmgr[2329]: 2B8F93EC27: "
    "from=<s-2kexcxjfuerqyqhuqxgwbbkqvzdnzp7gc0cwso63dz3d8fz5cjbsbqzm@bounce.linkedin.com>, size=27210, nrcpt=1 "
    "(queue active)";
// postfix-infohtreasure.log: cut before its status
constexpr std::string_view kTruncated =
    "Nov 18 12:37:32 PostfixServer postfix/smtp[8372]: 1F2DF60508: to=<istoy.malasugi@site01.talakitok.com>, ";
// postfix-exporter-sergeymakinen-TEMPLATED.log: a reply without a valid code and no status gives no class
constexpr std::string_view kNoClass =
    "Jan 1 00:00:00 hostname postfix/smtp[12345]: 123456789AB: host example.com[123.45.67.89] said: 12 Malformed (in "
    "reply to RCPT TO command)";

class LineProcessorTest : public ::testing::Test {
 protected:
  prometheus::Registry registry_;
  MetricFamilies families_{registry_};
  LineProcessor processor_{families_, "mail.log"};

  std::string render() { return render_exposition(registry_, &families_); }
  double lines(const std::string& text, const char* result, const char* source = "mail.log") const {
    return sample_value(text, "mta_exporter_lines_total", {{"result", result}, {"source", source}});
  }
};

TEST_F(LineProcessorTest, CountsLinesByResult) {
  for (std::string_view line : {kSentToGmail, kLocalDelivery, kRbl, kSaslFailure, kSaslFailure, kConnectTimeout,
                                kConnect, kDovecot, kQueueActive, std::string_view(""), kTruncated, kNoClass}) {
    processor_.process(line);
  }
  const std::string text = render();
  EXPECT_EQ(lines(text, "matched"), 6) << text;
  EXPECT_EQ(lines(text, "ignored"), 4) << text;
  EXPECT_EQ(lines(text, "unmatched"), 2) << text;
}

TEST_F(LineProcessorTest, CountsRepliesAndDeliveries) {
  for (std::string_view line : {kSentToGmail, kLocalDelivery, kRbl, kSaslFailure, kSaslFailure, kConnectTimeout}) {
    processor_.process(line);
  }
  const std::string text = render();

  EXPECT_EQ(
      sample_value(text, "mta_smtp_replies_total", reply_labels("outbound", "2xx", "250", "2.0.0", "none", "google")),
      1)
      << text;
  // No reply: the enhanced code comes from dsn=.
  EXPECT_EQ(sample_value(text, "mta_smtp_replies_total", reply_labels("local", "2xx", "", "2.0.0", "none", "")), 1);
  // W02 "access denied" (cause-taxonomy.md section 5 point 4 and provider-replies.md section 20).
  EXPECT_EQ(sample_value(text, "mta_smtp_replies_total", reply_labels("inbound", "5xx", "554", "5.7.1", "policy", "")),
            1);
  // postfix.cpp gives SASL failures smtpd's fixed reply "535 5.7.8"; T11 "authentication failed".
  EXPECT_EQ(
      sample_value(text, "mta_smtp_replies_total", reply_labels("inbound", "5xx", "535", "5.7.8", "auth_failed", "")),
      2);
  // "Connection timed out" is T27 timeout; the class and code come from dsn=4.4.1; the host names no provider.
  EXPECT_EQ(
      sample_value(text, "mta_smtp_replies_total", reply_labels("outbound", "4xx", "", "4.4.1", "timeout", "other")),
      1);
  EXPECT_EQ(count_series(text, "mta_smtp_replies_total"), 5);

  EXPECT_EQ(
      sample_value(text, "mta_deliveries_total", {{"direction", "outbound"}, {"mta", "postfix"}, {"status", "sent"}}),
      1);
  EXPECT_EQ(
      sample_value(text, "mta_deliveries_total", {{"direction", "local"}, {"mta", "postfix"}, {"status", "sent"}}), 1);
  EXPECT_EQ(sample_value(text, "mta_deliveries_total",
                         {{"direction", "outbound"}, {"mta", "postfix"}, {"status", "deferred"}}),
            1);
  EXPECT_EQ(sample_value(text, "mta_rejects_total", {{"cause", "policy"}, {"mta", "postfix"}, {"stage", "rcpt"}}), 1);
  EXPECT_EQ(sample_value(text, "mta_auth_failures_total", {{"mechanism", "LOGIN"}, {"mta", "postfix"}}), 2);
  EXPECT_EQ(sample_value(text, "mta_delivery_delay_seconds_count", {{"mta", "postfix"}, {"status", "sent"}}), 2);
  EXPECT_DOUBLE_EQ(sample_value(text, "mta_delivery_delay_seconds_sum", {{"mta", "postfix"}, {"status", "sent"}}),
                   0.57 + 61);
}

TEST_F(LineProcessorTest, IgnoredAndUnmatchedLinesCountNoReplies) {
  for (std::string_view line : {kConnect, kDovecot, kQueueActive, kTruncated, kNoClass}) processor_.process(line);
  const std::string text = render();
  EXPECT_EQ(count_series(text, "mta_smtp_replies_total"), 0);
  EXPECT_EQ(lines(text, "ignored"), 3);
  EXPECT_EQ(lines(text, "unmatched"), 2);
  EXPECT_EQ(lines(text, "matched"), 0);
}

// One failed try (ParseOutcome::attempt), which classify describes: an ignored line, no reply, no delivery.
TEST_F(LineProcessorTest, FailedTriesAreIgnoredLinesWithoutReplies) {
  for (std::string_view line : {
           "Dec  1 10:00:00 mx postfix/smtp[12]: connect to mx1.example.com[192.0.2.1]:25: Connection refused",
           "Feb 12 12:00:23 t postfix/smtpd[2820]: lost connection after DATA (0 bytes) from client.example[192.0.2.7]",
           "2020-06-19 04:54:02 1jmFYj-00039V-QX H=null.corp [6.6.6.6] Connection timed out",
       }) {
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(line, event), ParseOutcome::attempt) << line;
    processor_.process(line);
  }
  const std::string text = render();
  EXPECT_EQ(lines(text, "ignored"), 3) << text;
  EXPECT_EQ(lines(text, "matched"), 0) << text;
  EXPECT_EQ(count_series(text, "mta_smtp_replies_total"), 0) << text;
  EXPECT_EQ(count_series(text, "mta_deliveries_total"), 0) << text;
}

TEST_F(LineProcessorTest, SourcesAreCountedApart) {
  LineProcessor other(families_, "other.log");
  processor_.process(kSentToGmail);
  other.process(kSentToGmail);
  other.process(kConnect);
  const std::string text = render();
  EXPECT_EQ(lines(text, "matched", "mail.log"), 1);
  EXPECT_EQ(lines(text, "ignored", "mail.log"), 0);
  EXPECT_EQ(lines(text, "matched", "other.log"), 1);
  EXPECT_EQ(lines(text, "ignored", "other.log"), 1);
  // Reply series carry no source label: both pipelines count into the same series.
  EXPECT_EQ(
      sample_value(text, "mta_smtp_replies_total", reply_labels("outbound", "2xx", "250", "2.0.0", "none", "google")),
      2);
}

TEST_F(LineProcessorTest, WorksAsALineHandler) {
  LineHandler& handler = processor_;
  handler.on_line(kRbl);
  EXPECT_EQ(lines(render(), "matched"), 1);
}

// Regression (src/classify/classifier.cpp Classifier::classify, fixed): a remote reply that is only a basic
// code makes classify() call reply.substr(4) on a 3-character view; std::out_of_range escapes from
// process(). postfix-colog.log line with the remote reply reduced to "550".
TEST_F(LineProcessorTest, ReplyOfOnlyABasicCodeDoesNotThrow) {
  const std::string_view line =
      "Mar 26 11:36:26 pflmari postfix/smtp[22317]: 5832D804FB: to=<kuninori.morimoto.gx@renesas.com>, "
      "relay=PFWSEXCHANGE.corp.cetitec.com[10.10.1.99]:587, delay=92, delays=0.04/91/0.37/0.02, dsn=5.0.0, "
      "status=bounced (host PFWSEXCHANGE.corp.cetitec.com[10.10.1.99] said: 550 (in reply to RCPT TO command))";
  EXPECT_NO_THROW(processor_.process(line));
  const std::string text = render();
  EXPECT_EQ(lines(text, "matched"), 1);
  EXPECT_EQ(sample_value(text, "mta_smtp_replies_total",
                         reply_labels("outbound", "5xx", "550", "5.0.0", "mailbox_unknown", "other")),
            1);
}

}  // namespace
}  // namespace mta
