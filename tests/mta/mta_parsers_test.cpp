// Tests for the parser dispatch (src/mta/mta_parsers.hpp): syslog lines go to the parser of their program,
// lines without a syslog header ("journalctl -o cat", test fixtures) are dispatched by their shape, and
// looks_like_smtp_outcome() tells unreadable outcomes from lines without one.
// Lines come from /work/shared/corpus/real; the file is named in a comment next to each.

#include "mta/mta_parsers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

#include "support/case_name.hpp"

namespace mta {
namespace {

struct DispatchCase {
  const char* name;
  std::string_view line;
  ParseOutcome outcome;
  Mta mta;
  Status status;
};

void PrintTo(const DispatchCase& c, std::ostream* os) { *os << c.name; }

class DispatchTest : public ::testing::TestWithParam<DispatchCase> {};

TEST_P(DispatchTest, ReachesParser) {
  const DispatchCase& c = GetParam();
  SmtpEvent event;
  ASSERT_EQ(parse_log_line(c.line, event), c.outcome) << c.line;
  EXPECT_EQ(event.mta, c.mta);
  EXPECT_EQ(event.status, c.status);
}

const DispatchCase kByProgram[] = {
    {"postfix_smtp",
     // postfix-blockbadip.log
     "Feb 16 20:42:06 t postfix/smtp[29498]: 97C873EC0B: to=<janderson@gmail.com>, "
     "relay=gmail-smtp-in.l.google.com[74.125.29.26]:25, delay=0.57, delays=0.13/0.01/0.13/0.3, dsn=2.0.0, "
     "status=sent (250 2.0.0 OK 1518831726 z188si121582qkc.400 - gsmtp)",
     ParseOutcome::event, Mta::postfix, Status::sent},
    {"postfix_custom_syslog_name",
     // postfix-fail2ban.log
     "Mar 11 23:27:54 server postfix-smo/submission/smtpd[22427]: 44JCRG5tYPzCqt2: reject: BDAT from "
     "signing-milter.example.com[192.0.2.109]: 550 5.5.3 <DATA>: Data command rejected: Multi-recipient bounce; "
     "from=<> to=<some@example.com> proto=ESMTP helo=<domain.tld>",
     ParseOutcome::event, Mta::postfix, Status::rejected},
    {"exim",
     // exim-crowdsec.log
     "Jun 29 14:34:58 server exim[1234]: H=imfo.test.biz [1.2.3.4]:35328 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 "
     "CV=no F=<jack@test.biz> rejected RCPT <sales@toto.com.au>: No Such User Here",
     ParseOutcome::event, Mta::exim, Status::rejected},
    {"sendmail_sm_mta",
     // sendmail-fail2ban.log
     "Feb 27 15:49:02 batman sm-mta[88377]: s1REn1un088377: ruleset=check_rcpt, arg1=<non-existing-user@example.com>, "
     "relay=189-30-205-74.paebv701.dsl.brasiltelecom.net.br [189.30.205.74], reject=550 5.1.1 "
     "<non-existing-user@example.com>... User unknown",
     ParseOutcome::event, Mta::sendmail, Status::rejected},
    {"sendmail",
     // sendmail-infohtreasure.log
     "Feb 26 13:15:05 server1 sendmail[11755]: 21QCF5O0011754: to=<root@server1.alsoft.org>, delay=00:00:00, "
     "xdelay=00:00:00, mailer=local, pri=34324, dsn=2.0.0, stat=Sent",
     ParseOutcome::event, Mta::sendmail, Status::sent},
    {"opensmtpd",
     // opensmtpd-ossec.log
     "Aug 14 10:15:25 junction.example.com smtpd[28882]: smtp-in: Failed command on session 1f55bdcdf16e28a3: "
     "\"MAIL FROM:<root@junction.example.com>  \" => 421 4.3.0: Temporary Error",
     ParseOutcome::event, Mta::opensmtpd, Status::rejected_temporarily},
    {"dovecot",
     // postfix-modoboa-stats.log
     "Nov 16 11:00:20 server dovecot: lmtp(user@test.com): z5FOLrRhDVpddgAABvoInA: sieve: "
     "msgid=<cm.2100050552286.huticd.jyidyhxuy.y@cmail19.com>: stored mail into mailbox 'notifications'",
     ParseOutcome::event, Mta::dovecot, Status::sent},
    {"dovecot_submission_login",
     // dovecot-fail2ban.log
     "Aug 29 03:17:18 server dovecot: submission-login: Client has quit the connection (auth failed, 1 attempts in 2 "
     "secs): user=<user1>, method=LOGIN, rip=192.0.2.133, lip=0.0.0.0",
     ParseOutcome::event, Mta::dovecot, Status::auth_failed},
    {"exim_syslog_attempt_stays_with_exim",
     // exim-crowdsec.log
     "Jun 29 15:47:21 server exim[1234]: H=tata.test.biz [1.2.3.4]:41584 sender verify fail for <toto@test.biz>: The "
     "mail server does not recognize toto@test.biz as a valid sender.",
     ParseOutcome::attempt, Mta::exim, Status::none},
    {"opensmtpd_bookkeeping_ignored",
     // opensmtpd-ossec.log
     "Aug 17 01:26:02 ix smtpd[22704]: smtp-in: Closing session 08d856b172f69c5c", ParseOutcome::ignored,
     Mta::opensmtpd, Status::none},
};

INSTANTIATE_TEST_SUITE_P(ByProgram, DispatchTest, ::testing::ValuesIn(kByProgram), test::CaseName());

const DispatchCase kWithoutHeader[] = {
    {"exim_timestamp",
     // exim-exporter-gvengel.log
     "2020-06-24 00:13:06 1raAO7-0094KF-7u ** rudy@foo.corp R=dnslookup T=remote_smtp H=(relay.test.corp) [4.4.4.4]: "
     "SMTP error from remote mail server after RCPT TO:<rudy@test.corp>: 540 5.7.1 <rudy@test.corp>: recipient "
     "address rejected: Blocked",
     ParseOutcome::event, Mta::exim, Status::bounced},
    {"exim_timestamp_ignored_line",
     // exim-exporter-gvengel.log
     "2020-06-19 06:26:02 1jmH1s-000AVD-5t Completed", ParseOutcome::ignored, Mta::exim, Status::none},
    {"opensmtpd_event_failed_command",
     // mixed-sshguard.log
     R"~(45addba89269aeaa smtp event=failed-command address=128.237.183.69 host=zeta.wv.cc.cmu.edu command="AUTH PLAIN (...)" result="535 Authentication failed")~",
     ParseOutcome::event, Mta::opensmtpd, Status::auth_failed},
    {"opensmtpd_mta_delivery",
     // not in the corpus: mta.c report line quoted in an OpenSMTPD article
     R"~(4b3a6c195c1f6010 mta delivery evpid=8f26ea98359eccea from=<misc+bounces-4541-[redacted]=tin.it@opensmtpd.org> to=<[redacted]@tin.it> rcpt=<-> source="45.76.46.201" relay="62.211.72.32 (smtp.tin.it)" delay=0s result="TempFail" stat="421 <[redacted]@tin.it> Service not available - too busy")~",
     ParseOutcome::event, Mta::opensmtpd, Status::deferred},
    {"sendmail_stat",
     // sendmail-mozilla-lua-sandbox.log
     "x68DJAVD023504: to=<someone@xs4all.nl>, delay=12:34:45, xdelay=00:00:00, mailer=lmtp, pri=128179, "
     "relay=imap.xs4all.nl [194.109.6.110], dsn=2.0.0, stat=Sent",
     ParseOutcome::event, Mta::sendmail, Status::sent},
    {"sendmail_ruleset_reject",
     // sendmail-fail2ban.log, message part only
     "ruleset=check_relay, arg1=[196.213.73.146], arg2=196.213.73.146, relay=[196.213.73.146], reject=421 4.3.2 "
     "Connection rate limit exceeded.",
     ParseOutcome::event, Mta::sendmail, Status::rejected_temporarily},
    {"postfix_delivery",
     // postfix-grok-patterns.log
     "4E74613FE76: to=<redacted@gmail.com>, relay=gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b]:25, delay=1.9, "
     "delays=0.05/0/1.1/0.71, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b] "
     "said: 550-5.7.1 [2607:4100:3:25:100::2      12] Our system has detected that this 550-5.7.1 message is likely "
     "unsolicited mail. (in reply to end of DATA command))",
     ParseOutcome::event, Mta::postfix, Status::bounced},
    {"postfix_sasl_warning",
     // mixed-sshguard.log
     "warning: unknown[1.2.3.4]: SASL LOGIN authentication failed: authentication failure", ParseOutcome::event,
     Mta::postfix, Status::auth_failed},
    {"postfix_shaped_but_unreadable",
     // postfix-grok-patterns.log (", status=" but no Postfix delivery; no reply code for the fallback either)
     "userstats=true, from=<toto@example.com>, rcpt=<titi@example.org>, vrscore=300, vrstate=1, status=spam, "
     "action=quser(1)",
     ParseOutcome::unmatched, Mta::postfix, Status::none},
    {"generic_reply",
     // assp-fail2ban.log
     "Apr-27-13 02:25:10 [SSL-out] 217.194.197.97 max sender authentication errors (5) exceeded -- dropping "
     "connection - after reply: 535 5.7.8 Error: authentication failed: UGFzc3dvcmQ6;",
     ParseOutcome::event, Mta::generic, Status::none},
    {"generic_after_postfix_fails",
     // postfix-source-smtpd_check-ref.log's text under a program no parser claims ("reject: " but not a
     // Postfix log line: the reply is still counted)
     "./acl_tester: <queue id>: reject: HELO from localhost[127.0.0.1]: 554 5.7.1 <foo.dunno.com>: Helo command "
     "rejected: Access denied; proto=SMTP helo=<foo.dunno.com>",
     ParseOutcome::event, Mta::generic, Status::none},
    {"postfix_test_driver_is_postfix",
     // postfix-source-smtpd_check-ref.log: smtpd_check prints what smtpd logs
     "./smtpd_check: <queue id>: reject: HELO from localhost[127.0.0.1]: 554 5.7.1 <foo.dunno.com>: Helo command "
     "rejected: Access denied; proto=SMTP helo=<foo.dunno.com>",
     ParseOutcome::event, Mta::postfix, Status::rejected},
};

INSTANTIATE_TEST_SUITE_P(WithoutHeader, DispatchTest, ::testing::ValuesIn(kWithoutHeader), test::CaseName());

TEST(DispatchWithoutHeader, LinesWithoutOutcomeAreIgnored) {
  for (std::string_view line : {
           // mixed-sshguard.log
           std::string_view("Relaying denied. IP name lookup failed [6.6.6.0]"),
           std::string_view("lost connection after CONNECT from unknown[2606:2800:220:1:248:1893:25c8:1946]"),
           std::string_view("imaps TLS negotiation failed: [196.52.43.55]"),
           // sendmail-mozilla-lua-sandbox.log
           std::string_view(
               "x68DJAVD023504: from=<postmaster@example.com>, size=1234, class=0, nrcpts=1, "
               "msgid=<20190101120033.1234@example.com>, proto=ESMTP, daemon=MTA, relay=remote.example.com "
               "[192.168.1.1]"),
           // kerio-fail2ban.log
           std::string_view("[18/Jan/2014 06:41:25] SMTP Spam attack detected from 202.169.236.195, client closed "
                            "connection before SMTP greeting"),
           std::string_view(""),
       }) {
    SmtpEvent event;
    EXPECT_EQ(parse_log_line(line, event), ParseOutcome::ignored) << line;
  }
}

TEST(DispatchByProgram, OtherProgramsWithoutReplyAreIgnored) {
  for (std::string_view line : {
           // postfix-crowdsec.log / mixed-sshguard.log
           std::string_view("Jun 20 16:46:17 ares postgrey[919]: action=greylist, reason=early-retry (295s missing), "
                            "client_name=r244.mail.kbc.be, client_address=172.82.231.244, sender=bounce@mail.kbc.be, "
                            "recipient=lilydehoux@zeelandned.nl"),
           // mixed-sshguard.log
           std::string_view("Oct 29 18:51:24 mailsrv imaps[79980]: badlogin: [192.168.1.1] CRAM-MD5 (testbox@domain) "
                            "[SASL(-13): authentication failure: incorrect digest response]"),
           // mixed-sshguard.log
           std::string_view("Jun 24 15:34:21 mail imapd: LOGIN FAILED, user=fakeemail@example.com, ip=[1.2.3.4]"),
           // mailfilter-crowdsec.log
           std::string_view("Jul 30 08:02:15 efa MailScanner[1803829]: Message 5ctN6m5yKmz5sU7 from 192.168.1.100 "
                            "(attacker@malicious.com) to brandlehner.at is spam (blacklisted)"),
       }) {
    SmtpEvent event;
    EXPECT_EQ(parse_log_line(line, event), ParseOutcome::ignored) << line;
  }
}

TEST(DispatchRecord, ParseMtaRecordUsesProgram) {
  // exim-crowdsec.log message under each program name: exim claims it, an unknown program falls to the generic
  // parser (which needs an enhanced code, so nothing is counted)
  SyslogRecord record;
  record.message =
      "dovecot_login authenticator failed for ([1.2.3.5]) [1.2.3.4]:55379: 535 Incorrect authentication data "
      "(set_id=abuse@test.com)";
  SmtpEvent event;
  record.program = "exim4";
  ASSERT_EQ(parse_mta_record(record, event), ParseOutcome::event);
  EXPECT_EQ(event.mta, Mta::exim);
  EXPECT_EQ(event.status, Status::auth_failed);
  record.program = "someproxy";
  EXPECT_EQ(parse_mta_record(record, event), ParseOutcome::ignored);
}

// --- looks_like_smtp_outcome ------------------------------------------------------------------------------------

struct OutcomeMarkCase {
  const char* name;
  std::string_view text;
  bool expected;
};

void PrintTo(const OutcomeMarkCase& c, std::ostream* os) { *os << c.name; }

class LooksLikeOutcomeTest : public ::testing::TestWithParam<OutcomeMarkCase> {};

TEST_P(LooksLikeOutcomeTest, TellsOutcomeMarks) {
  EXPECT_EQ(looks_like_smtp_outcome(GetParam().text), GetParam().expected) << GetParam().text;
}

const OutcomeMarkCase kOutcomeMarks[] = {
    // postfix-homoluctus-maillogger.log
    {"delivery_status",
     "8495840E93: to=<dd@gmail.cm>, relay=none, delay=315562, delays=315532/0/30/0, dsn=4.4.1, "
     "status=deferred (connect to gmail.cm[172.217.25.69]:25: Connection timed out)",
     true},
    // postfix-blockbadip.log
    {"noqueue_reject",
     "NOQUEUE: reject: RCPT from unknown[183.240.19.250]: 450 4.7.1 <xdfoc.com>: Helo command "
     "rejected: Host not found; from=<nmkd@xdfoc.com> to=<janderson@cwxstat.com> proto=ESMTP "
     "helo=<xdfoc.com>",
     true},
    // postfix-exporters.log
    {"remote_said",
     "732BB407C3: host mail.domain.com[1.1.1.1] said: 451 DT:SPM 163 "
     "mx13,P8CowECpNVM_oEVaenoEAQ--.23796S3 1514512449, please try again 15min later (in reply to end of "
     "DATA command)",
     true},
    // postfix-grok-patterns.log
    {"refused_to_talk", "40197AA: host mg2.egov.bg[213.91.191.86] refused to talk to me: 450 4.3.2 try again later",
     true},
    // postfix-blockbadip.log
    {"sasl_failure",
     "warning: unknown[188.126.223.106]: SASL LOGIN authentication failed: Invalid authentication "
     "mechanism",
     true},
    // exim-crowdsec.log, X= and CV= left out (Exim's "rejected RCPT" is not the Postfix "reject: " mark)
    {"exim_rejected_word",
     "H=imfo.test.biz [1.2.3.4]:35328 F=<jack@test.biz> rejected RCPT <sales@toto.com.au>: No "
     "Such User Here",
     false},
    // postfix-blockbadip.log
    {"connect", "connect from unknown[188.126.223.106]", false},
    // postfix-blockbadip.log
    {"queue_bookkeeping", "97C873EC0B: removed", false},
    // exim-crowdsec.log (Exim's "authenticator failed" is not the Postfix mark)
    {"exim_authenticator_failed",
     "dovecot_login authenticator failed for ([1.2.3.5]) [1.2.3.4]:55379: 535 Incorrect "
     "authentication data (set_id=abuse@test.com)",
     false},
    // postfix-grok-patterns.log (status= without the ", " before it)
    {"status_word_without_separator", "status=spam", false},
    {"empty", "", false},
    // The marks that end in ": " after other colons, at the end of the text, and without the blank.
    {"mark_after_other_colons", "warning: 12: host mx[192.0.2.1] said: 550 no", true},
    {"mark_at_end", "ABC: reject: ", true},
    {"colon_without_blank", "host mx[192.0.2.1] said:550 no", false},
    {"word_ending_in_reject", "ABC: noreject: x", true},
};

INSTANTIATE_TEST_SUITE_P(Texts, LooksLikeOutcomeTest, ::testing::ValuesIn(kOutcomeMarks), test::CaseName());

}  // namespace
}  // namespace mta

// --- hostile content does not choose the parser -------------------------------------------------------------------
// Lines without a syslog header go to a parser by the keys their MTA writes itself, and OpenSMTPD claims a bare
// "smtpd" line by its session id: an address or a remote reply holding another MTA's keys changes nothing.

namespace mta {
namespace {

struct HostileDispatchCase {
  const char* name;
  std::string clean;
  std::string hostile;
};

void PrintTo(const HostileDispatchCase& c, std::ostream* os) { *os << c.name; }

// postfix-blockbadip.log delivery, without its syslog header, to the recipient given
std::string postfix_bounce(std::string_view rcpt, std::string_view reply = "550 5.1.1 User unknown") {
  return "4A1B2C3D: to=<" + std::string(rcpt) +
         ">, relay=mx.example.org[192.0.2.1]:25, delay=1.5, delays=0.1/0/0.4/1, dsn=5.1.1, status=bounced (host "
         "mx.example.org[192.0.2.1] said: " +
         std::string(reply) + " (in reply to RCPT TO command))";
}

// postfix-blockbadip.log reject, with or without its syslog header (the program then a bare "smtpd")
std::string postfix_reject(std::string_view rcpt, std::string_view header = {}) {
  return std::string(header) + "NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 550 5.1.1 <" + std::string(rcpt) +
         ">: Recipient address rejected: User unknown; from=<s@example.org> to=<" + std::string(rcpt) +
         "> proto=ESMTP helo=<h.example.org>";
}

const HostileDispatchCase kHostileDispatch[] = {
    {"headerless_postfix_recipient_with_sendmail_stat", postfix_bounce("u@example.net"),
     postfix_bounce(R"~("x, stat=Sent (250 ok)"@example.net)~")},
    {"headerless_postfix_reply_with_sendmail_stat", postfix_bounce("u@example.net"),
     postfix_bounce("u@example.net", "550 5.1.1 User unknown, stat=Sent")},
    {"headerless_postfix_recipient_with_ruleset", postfix_bounce("u@example.net"),
     postfix_bounce(R"~("ruleset=check_rcpt, reject=250 ok"@example.net)~")},
    {"headerless_postfix_reject_with_opensmtpd_report", postfix_reject("u@example.net"),
     postfix_reject("u smtp failed-command command=\"RCPT\" result=\"250 ok\"@example.net")},
    {"bare_smtpd_reject_with_opensmtpd_report", postfix_reject("u@example.net", "Feb 12 06:19:00 t smtpd[20456]: "),
     postfix_reject("u mta delivery result=\"Ok\" stat=\"250 ok\" smtp x@example.net",
                    "Feb 12 06:19:00 t smtpd[20456]: ")},
};

// A header left out in part (a quoted line, a shipper's date format) still names the program, and its parser reads it.
TEST(HeaderlessDispatchTest, PartialHeaderGoesToTheProgramsParser) {
  const std::string delivery = postfix_bounce("u@example.net");
  for (const std::string prefix :
       {"postfix/smtp[123]: ", "mx1 postfix/smtp[123]: ", "2024-01-01 00:00:00 mx1 postfix/smtp[123]: "}) {
    const std::string line = prefix + delivery;  // the event's views point into it
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(line, event), ParseOutcome::event) << prefix;
    EXPECT_EQ(event.mta, Mta::postfix) << prefix;
    EXPECT_EQ(event.direction, Direction::outbound) << prefix;
    EXPECT_EQ(event.status, Status::bounced) << prefix;
    EXPECT_EQ(event.reply, "550 5.1.1 User unknown") << prefix;
  }
  SmtpEvent event;
  ASSERT_EQ(parse_log_line("sm-mta[123]: k0ABCDEF012345: to=<a@example.org>, delay=00:00:01, mailer=esmtp, pri=120000, "
                           "relay=mx.example.org. [192.0.2.1], dsn=5.1.1, stat=User unknown",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.mta, Mta::sendmail);
  EXPECT_EQ(event.status, Status::bounced);
  // A program without a parser is not taken for a tag: Exim's own line keeps its parser.
  ASSERT_EQ(parse_log_line("2024-01-01 12:00:00 1abcDE-000123-AB ** a@example.org: Unrouteable address", event),
            ParseOutcome::event);
  EXPECT_EQ(event.mta, Mta::exim);
}

// sendmail-fail2ban.log policy reject without syslog header or queue id: its reply holds ": " of its own
TEST(HeaderlessDispatchTest, SendmailRulesetRejectWithoutQueueId) {
  SmtpEvent event;
  ASSERT_EQ(parse_log_line("ruleset=check_relay, arg1=leased-line-54-82.telecom.by, arg2=217.21.54.82, "
                           "relay=leased-line-54-82.telecom.by [217.21.54.82], reject=421 4.3.2 Connection rate "
                           "limit exceeded: try later",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.mta, Mta::sendmail);
  EXPECT_EQ(event.status, Status::rejected_temporarily);
}

// OpenSMTPD before 6.4, its messages without the syslog header ("journalctl -o cat"): the failed command and the
// queue's delivery lines; a "relay: " line of any other program stays unread.
TEST(HeaderlessDispatchTest, OldOpenSmtpdOutcomeLines) {
  SmtpEvent event;
  ASSERT_EQ(parse_log_line("smtp-in: Failed command on session a6ee64eda205f046: \"RCPT TO:<foo@example.com>\" => 451 "
                           "Temporary failure",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.mta, Mta::opensmtpd);
  EXPECT_EQ(event.direction, Direction::inbound);
  EXPECT_EQ(event.reply, "451 Temporary failure");

  ASSERT_EQ(parse_log_line("relay: TempFail for c534b8c7f5ad4a41: session=a6ee64ec089bf84f, from=<a@example.com>, "
                           "to=<b@example.com>, rcpt=<->, source=127.0.0.1, relay=127.0.0.1 (localhost), delay=0s, "
                           "stat=451 4.0.0 try later",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.mta, Mta::opensmtpd);
  EXPECT_EQ(event.direction, Direction::outbound);
  EXPECT_EQ(event.status, Status::deferred);
  EXPECT_EQ(event.reply, "451 4.0.0 try later");

  ASSERT_EQ(parse_log_line("delivery: Ok for f23a96c23e2500b8: from=<a@example.com>, to=<b@example.com>, user=b, "
                           "method=lmtp, delay=1s, stat=Delivered",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.direction, Direction::local);
  EXPECT_EQ(event.status, Status::sent);

  EXPECT_NE(parse_log_line("relay: host 192.0.2.1 is up", event), ParseOutcome::event);
}

class HostileDispatchTest : public ::testing::TestWithParam<HostileDispatchCase> {};

TEST_P(HostileDispatchTest, ReachesTheParserOfTheCleanLine) {
  SmtpEvent clean;
  SmtpEvent hostile;
  ASSERT_EQ(parse_log_line(GetParam().clean, clean), ParseOutcome::event) << GetParam().clean;
  ASSERT_EQ(parse_log_line(GetParam().hostile, hostile), ParseOutcome::event) << GetParam().hostile;
  EXPECT_EQ(hostile.mta, clean.mta);
  EXPECT_EQ(hostile.status, clean.status);
  EXPECT_EQ(hostile.direction, clean.direction);
  EXPECT_EQ(hostile.stage, clean.stage);
}

INSTANTIATE_TEST_SUITE_P(Lines, HostileDispatchTest, ::testing::ValuesIn(kHostileDispatch), test::CaseName());

// --- one failed try: described by classify, counted by no counter (ParseOutcome::attempt) ------------------------

struct AttemptCase {
  const char* name;
  std::string_view line;
  Mta mta;
  Direction direction;
  Stage stage;
  int implied_class;
  std::string_view peer;  // the client, or the server for our own tries
  std::string_view text;  // what the rules read: the reply, else the MTA's words
};

void PrintTo(const AttemptCase& c, std::ostream* os) { *os << c.name; }

class AttemptTest : public ::testing::TestWithParam<AttemptCase> {};

TEST_P(AttemptTest, IsReadButLeftToTheOutcome) {
  const AttemptCase& c = GetParam();
  SmtpEvent event;
  ASSERT_EQ(parse_log_line(c.line, event), ParseOutcome::attempt) << c.line;
  EXPECT_EQ(event.mta, c.mta);
  EXPECT_EQ(event.direction, c.direction);
  EXPECT_EQ(event.status, Status::none);
  EXPECT_EQ(event.stage, c.stage);
  EXPECT_EQ(event.implied_class, c.implied_class);
  EXPECT_EQ(c.direction == Direction::inbound ? event.client : event.remote_host, c.peer);
  EXPECT_EQ(text_to_classify(event), c.text);
}

const AttemptCase kAttempts[] = {
    {"postfix_connect_failed",
     // logged for every address, the last one's also as the delivery line's reason
     "Dec  1 10:00:00 mx postfix/smtp[12]: connect to mx1.example.com[192.0.2.1]:25: Connection refused", Mta::postfix,
     Direction::outbound, Stage::connect, 4, "mx1.example.com",
     "connect to mx1.example.com[192.0.2.1]:25: Connection refused"},
    {"postfix_lmtp_connect_failed",
     "Dec  1 10:00:00 mx postfix/lmtp[12]: connect to mail.example.com[192.0.2.9]:24: Connection refused", Mta::postfix,
     Direction::local, Stage::connect, 4, "mail.example.com",
     "connect to mail.example.com[192.0.2.9]:24: Connection refused"},
    {"postfix_smtpd_lost_connection",
     // postfix-blockbadip.log: the client went away, smtpd sent nothing
     "Feb 12 12:00:23 t postfix/smtpd[2820]: lost connection after DATA (0 bytes) from "
     "elasmtp-curtail.atl.sa.earthlink.net[209.86.89.64]",
     Mta::postfix, Direction::inbound, Stage::data, 4, "elasmtp-curtail.atl.sa.earthlink.net[209.86.89.64]",
     "lost connection after DATA (0 bytes)"},
    {"postfix_smtpd_tls_library_problem",
     // postfix-blockbadip.log
     "Feb 12 11:28:13 t postfix/smtps/smtpd[30557]: warning: TLS library problem: error:140760FC:SSL "
     "routines:SSL23_GET_CLIENT_HELLO:unknown protocol:s23_srvr.c:640:",
     Mta::postfix, Direction::inbound, Stage::starttls, 4, "",
     "TLS library problem: error:140760FC:SSL routines:SSL23_GET_CLIENT_HELLO:unknown protocol:s23_srvr.c:640:"},
    {"postfix_ssl_accept_error",
     // postfix-blockbadip.log
     "Feb 11 20:44:59 t postfix/smtps/smtpd[8147]: SSL_accept error from unknown[107.170.231.79]: lost connection",
     Mta::postfix, Direction::inbound, Stage::starttls, 4, "unknown[107.170.231.79]", "lost connection"},
    {"postfix_ssl_accept_error_code",
     // postfix-blockbadip.log
     "Feb 12 11:28:13 t postfix/smtps/smtpd[30557]: SSL_accept error from unknown[5.39.223.84]: -1", Mta::postfix,
     Direction::inbound, Stage::starttls, 4, "unknown[5.39.223.84]", "TLS handshake failed"},
    {"postfix_ssl_connect_error_code",
     // tls_client.c: the reason is the TLS library's return code
     "Feb 12 11:28:13 t postfix/smtp[30557]: SSL_connect error to mx.example.net[192.0.2.1]:25: -1", Mta::postfix,
     Direction::outbound, Stage::starttls, 4, "mx.example.net", "TLS handshake failed"},
    {"postfix_tlsproxy_handshake_failed",
     // postfix-pixelpark-2023-03-15.log
     "2023-03-15T04:28:47.219091+01:00 helga postfix/tlsproxy[420867]: TLS handshake failed for service=smtpd "
     "peer=[121.232.50.247]:55812",
     Mta::postfix, Direction::inbound, Stage::starttls, 4, "[121.232.50.247]",
     "TLS handshake failed for service=smtpd peer=[121.232.50.247]:55812"},
    {"exim_host_connection_timed_out",
     // exim-exporter-gvengel.log
     "2020-06-19 04:54:02 1jmFYj-00039V-QX H=null.corp [6.6.6.6] Connection timed out", Mta::exim, Direction::outbound,
     Stage::unknown, 4, "null.corp", "Connection timed out"},
    {"exim_host_unreachable_without_h",
     // exim-ddgrey-mainlog.log (before Exim 4.90 the host had no "H=")
     "2020-02-22 01:31:25 1j5IhX-0006pK-Rt gmail-smtp-in.l.google.com [2a00:1450:400c:c0c::1b] Network is "
     "unreachable",
     Mta::exim, Direction::outbound, Stage::unknown, 4, "gmail-smtp-in.l.google.com", "Network is unreachable"},
    {"exim_host_tls_error",
     // exim-testsuite-mainlog.log (the client's TLS failure at a remote host; the == line carries the result)
     "1999-03-02 09:44:33 10HmbC-000000005vi-0000 H=ip4.ip4.ip4.ip4 [ip4.ip4.ip4.ip4] TLS error on connection (recv): "
     "A TLS fatal alert has been received: No supported application protocol could be negotiated",
     Mta::exim, Direction::outbound, Stage::unknown, 4, "ip4.ip4.ip4.ip4",
     "TLS error on connection (recv): A TLS fatal alert has been received: No supported application protocol could "
     "be negotiated"},
    {"exim_dane_attempt_failed",
     // exim-testsuite-mainlog.log
     "1999-03-02 09:44:33 10HmbR-000000005vi-0000 DANE attempt failed; TLS connection to danebroken2.test.ex "
     "[127.0.0.1]: (SSL_connect): error:xxxxxxxx:SSL routines:ssl3_get_server_certificate:certificate verify failed",
     Mta::exim, Direction::outbound, Stage::unknown, 4, "danebroken2.test.ex",
     "DANE attempt failed; TLS connection to danebroken2.test.ex [127.0.0.1]: (SSL_connect): "
     "error:xxxxxxxx:SSL routines:ssl3_get_server_certificate:certificate verify failed"},
    {"exim_failed_to_connect",
     // Exim's specification, "Deferred deliveries": the per-host line before the == line that carries the deferral
     "2002-12-19 16:20:23 16aiQz-0002Q5-00 Failed to connect to mail1.endrest.example [192.168.239.239]: Connection "
     "refused",
     Mta::exim, Direction::outbound, Stage::unknown, 4, "mail1.endrest.example",
     "Failed to connect to mail1.endrest.example [192.168.239.239]: Connection refused"},
    {"exim_no_mail_with_helo_only",
     // Exim's specification, log_selector smtp_no_mail: C= lists the client's commands
     "2026-12-06 10:00:00 +0100 [4711] no MAIL in SMTP connection from (test) [192.0.2.1]:5555 I=[192.0.2.9]:25 "
     "D=0.123s C=EHLO,QUIT",
     Mta::exim, Direction::inbound, Stage::connect, 4, "[192.0.2.1]", "no MAIL in SMTP connection"},
    {"exim_sender_verify_fail",
     // exim-crowdsec.log (the refusal follows on its own line)
     "2022-06-29 15:47:21 H=tata.test.biz [1.2.3.4]:41584 sender verify fail for <toto@test.biz>: The mail server "
     "does not recognize toto@test.biz as a valid sender.",
     Mta::exim, Direction::inbound, Stage::mail, 5, "tata.test.biz [1.2.3.4]", "sender verify fail"},
    {"exim_sender_verify_defer",
     // exim-testsuite-mainlog.log
     "1999-03-02 09:44:33 U=CALLER sender verify defer for <x@host.test.again.dns>: host lookup did not complete",
     Mta::exim, Direction::inbound, Stage::mail, 4, "", "host lookup did not complete"},
    {"exim_sender_verify_defer_with_callout_reply",
     // verify.c: the callout's answer quoted after "was:", whose words say "rejected": no refusal of ours
     "2024-01-01 10:00:00 H=mail.example.org [192.0.2.1]:41584 sender verify defer for <a@example.org>: response to "
     "\"RCPT TO:<a@example.org>\" from mx.example.org [192.0.2.9] was: 451 4.7.1 Greylisted, rejected for now",
     Mta::exim, Direction::inbound, Stage::mail, 4, "mail.example.org [192.0.2.1]",
     "451 4.7.1 Greylisted, rejected for now"},
    {"exim_host_reply_that_says_rejected",
     // the host's reply holds "rejected ": before, taken for our own refusal and counted besides the ** line
     "2024-03-01 10:00:00 1rZTNF-00000000Z3E-2mXo H=mx.example.net [192.0.2.1]: SMTP error from remote mail server "
     "after MAIL FROM:<a@example.org> SIZE=1234: 550 5.7.1 Message rejected as spam",
     Mta::exim, Direction::outbound, Stage::mail, 4, "mx.example.net", "550 5.7.1 Message rejected as spam"},
    {"exim_no_mail_in_connection",
     // fail2ban/fail2ban#1886 (tests/accuracy/cases.jsonl)
     "2017-09-06 08:45:54 [16069] no MAIL in SMTP connection from 191-242-0-1.example.net (FAKE.SERVER.NAME) "
     "[191.242.0.1]:53131 I=[192.0.2.25]:25 D=11s C=HELO,AUTH,QUIT",
     // with a HELO name, the client is its address alone (client_address(): the name is the client's to choose)
     Mta::exim, Direction::inbound, Stage::connect, 4, "[191.242.0.1]", "no MAIL in SMTP connection"},
    {"sendmail_did_not_issue_mail",
     // sendmail-fail2ban.log
     "Mar  6 16:55:28 s192-168-0-1 sm-mta[20949]: v26LtRA0020949: some-host-24.example.org [192.0.2.194] did not "
     "issue MAIL/EXPN/VRFY/ETRN during connection to MTA",
     Mta::sendmail, Direction::inbound, Stage::connect, 4, "some-host-24.example.org [192.0.2.194]",
     "did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA"},
    {"sendmail_repeated_auth",
     // sendmail-fail2ban.log
     "Feb 24 12:10:15 kismet sm-acceptingconnections[32053]: s1OHA28u032053: 211-75-6-133.HINET-IP.hinet.net "
     "[211.75.6.133]: possible SMTP attack: command=AUTH, count=6",
     Mta::sendmail, Direction::inbound, Stage::auth, 5, "211-75-6-133.HINET-IP.hinet.net [211.75.6.133]",
     "possible SMTP attack: command=AUTH, count=6"},
    {"sendmail_tls_server_reject_of_our_delivery",
     // parseaddr.c rscheck() for deliver.c's tls_server: the to= line with "stat=Deferred: 403 4.7.0 TLS handshake
     // failed." follows and is counted; Solaris' syslogd writes its message id first (brandonhutchinson.com)
     "Jan  2 19:58:51 mta sm-mta[29534]: [ID 702911 mail.notice] ruleset=tls_server, arg1=SOFTWARE, "
     "relay=mx.example.net. [192.0.2.1], reject=403 4.7.0 TLS handshake failed.",
     Mta::sendmail, Direction::outbound, Stage::starttls, 0, "mx.example.net", "403 4.7.0 TLS handshake failed."},
    {"opensmtpd_error_on_session",
     // OpenSMTPD issue #195: the delivery line that follows carries the outcome
     "Apr 25 12:48:01 lx2 transfer[4603]: smtp-out: Error on session 00000016486029f7: Connection closed "
     "unexpectedly",
     Mta::opensmtpd, Direction::outbound, Stage::unknown, 4, "", "Connection closed unexpectedly"},
    {"opensmtpd_mta_error",
     // mta_session.c mta_error(s, "Connection timeout") since 6.4
     "Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9b982c840c mta error reason=Connection timeout", Mta::opensmtpd,
     Direction::outbound, Stage::unknown, 4, "", "Connection timeout"},
    {"opensmtpd_mta_event_error",
     // mta_session.c mta_error(s, "IO Error: %s", ...) in 6.0
     "Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9b982c840c mta event=error reason=IO Error: Connection reset by peer",
     Mta::opensmtpd, Direction::outbound, Stage::unknown, 4, "", "IO Error: Connection reset by peer"},
    {"dovecot_lmtp_spool_failed",
     // mailcow/mailcow#733 (tests/accuracy/cases.jsonl)
     "Jan 11 18:55:17 mail dovecot: lmtp(19672): Error: Temp file creation to /tmp/dovecot.lmtp.mail.19672. failed: "
     "No such file or directory",
     Mta::dovecot, Direction::local, Stage::unknown, 4, "",
     "Temp file creation to /tmp/dovecot.lmtp.mail.19672. failed: No such file or directory"},
    {"dovecot_lmtp_fatal",
     // docker-mailserver/docker-mailserver#974 (tests/accuracy/cases.jsonl)
     "May 17 17:23:20 mail dovecot: lmtp(xx@example.org): Fatal: master: service(lmtp): child 25980 returned error 83 "
     "(Out of memory)",
     Mta::dovecot, Direction::local, Stage::unknown, 4, "",
     "master: service(lmtp): child 25980 returned error 83 (Out of memory)"},
};

INSTANTIATE_TEST_SUITE_P(Lines, AttemptTest, ::testing::ValuesIn(kAttempts), test::CaseName());

// Look-alikes of a failed try that are none: Postfix's own subsystems and another daemon's words, an ACL's warning,
// a command other than AUTH past its limit, sender addresses that hold a marker, a host without its closing bracket,
// a client that left after its message was taken, an LMTP error that fails no transaction (the indexer's), and the
// LDA's Fatal, a counted deferral.
TEST(AttemptTest, LookAlikesAreNoAttempts) {
  const std::pair<std::string_view, ParseOutcome> cases[] = {
      {"Feb 26 11:54:49 server1 postfix/smtp[30124]: connect to subsystem private/defer: Connection refused",
       ParseOutcome::ignored},
      {"Feb 26 11:54:49 server1 postfix/cleanup[30124]: connect to mx1.example.com[192.0.2.1]:25: Connection refused",
       ParseOutcome::ignored},
      {"Feb 12 12:00:23 t postfix/smtpd[2820]: lost connection after END-OF-MESSAGE from client.example[192.0.2.7]",
       ParseOutcome::ignored},
      {"1999-03-02 09:44:33 10HmaX-000000005vi-0000 H=(helo) [192.0.2.1] Warning: Sender rate 12.3 / 1h",
       ParseOutcome::ignored},
      {"2024-01-01 10:00:00 H=(x) [192.0.2.1] Warning: sender verify fail for <a@example.org>", ParseOutcome::ignored},
      {"Feb 16 23:33:20 smtp1 sm-mta[5133]: s1GNXHYB005133: [190.5.230.178]: possible SMTP attack: command=NOOP, "
       "count=20",
       ParseOutcome::ignored},
      {"Feb 24 12:10:15 h sm-mta[32053]: s1OHA28u032053: from=<\"x: possible SMTP attack: command=AUTH, "
       "count=\"@example.com>, size=0, class=0, nrcpts=0, proto=ESMTP, relay=[192.0.2.1]",
       ParseOutcome::ignored},
      {"Feb 24 12:10:15 h sm-mta[32053]: s1OHA28u032053: from=<\"x did not issue MAIL/EXPN/VRFY/ETRN during "
       "connection to \"@example.com>, size=0, relay=[192.0.2.1]",
       ParseOutcome::ignored},
      {"2002-12-19 16:20:23 16aiQz-0002Q5-00 Failed to connect to :25 [192.0.2.1 Connection refused",
       ParseOutcome::ignored},
      {"Apr 25 12:48:01 lx2 smtpd[4603]: smtp-out: Error on session 00000016486029f7: opportunistic TLS failed, "
       "downgrading to plain",
       ParseOutcome::ignored},
      {"May 17 17:23:20 mail dovecot: lmtp(u@example.org): Error: fts_solr: Indexing failed: Timeout",
       ParseOutcome::ignored},
      {"May 17 17:23:20 mail dovecot: lda(u@example.org): Fatal: setgid(5000) failed", ParseOutcome::event},
  };
  for (const auto& [line, outcome] : cases) {
    SmtpEvent event;
    EXPECT_EQ(parse_log_line(line, event), outcome) << line;
  }
}

}  // namespace
}  // namespace mta
