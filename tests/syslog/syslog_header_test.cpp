// Tests for the syslog header splitter (src/syslog/syslog_header.hpp).

#include "syslog/syslog_header.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "support/case_name.hpp"

namespace mta {
namespace {

struct HeaderCase {
  const char* name;
  std::string_view line;
  std::string_view timestamp;
  std::string_view host;
  std::string_view program;
  std::string_view pid;
  std::string_view message;
};

void PrintTo(const HeaderCase& c, std::ostream* os) { *os << c.name; }

class SyslogHeaderTest : public ::testing::TestWithParam<HeaderCase> {};

TEST_P(SyslogHeaderTest, SplitsHeaderFields) {
  const HeaderCase& c = GetParam();
  SyslogRecord record;
  ASSERT_TRUE(parse_syslog_line(c.line, record)) << c.line;
  EXPECT_EQ(record.timestamp, c.timestamp);
  EXPECT_EQ(record.host, c.host);
  EXPECT_EQ(record.program, c.program);
  EXPECT_EQ(record.pid, c.pid);
  EXPECT_EQ(record.message, c.message);
}

const HeaderCase kHeaderCases[] = {
    {"bsd_single_digit_day_padded",
     // postfix-dovecot-maillog-exporter.log
     "Feb  1 07:54:25 mail postfix/lmtp[27157]: 05DAA10087: to=<test@example.com>, status=sent", "Feb  1 07:54:25",
     "mail", "postfix/lmtp", "27157", "05DAA10087: to=<test@example.com>, status=sent"},
    {"bsd_single_digit_day_unpadded",
     // postfix-exporter-sergeymakinen-TEMPLATED.log
     "Jan 1 00:00:00 hostname postfix/qmgr[12345]: 123456789AB: from=<user@example.com>>, status=expired, returned "
     "to sender",
     "Jan 1 00:00:00", "hostname", "postfix/qmgr", "12345",
     "123456789AB: from=<user@example.com>>, status=expired, returned to sender"},
    {"bsd_double_digit_day",
     // postfix-blockbadip.log
     "Feb 12 06:19:00 t postfix/smtpd[20456]: NOQUEUE: reject: RCPT from unknown[183.240.19.250]: 450 4.7.1",
     "Feb 12 06:19:00", "t", "postfix/smtpd", "20456", "NOQUEUE: reject: RCPT from unknown[183.240.19.250]: 450 4.7.1"},
    {"bsd_with_priority", "<22>Mar  4 00:00:00 mx1 postfix/smtp[99]: hello", "Mar  4 00:00:00", "mx1", "postfix/smtp",
     "99", "hello"},
    {"bsd_fractional_seconds_stay_in_timestamp", "Mar  4 00:00:00.123 mx1 postfix/smtp[99]: hello",
     "Mar  4 00:00:00.123", "mx1", "postfix/smtp", "99", "hello"},
    {"rfc3339_rsyslog",
     // postfix-pixelpark-2023-03-15.log
     "2023-03-15T00:16:32.884060+01:00 helga postfix/pipe[404037]: 4PbqCh5Cjrz3tG3: to=<user01.test@uhu-banane.net>",
     "2023-03-15T00:16:32.884060+01:00", "helga", "postfix/pipe", "404037",
     "4PbqCh5Cjrz3tG3: to=<user01.test@uhu-banane.net>"},
    {"rfc3339_with_priority", "<13>2026-11-24T10:16:01Z mail postfix/smtpd[7]: connect from x[192.0.2.1]",
     "2026-11-24T10:16:01Z", "mail", "postfix/smtpd", "7", "connect from x[192.0.2.1]"},
    {"instance_prefix",
     // postfix-fail2ban.log
     "Jan 31 13:55:24 xxx postfix-incoming/smtpd[3462]: NOQUEUE: reject: EHLO", "Jan 31 13:55:24", "xxx",
     "postfix-incoming/smtpd", "3462", "NOQUEUE: reject: EHLO"},
    {"service_prefix",
     // postfix-blockbadip.log (message shortened)
     "Feb 12 13:54:36 t postfix/smtps/smtpd[19098]: NOQUEUE: reject: RCPT", "Feb 12 13:54:36", "t",
     "postfix/smtps/smtpd", "19098", "NOQUEUE: reject: RCPT"},
    {"instance_and_service_prefix",
     // postfix-fail2ban.log (message shortened)
     "Mar 11 23:27:54 server postfix-smo/submission/smtpd[22427]: 44JCRG5tYPzCqt2: reject: BDAT", "Mar 11 23:27:54",
     "server", "postfix-smo/submission/smtpd", "22427", "44JCRG5tYPzCqt2: reject: BDAT"},
    {"missing_pid", "Mar  4 00:00:00 mx1 postfix/smtpd: warning: something", "Mar  4 00:00:00", "mx1", "postfix/smtpd",
     "", "warning: something"},
    {"missing_host_tag_with_pid", "Mar  4 00:00:00 postfix/smtpd[12]: message text", "Mar  4 00:00:00", "",
     "postfix/smtpd", "12", "message text"},
    {"missing_host_tag_without_pid", "Mar  4 00:00:00 postfix/smtpd: message text", "Mar  4 00:00:00", "",
     "postfix/smtpd", "", "message text"},
    {"empty_message", "Mar  4 00:00:00 mx1 postfix/smtpd[1]:", "Mar  4 00:00:00", "mx1", "postfix/smtpd", "1", ""},
    {"rfc5424_nil_fields",
     "<22>1 2026-11-24T10:16:01.448812+00:00 mail.example.com postfix/smtp 1234 - - 4F1: to=<a@example.com>",
     "2026-11-24T10:16:01.448812+00:00", "mail.example.com", "postfix/smtp", "1234", "4F1: to=<a@example.com>"},
    {"rfc5424_nil_host_and_pid", "<22>1 2026-11-24T10:16:01Z - postfix/qmgr - - - queue active", "2026-11-24T10:16:01Z",
     "", "postfix/qmgr", "", "queue active"},
    {"rfc5424_structured_data_with_escaped_bracket",
     R"(<165>1 2003-10-11T22:14:15.003Z mymachine.example.com postfix/smtpd 99 ID47 [exampleSDID@32473 iut="3" eventSource="App\]lication"][other@1 k="v"] reject: RCPT from x)",
     "2003-10-11T22:14:15.003Z", "mymachine.example.com", "postfix/smtpd", "99", "reject: RCPT from x"},
    {"rfc5424_structured_data_with_escaped_quote",
     R"(<165>1 2003-10-11T22:14:15.003Z h postfix/smtpd 5 - [a@1 k="x\"]y"] the message)", "2003-10-11T22:14:15.003Z",
     "h", "postfix/smtpd", "5", "the message"},
    {"rfc5424_bom_stripped", "<165>1 2003-10-11T22:14:15.003Z h postfix/smtpd 5 - - \xEF\xBB\xBFhello",
     "2003-10-11T22:14:15.003Z", "h", "postfix/smtpd", "5", "hello"},
};

INSTANTIATE_TEST_SUITE_P(Lines, SyslogHeaderTest, ::testing::ValuesIn(kHeaderCases), test::CaseName());

class NotSyslogTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(NotSyslogTest, ReturnsFalse) {
  SyslogRecord record;
  EXPECT_FALSE(parse_syslog_line(GetParam(), record)) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(
    Lines, NotSyslogTest,
    ::testing::Values("", "hello world", "Mar", "Mar  4 00:00:00",  // no host/tag
                      "Mar  4 00:00:00 mx1",                        // no tag after the host
                      "Mar  4 00:00:00 mx1 postfix/smtpd[12x message with a bad pid",
                      "Mar  4 00:00:00 mx1 postfix/smtpd message without colon",
                      "Foo  4 00:00:00 mx1 postfix/smtpd[1]: unknown month",
                      "Mar 123 00:00:00 mx1 postfix/smtpd[1]: three-digit day",
                      "Mar  4 0000:00 mx1 postfix/smtpd[1]: bad clock",
                      "<abc>Mar  4 00:00:00 mx1 postfix/smtpd[1]: bad priority",
                      "<22 Mar  4 00:00:00 mx1 postfix/smtpd[1]: unterminated priority",
                      // postfix-grok-patterns.log: a message without its syslog header.
                      "40197AA: host mg2.egov.bg[213.91.191.86] refused to talk to me: 450 4.3.2 try again later",
                      // assp-fail2ban.log
                      "Apr-07-13 07:08:36 [SSL-out] 68.171.223.68 SSL negotiation with client failed",
                      // An Exim main log line: date and time separated by a space, no tag.
                      "2017-01-01 12:00:00 1cNgJp-0000Ea-Bd <= sender@example.com H=mx [192.0.2.1] P=esmtp S=1234",
                      "<22>1 2026-11-24T10:16:01Z host - - - - no program"));

TEST(SyslogRecordTest, RecordIsResetBetweenCalls) {
  SyslogRecord record;
  ASSERT_TRUE(parse_syslog_line("Mar  4 00:00:00 mx1 postfix/smtpd[12]: a", record));
  ASSERT_TRUE(parse_syslog_line("Mar  4 00:00:00 mx1 postfix/smtpd: b", record));
  EXPECT_EQ(record.pid, "");
  EXPECT_FALSE(parse_syslog_line("garbage", record));
  EXPECT_EQ(record.program, "");
  EXPECT_EQ(record.message, "");
}

TEST(SyslogRecordTest, ViewsPointIntoTheLine) {
  const std::string line = "Mar  4 00:00:00 mx1 postfix/smtpd[12]: the message";
  SyslogRecord record;
  ASSERT_TRUE(parse_syslog_line(line, record));
  EXPECT_GE(record.message.data(), line.data());
  EXPECT_EQ(record.message.data() + record.message.size(), line.data() + line.size());
}

struct ProgramCase {
  std::string_view program;
  std::string_view daemon;
  std::string_view family;
};

class ProgramNameTest : public ::testing::TestWithParam<ProgramCase> {};

TEST_P(ProgramNameTest, DaemonAndFamily) {
  const ProgramCase& c = GetParam();
  EXPECT_EQ(daemon_name(c.program), c.daemon) << c.program;
  EXPECT_EQ(program_family(c.program), c.family) << c.program;
}

INSTANTIATE_TEST_SUITE_P(Programs, ProgramNameTest,
                         ::testing::Values(ProgramCase{"postfix/smtpd", "smtpd", "postfix"},
                                           ProgramCase{"postfix-out/smtp", "smtp", "postfix-out"},
                                           ProgramCase{"postfix/submission/smtpd", "smtpd", "postfix"},
                                           ProgramCase{"postfix-smo/submission/smtpd", "smtpd", "postfix-smo"},
                                           ProgramCase{"mailout/smtpd", "smtpd", "mailout"},
                                           ProgramCase{"dovecot", "dovecot", "dovecot"}, ProgramCase{"", "", ""}));

}  // namespace
}  // namespace mta

namespace mta {
namespace {

// rsyslog's default forward format cuts TAG at 32 characters (RFC 3164 allows it): the pid loses its
// "]:" but program and message are intact.
TEST(SyslogHeaderTest, TagCutAt32CharactersKeepsProgramAndMessage) {
  SyslogRecord record;
  ASSERT_TRUE(parse_syslog_line("<22>Mar  4 00:00:00 mx1 postfix/submission/smtpd[1139278 warning: hello", record));
  EXPECT_EQ(record.program, "postfix/submission/smtpd");
  EXPECT_EQ(record.pid, "1139278");
  EXPECT_EQ(record.message, "warning: hello");
}

// The tag's program and pid are scanned eight bytes a step: each of its ends ('[', ':', ' ', ']') is found at every
// length (programs of 2 to 25 bytes) and wherever it falls in a step, and one that a step's later byte repeats does not
// hide the first.
TEST(SyslogHeaderTest, TagEndsAreFoundAtEveryLength) {
  struct Expected {
    std::string line;  // the record views it
    std::string_view pid;
    std::string_view message;
  };
  SyslogRecord record;
  for (std::size_t length = 1; length <= 24; ++length) {
    const std::string program = "p/" + std::string(length - 1, 'x');
    const std::string pid(length % 9 + 1, '7');
    const std::string head = "Mar  4 00:00:00 mx1 " + program;
    for (const Expected& expected :
         {Expected{head + "[" + pid + "]: a: [b] c", pid, "a: [b] c"}, Expected{head + ": a[1]: b", "", "a[1]: b"},
          Expected{head + "[" + pid + " a] b", pid, "a] b"}}) {
      ASSERT_TRUE(parse_syslog_line(expected.line, record)) << expected.line;
      EXPECT_EQ(record.program, program) << expected.line;
      EXPECT_EQ(record.pid, expected.pid) << expected.line;
      EXPECT_EQ(record.message, expected.message) << expected.line;
    }
    // A tag that ends at a blank is no tag; one that never ends is none either, whatever its length.
    for (const std::string& line : {head + " message", head, head + "[" + pid}) {
      EXPECT_FALSE(parse_syslog_line(line, record)) << line;
    }
  }
}

// Solaris's syslogd writes "[ID <msgid> <facility>.<priority>] " before the text (log.conf msgid=1): dropped, so the
// MTA parsers read the message as on any other system. A bracket that is no message ID stays.
TEST(SyslogHeaderTest, SolarisMessageIdIsDropped) {
  SyslogRecord record;
  ASSERT_TRUE(
      parse_syslog_line("Jan  2 19:58:51 mta sm-mta[29534]: [ID 801593 mail.info] hBT7rwVP015583: to=<a@b.c>", record));
  EXPECT_EQ(record.program, "sm-mta");
  EXPECT_EQ(record.pid, "29534");
  EXPECT_EQ(record.message, "hBT7rwVP015583: to=<a@b.c>");
  for (std::string_view kept : {"[ID 12x mail.info] text", "[ID 801593 mailinfo] text", "[ID mail.info] text",
                                "[IDENT 1 mail.info] text", "[ID 801593 mail.info]"}) {
    const std::string line = "Jan  2 19:58:51 mta sm-mta[1]: " + std::string(kept);  // the record views it
    ASSERT_TRUE(parse_syslog_line(line, record));
    EXPECT_EQ(record.message, kept);
  }
}

// RSYSLOG_SyslogProtocol23Format keeps the space after "tag:" at the start of MSG.
TEST(SyslogHeaderTest, Rfc5424MessageLeadingSpaceIsDropped) {
  SyslogRecord record;
  ASSERT_TRUE(parse_syslog_line("<22>1 2026-11-24T10:00:00+00:00 mx1 postfix/smtp 123 - -  ABC: to=<a@b.c>", record));
  EXPECT_EQ(record.program, "postfix/smtp");
  EXPECT_EQ(record.message, "ABC: to=<a@b.c>");
}

// An escape that is the last byte of a cut RFC 5424 message must not move past its end.
TEST(SyslogHeaderTest, Rfc5424EscapeAtTheEndStaysInside) {
  const std::string_view line = "<13>1 - h p - - [x y=\"\\";
  SyslogRecord record;
  parse_syslog_line(line, record);
  EXPECT_LE(record.message.size(), line.size());
  if (!record.message.empty()) {
    EXPECT_GE(record.message.data(), line.data());
  }
}

struct PartialHeaderCase {
  const char* name;
  std::string_view line;
  std::string_view timestamp;
  std::string_view host;
  std::string_view program;
  std::string_view message;
};

void PrintTo(const PartialHeaderCase& c, std::ostream* os) { *os << c.name; }

class PartialHeaderTest : public ::testing::TestWithParam<PartialHeaderCase> {};

TEST_P(PartialHeaderTest, SplitsWhatIsThere) {
  const PartialHeaderCase& c = GetParam();
  SyslogRecord record;
  ASSERT_TRUE(parse_partial_syslog_line(c.line, record));
  EXPECT_EQ(record.timestamp, c.timestamp);
  EXPECT_EQ(record.host, c.host);
  EXPECT_EQ(record.program, c.program);
  EXPECT_EQ(record.message, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Lines, PartialHeaderTest,
    ::testing::Values(
        PartialHeaderCase{"tag_only", "postfix/smtp[123]: ABC: to=<a@b.c>", "", "", "postfix/smtp", "ABC: to=<a@b.c>"},
        PartialHeaderCase{"tag_without_pid", "./smtpd_check: NOQUEUE: reject: x", "", "", "./smtpd_check",
                          "NOQUEUE: reject: x"},
        PartialHeaderCase{"host_and_tag", "mx1 sm-mta[77]: k0AB: stat=Sent", "", "mx1", "sm-mta", "k0AB: stat=Sent"},
        PartialHeaderCase{"spaced_date", "2024-01-01 00:00:00 mx1 postfix/smtpd[9]: connect from x",
                          "2024-01-01 00:00:00", "mx1", "postfix/smtpd", "connect from x"},
        PartialHeaderCase{"spaced_date_fraction_and_zone", "2024-01-01 00:00:00.125 +0100 mx1 exim[5]: msg",
                          "2024-01-01 00:00:00.125 +0100", "mx1", "exim", "msg"}),
    test::CaseName());

// Exim's own log shares the spaced date; what follows it is no tag, so nothing is taken.
TEST(PartialHeaderTest, EximMainLogLineHasNoTag) {
  SyslogRecord record;
  EXPECT_FALSE(parse_partial_syslog_line("2024-01-01 12:00:00 1abcDE-000123-AB ** a@b.c R=r T=t: x", record));
  EXPECT_FALSE(parse_partial_syslog_line("2024-01-01 12:00:00 SMTP connection from [192.0.2.1]", record));
}

}  // namespace
}  // namespace mta
