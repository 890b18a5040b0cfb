// Tests for the OpenSMTPD log parser (src/mta/opensmtpd.hpp): the older "smtp-in: Failed command ..." and
// "relay: ... for ..." lines, and the current report lines ("<session> smtp failed-command ...",
// "<session> mta delivery ...", "<session> mda delivery ...").
// The corpus holds only 7 old-format lines (opensmtpd-ossec.log) and 2 "event=failed-command" lines
// (mixed-sshguard.log); see SOURCES.md, "Gaps". Other lines follow the log_info() formats of OpenSMTPD's
// smtp_session.c, mta.c and mda.c; where a line is taken from outside the corpus its comment says where from.

#include "mta/opensmtpd.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "event_case.hpp"
#include "mta/mta_parsers.hpp"
#include "support/case_name.hpp"

namespace mta {
namespace {

using test::EventCase;

class OpenSmtpdEventTest : public ::testing::TestWithParam<EventCase> {};

// The cases do not state remote_host, which is not compared here.
TEST_P(OpenSmtpdEventTest, ReadsEvent) { test::expect_event(GetParam(), Mta::opensmtpd, {.remote_host = false}); }

const EventCase kEventCases[] = {
    // --- commands we refused (inbound) --------------------------------------------------------------------------
    {.name = "old_failed_command_mail_from",
     // opensmtpd-ossec.log
     .line =
         R"~(Aug 14 10:15:25 junction.example.com smtpd[28882]: smtp-in: Failed command on session 1f55bdcdf16e28a3: "MAIL FROM:<root@junction.example.com>  " => 421 4.3.0: Temporary Error)~",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .reply = "421 4.3.0: Temporary Error"},
    {.name = "event_failed_command_auth_not_supported",
     // mixed-sshguard.log (message without syslog header)
     .line =
         R"~(38dd06274cde1fd7 smtp event=failed-command address=185.236.202.133 host=no-mans-land.m247.com command="AUTH LOGIN" result="503 5.5.1 Invalid command: Command not supported")~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "503 5.5.1 Invalid command: Command not supported"},
    {.name = "event_failed_command_auth_535",
     // mixed-sshguard.log (message without syslog header; OpenSMTPD masks the credentials as "(...)")
     .line =
         R"~(45addba89269aeaa smtp event=failed-command address=128.237.183.69 host=zeta.wv.cc.cmu.edu command="AUTH PLAIN (...)" result="535 Authentication failed")~",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Authentication failed",
     .mechanism = "PLAIN"},
    {.name = "failed_command_auth_login_535",
     // mixed-sshguard.log line in the "smtp failed-command" form (without "event=") behind a syslog header
     .line =
         R"~(Aug 17 01:26:02 ix smtpd[22704]: 45addba89269aeaa smtp failed-command command="AUTH LOGIN" result="535 Authentication failed")~",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Authentication failed",
     .mechanism = "LOGIN"},
    {.name = "failed_command_rcpt_with_trailing_space",
     // not in the corpus: smtp_session.c report line as quoted in a public OpenSMTPD how-to
     .line =
         R"~(Mar 08 20:48:47 webserver smtpd[88171]: 2cd79d8bacbe2c12 smtp failed-command command="RCPT TO:<info@blunix.com> " result="550 Invalid recipient: <info@blunix.com>")~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "550 Invalid recipient: <info@blunix.com>"},
    {.name = "failed_command_data_greylisted",
     // not in the corpus: smtp_session.c report line as quoted in a public OpenSMTPD/rspamd note
     .line =
         R"~(Aug  2 17:23:37 susie smtpd[48048]: b4a942c181a10c63 smtp failed-command command="DATA" result="451 Try again later")~",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::data,
     .reply = "451 Try again later"},
    {.name = "mta_delivery_ok",
     // not in the corpus: mta.c report line from the OpenSMTPD author's logging article (poolp.org)
     .line =
         R"~(Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9b982c840c mta delivery evpid=3d4c4a424797fe79 from=<gilles@poolp.org> to=<gilles.chehade@gmail.com> rcpt=<-> source="127.0.0.1" relay="127.0.0.1 (localhost)" delay=0s result="Ok" stat="250 2.0.0: f6e94209 Message accepted for delivery")~",
     .status = Status::sent,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "250 2.0.0: f6e94209 Message accepted for delivery",
     .delay_seconds = 0},
    {.name = "mta_delivery_tempfail",
     // not in the corpus: mta.c report line quoted in an OpenSMTPD article (message without syslog header)
     .line =
         R"~(4b3a6c195c1f6010 mta delivery evpid=8f26ea98359eccea from=<misc+bounces-4541-[redacted]=tin.it@opensmtpd.org> to=<[redacted]@tin.it> rcpt=<-> source="45.76.46.201" relay="62.211.72.32 (smtp.tin.it)" delay=0s result="TempFail" stat="421 <[redacted]@tin.it> Service not available - too busy")~",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "421 <[redacted]@tin.it> Service not available - too busy",
     .delay_seconds = 0},
    {.name = "mta_delivery_permfail_long_delay",
     // the TempFail line above with result PermFail, a 5xx stat and delay 1h2m3s
     .line =
         R"~(4b3a6c195c1f6010 mta delivery evpid=8f26ea98359eccea from=<misc+bounces-4541-[redacted]=tin.it@opensmtpd.org> to=<[redacted]@tin.it> rcpt=<-> source="45.76.46.201" relay="62.211.72.32 (smtp.tin.it)" delay=1h2m3s result="PermFail" stat="550 5.1.1 <[redacted]@tin.it> User unknown")~",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "550 5.1.1 <[redacted]@tin.it> User unknown",
     .delay_seconds = 3723},
    {.name = "mda_delivery_ok",
     // not in the corpus: mda.c report line from the OpenSMTPD author's logging article (poolp.org)
     .line = "Jul  6 06:01:40 ams-1 smtpd[75295]: 5df87c9250bba470 mda delivery evpid=c405e39ad6bbc64f "
             "from=<gilles@poolp.org> to=<gilles@poolp.org> rcpt=<gilles@poolp.org> user=gilles delay=0s result=Ok "
             "stat=Delivered",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "Delivered",
     .delay_seconds = 0},
    {.name = "old_relay_tempfail",
     // opensmtpd-ossec.log host and envelope, in the older mta.c "relay: %s for %016x: ..." form
     .line = "Aug 17 01:26:03 ix smtpd[22704]: relay: TempFail for 4296f490a1b2c3d4: from=<root@ix.example.com>, "
             "to=<ddp@example.org>, relay=62.211.72.32 (smtp.tin.it) delay=2m5s, stat=421 Service not available - too "
             "busy",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "421 Service not available - too busy",
     .delay_seconds = 125},
    {.name = "old_delivery_ok",
     // opensmtpd-ossec.log envelope, in the older mda.c "delivery: %s for %016x: ..." form
     .line = "Aug 17 01:26:02 ix smtpd[22704]: delivery: Ok for 4296f490a1b2c3d4: from=<root@ix.example.com>, "
             "to=<ddp@ix.example.com>, user=ddp, method=mbox, delay=1s, stat=Delivered",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "Delivered",
     .delay_seconds = 1},

    // --- forms read from OpenSMTPD's sources and history (issue 10) ----------------------------------------------
    {.name = "old_relay_tempfail_under_process_title",
     // OpenSMTPD issue #195 (2013): logged by the "transfer" process under its title, addresses without <>
     .line = "Apr 25 12:48:01 lx2 transfer[4603]: relay: TempFail for 66251a4092099e2d: from=tXXX@XXXt.com, "
             "to=XX@XXX.org, relay=88.190.237.114 (mx1.poolp.org), delay=12s, stat=451 Temporary failure, please "
             "try again later.",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .reply = "451 Temporary failure, please try again later.",
     .delay_seconds = 12},
    {.name = "old_relay_tempfail_session_source_no_mx",
     // OpenSMTPD issue #639 (5.7, mta.c mta_log(): "relay: %s for %016x: session=%016x, from=<%s>, to=<%s>,
     // rcpt=<%s>, source=%s, relay=%s, delay=%s, stat=%s")
     .line = "Oct  7 00:39:51 host smtpd[8204]: relay: TempFail for da22753dbfba3245: session=0000000000000000, "
             "from=someone@example.com, to=dest@example.com, rcpt=<->, source=-, relay=mysmtp.local, "
             "delay=1d4h26m40s, stat=No MX found for domain",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .agent_text = "No MX found for domain",
     .delay_seconds = 102400},
    {.name = "old_relay_permfail_gmail",
     // OpenSMTPD issue #365 (5.4): the last line of Gmail's multi-line reply
     .line = "Nov 27 10:00:00 mx smtpd[8204]: relay: PermFail for 3a45d0d114df12c9: session=000000076c353ebb, "
             "from=(hidden), to=(hidden), source=192.168.0.14, relay=173.194.66.26 (we-in-f26.1e100.net), delay=9s, "
             "stat=550 5.1.1 http://support.google.com/mail/bin/answer.py?answer=6596 gf9si1561564wib.42 - gsmtp",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .reply = "550 5.1.1 http://support.google.com/mail/bin/answer.py?answer=6596 gf9si1561564wib.42 - gsmtp",
     .delay_seconds = 9},
    {.name = "queue_expire",
     // queue.c queue_log(&evp, "Expire", "Envelope expired") (5.4 to 7.x), the issue #195 envelope
     .line = "Apr 29 12:48:01 lx2 smtpd[4603]: relay: Expire for 66251a4092099e2d: from=<t@example.com>, "
             "to=<x@example.org>, rcpt=<->, delay=4d, stat=Envelope expired",
     .status = Status::expired,
     .direction = Direction::outbound,
     .agent_text = "Envelope expired",
     .delay_seconds = 345600},
    {.name = "queue_expire_local_under_process_title",
     // queue.c queue_log() for an MDA envelope, logged by the "queue" process under its title
     .line = "Apr 29 12:48:01 lx2 queue[4601]: delivery: Expire for 66251a4092099e2d: from=<t@example.com>, "
             "to=<x@example.org>, rcpt=<->, delay=4d, stat=Envelope expired",
     .status = Status::expired,
     .direction = Direction::local,
     .agent_text = "Envelope expired",
     .delay_seconds = 345600},
    {.name = "old_delivery_tempfail_under_process_title",
     // mda.c mda_log() before 6.0 ("delivery: %s for %016x: from=<%s>, to=<%s>, %suser=%s, method=%s, delay=%s,
     // stat=%s"), logged by the "delivery" process under its title
     .line = "Aug 17 01:26:02 ix delivery[22705]: delivery: TempFail for 4296f490a1b2c3d4: from=<root@ix.example.com>, "
             "to=<ddp@ix.example.com>, user=ddp, method=mbox, delay=1s, stat=Error (exited with status 75)",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "Error (exited with status 75)",
     .delay_seconds = 1},
    {.name = "old_delivery_permfail_loop",
     // mda.c mda_log(e, "PermFail", "Loop detected")
     .line = "Aug 17 01:26:02 ix smtpd[22704]: delivery: PermFail for 4296f490a1b2c3d4: from=<root@ix.example.com>, "
             "to=<ddp@ix.example.com>, user=ddp, method=mbox, delay=0s, stat=Loop detected",
     .status = Status::bounced,
     .direction = Direction::local,
     .agent_text = "Loop detected",
     .delay_seconds = 0},
    {.name = "smtp_out_error_banner_rejected",
     // mta_session.c mta_error(s, "BANNER rejected: %s", line) before 6.4 ("smtp-out: Error on session %016x: %s")
     .line = "Apr 25 12:48:01 lx2 transfer[4603]: smtp-out: Error on session 00000016486029f7: BANNER rejected: 421 "
             "4.3.2 System not accepting network messages",
     .status = Status::none,
     .direction = Direction::outbound,
     .stage = Stage::connect,
     .reply = "421 4.3.2 System not accepting network messages"},
    {.name = "smtp_out_error_after_messages_ehlo_rejected",
     // mta_session.c mta_error() with s->msgcount ("smtp-out: Error on session %016x after %zu message%s sent: %s")
     .line = "Jul  6 06:01:46 ams-1 smtpd[75295]: smtp-out: Error on session 5df87c9b982c840c after 2 messages sent: "
             "EHLO rejected: 550 5.7.1 Access denied",
     .status = Status::none,
     .direction = Direction::outbound,
     .stage = Stage::helo,
     .reply = "550 5.7.1 Access denied"},
    {.name = "mta_error_banner_rejected",
     // mta_session.c mta_error() since 6.4 ("%016x mta error reason=%s")
     .line = "Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9b982c840c mta error reason=BANNER rejected: 421 4.3.2 System "
             "not accepting network messages",
     .status = Status::none,
     .direction = Direction::outbound,
     .stage = Stage::connect,
     .reply = "421 4.3.2 System not accepting network messages"},
    {.name = "mta_event_error_starttls_rejected",
     // mta_session.c mta_error() in 6.0 ("%016x mta event=error reason=%s")
     .line = "Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9b982c840c mta event=error reason=STARTTLS rejected: 454 4.7.0 "
             "TLS not available due to local problem",
     .status = Status::none,
     .direction = Direction::outbound,
     .stage = Stage::starttls,
     .reply = "454 4.7.0 TLS not available due to local problem"},
    {.name = "mta_event_delivery_permfail",
     // mta.c mta_log() in 6.0 ("%016x mta event=delivery evpid=... result=\"%s\" stat=\"%s\""), the
     // "mta_delivery_tempfail" envelope
     .line =
         R"~(Jan 10 10:00:00 mx smtpd[4603]: 4b3a6c195c1f6010 mta event=delivery evpid=8f26ea98359eccea from=<misc@opensmtpd.org> to=<x@tin.it> rcpt=<-> source="45.76.46.201" relay="62.211.72.32 (smtp.tin.it)" delay=3s result="PermFail" stat="550 5.1.1 <x@tin.it> User unknown")~",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .reply = "550 5.1.1 <x@tin.it> User unknown",
     .delay_seconds = 3},
    {.name = "mda_event_delivery_ok",
     // mda.c mda_log() in 6.0 ("%016x mda event=delivery evpid=%016x from=<%s> to=<%s> %suser=%s method=%s delay=%s
     // result=%s stat=%s")
     .line = "Jul  6 06:01:40 ams-1 smtpd[75295]: 0000000000000000 mda event=delivery evpid=c405e39ad6bbc64f "
             "from=<gilles@poolp.org> to=<gilles@poolp.org> user=gilles method=mbox delay=0s result=Ok stat=Delivered",
     .status = Status::sent,
     .direction = Direction::local,
     .agent_text = "Delivered",
     .delay_seconds = 0},
    {.name = "mda_delivery_under_dispatcher_title",
     // the "mda_delivery_ok" line logged by 7.x's "dispatcher" process under its title
     .line = "Jul  6 06:01:40 ams-1 dispatcher[75296]: 5df87c9250bba470 mda delivery evpid=c405e39ad6bbc64f "
             "from=<gilles@poolp.org> to=<gilles@poolp.org> rcpt=<gilles@poolp.org> user=gilles delay=0s result=Ok "
             "stat=Delivered",
     .status = Status::sent,
     .direction = Direction::local,
     .agent_text = "Delivered",
     .delay_seconds = 0},
    {.name = "old_failed_command_auth_masked_535",
     // smtp_session.c 5.3 to 6.0 ("smtp-in: Failed command on session %016x: \"AUTH [...]\" => %.*s")
     .line =
         R"~(Aug 14 10:15:25 junction.example.com smtpd[28882]: smtp-in: Failed command on session 1f55bdcdf16e28a3: "AUTH [...]" => 535 Authentication failed)~",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Authentication failed"},
    {.name = "old_failed_command_rcpt_under_process_title",
     // smtp_session.c before 5.4, logged by the "smtp" process under its title
     .line =
         R"~(Aug 14 10:15:25 junction smtp[28881]: smtp-in: Failed command on session 1f55bdcdf16e28a3: "RCPT TO:<nobody@junction.example.com>" => 550 Invalid recipient)~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "550 Invalid recipient"},
    {.name = "old_bad_input",
     // smtp_session.c before 6.0 ("smtp-in: Bad input on session %016x: %.*s"), the pipelining reply of 5.4
     .line = "Mar  4 00:13:55 ix smtpd[22421]: smtp-in: Bad input on session 427e7497e03518ef: 500 Pipelining not "
             "supported",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .reply = "500 Pipelining not supported"},
    {.name = "bad_input",
     // smtp_session.c since 6.4 ("%016x smtp bad-input result=\"%.*s\""), the pipelining reply of 7.x
     .line =
         R"~(Mar  4 00:13:55 ix smtpd[22421]: 427e7497e03518ef smtp bad-input result="500 5.5.1 Invalid command: Pipelining not supported")~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .reply = "500 5.5.1 Invalid command: Pipelining not supported"},
    {.name = "failed_command_auth_login_username",
     // smtp_session.c since 6.0 ("command=\"AUTH LOGIN (username)\"")
     .line =
         R"~(Aug 17 01:26:02 ix smtpd[22704]: 45addba89269aeaa smtp failed-command command="AUTH LOGIN (username)" result="501 5.5.4 Syntax error")~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "501 5.5.4 Syntax error"},
    // --- forms read from OpenSMTPD's sources, second pass (OpenSMTPD/OpenSMTPD tags opensmtpd-5.0 to 7.8.0p0) -------
    {.name = "forked_title_before_failed_command",
     // OpenSMTPD issue #1059 (6.7.0p1 on Linux: "smtpd[pid]: y express[pid]: " before the message), with the
     // smtp_session.c smtp_reply() line of "failed_command_data_greylisted"
     .line =
         R"~(May 17 04:17:43 fedora32 smtpd[19980]: y express[19980]: b4a942c181a10c63 smtp failed-command command="DATA" result="451 Try again later")~",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::data,
     .reply = "451 Try again later"},
    {.name = "forked_title_under_journal_before_delivery",
     // OpenSMTPD issue #1059 under systemd ("journal[pid]: y express[pid]: "), mta.c mta_log() of 6.7
     .line =
         R"~(May  2 12:32:50 centos8 journal[124033]: y express[124033]: 4b3a6c195c1f6010 mta delivery evpid=8f26ea98359eccea from=<a@example.org> to=<b@example.net> rcpt=<-> source="192.0.2.1" relay="198.51.100.7 (mx.example.net)" delay=2s result="PermFail" stat="550 5.1.1 <b@example.net> User unknown")~",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .reply = "550 5.1.1 <b@example.net> User unknown",
     .delay_seconds = 2},
    {.name = "received_invalid_input_5_7",
     // smtp_session.c smtp_reply() in opensmtpd-5.7.3 ("smtp-in: session %016x: received invalid input: %.*s")
     .line = "Mar  4 00:13:55 ix smtpd[22421]: smtp-in: session 427e7497e03518ef: received invalid input: 500 5.5.1 "
             "Invalid command: Pipelining not supported",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .reply = "500 5.5.1 Invalid command: Pipelining not supported"},
    {.name = "old_failed_command_auth_login_password_535",
     // smtp_session.c smtp_reply() of opensmtpd-5.0 and 5.3 ("smtp-in: Failed command on session %016x: \"%s\" =>
     // %.*s" with the last line read, after AUTH LOGIN the base64 password; smtp_auth_failure answers 535)
     .line =
         R"~(Aug 14 10:15:25 junction smtpd[28882]: smtp-in: Failed command on session 1f55bdcdf16e28a3: "cGFzc3dvcmQ=" => 535 Authentication failed)~",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Authentication failed"},
    {.name = "failed_command_auth_login_password_535",
     // smtp_session.c smtp_reply() since 6.4, STATE_AUTH_PASSWORD, the reply of smtp_auth_failure_resume()
     .line =
         R"~(Aug 17 01:26:02 ix smtpd[22704]: 45addba89269aeaa smtp failed-command command="AUTH LOGIN (password)" result="535 Authentication failed")~",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Authentication failed",
     .mechanism = "LOGIN"},
    {.name = "old_connection_rejected_by_filter",
     // smtp_session.c smtp_mfa_response() of opensmtpd-5.4.6 (IMSG_SMTP_REQ_CONNECT: "smtp-in: Disconnecting session
     // %016x: rejected by filter", the session closed without a reply)
     .line = "Mar  4 00:13:55 ix smtpd[22421]: smtp-in: Disconnecting session 427e7497e03518ef: rejected by filter",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .agent_text = "rejected by filter"},
    {.name = "connection_closed_filter_rejection_5_7",
     // smtp_session.c of opensmtpd-5.7.3 ("smtp-in: session %016x: connection from host %s [%s] closed (filter
     // rejection)")
     .line = "Mar  4 00:13:55 ix smtpd[22421]: smtp-in: session 427e7497e03518ef: connection from host "
             "client.example.net [192.0.2.7] closed (filter rejection)",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .agent_text = "rejected by filter"},
    {.name = "failed_command_auth_tempfail",
     // smtp_session.c since 6.4: LKA_TEMPFAIL answered "421 %s Temporary failure" (ESC 4.7.0) in STATE_AUTH_INIT
     .line =
         R"~(Aug 17 01:26:02 ix smtpd[22704]: 45addba89269aeaa smtp failed-command command="AUTH PLAIN (...)" result="421 4.7.0 Temporary failure")~",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "421 4.7.0 Temporary failure"},
};

INSTANTIATE_TEST_SUITE_P(Lines, OpenSmtpdEventTest, ::testing::ValuesIn(kEventCases), test::CaseName());

// --- OpenSMTPD lines without an outcome -------------------------------------------------------------------------

TEST(OpenSmtpdIgnored, SessionBookkeepingIsIgnored) {
  // opensmtpd-ossec.log
  for (std::string_view line : {
           std::string_view("Aug 17 01:26:02 ix smtpd[22704]: smtp-in: New session 08d856b172f69c5c from host "
                            "ix.example.com [local]"),
           std::string_view("Aug 17 01:26:02 ix smtpd[22704]: smtp-in: Accepted message 4296f490 on session "
                            "08d856b172f69c5c: from=<root@ix.example.com>, to=<ddp@ix.example.com>, size=1746, "
                            "ndest=1, proto=ESMTP"),
           std::string_view("Aug 17 01:26:02 ix smtpd[22704]: smtp-in: Closing session 08d856b172f69c5c"),
           std::string_view("Mar  4 00:13:55 ix smtpd[22421]: smtp-in: Disconnecting session 427e7497e03518ef: IO "
                            "error: No SSL error"),
           std::string_view("Mar  4 00:13:55 ix smtpd[22421]: smtp-in: Started TLS on session 427e749c2e46f809: "
                            "version=TLSv1.2, cipher=EDH-RSA-DES-CBC3-SHA, bits=112"),
           // not in the corpus: report lines from the OpenSMTPD author's logging article (poolp.org)
           std::string_view("Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9c42abeddb smtp connected address=127.0.0.1 "
                            "host=localhost"),
           std::string_view("Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9c42abeddb smtp message msgid=f6e94209 "
                            "size=802 nrcpt=1 proto=ESMTP"),
       }) {
    SyslogRecord record;
    ASSERT_TRUE(parse_syslog_line(line, record));
    EXPECT_TRUE(is_opensmtpd_line(record)) << line;
    SmtpEvent event;
    EXPECT_EQ(parse_log_line(line, event), ParseOutcome::ignored) << line;
  }
}

// The AUTH result lines: smtp_session.c answers a failed AUTH while the session is still in an AUTH state, so
// smtp_reply() logs the reply as a failed command ("... command="AUTH PLAIN (...)" result="535 Authentication
// failed"", before 6.4 "smtp-in: Failed command on session X: "AUTH [...]" => 535 Authentication failed"), which is
// counted; the result line before it would count the one failure twice.
TEST(OpenSmtpdIgnored, AuthenticationResultLinesAreNotCountedTwice) {
  for (std::string_view line : {
           // 6.4 to 7.x: "%016x smtp authentication user=%s result=permfail" (and result=tempfail)
           std::string_view("Aug 17 01:26:02 ix smtpd[22704]: 08d856b172f69c5c smtp authentication user=admin "
                            "result=permfail"),
           std::string_view("Aug 17 01:26:02 ix smtpd[22704]: 08d856b172f69c5c smtp authentication user=admin "
                            "result=tempfail"),
           // 6.0: "%016x smtp event=authentication user=%s address=%s host=%s result=permfail"
           std::string_view("Aug 17 01:26:02 ix smtpd[22704]: 08d856b172f69c5c smtp event=authentication user=admin "
                            "address=192.0.2.7 host=client.example.net result=permfail"),
           // 5.0 to 5.9: "smtp-in: Authentication failed for user %s on session %016x" (and "temporarily failed")
           std::string_view("Aug 17 01:26:02 ix smtp[22703]: smtp-in: Authentication failed for user admin on session "
                            "08d856b172f69c5c"),
           std::string_view("Aug 17 01:26:02 ix smtpd[22704]: smtp-in: Authentication temporarily failed for user "
                            "admin on session 08d856b172f69c5c"),
           // 5.7: "smtp-in: session %016x: authentication failure for user %s"
           std::string_view("Aug 17 01:26:02 ix smtpd[22704]: smtp-in: session 08d856b172f69c5c: authentication "
                            "failure for user admin"),
           // 5.7: "smtp-in: session %016x: received invalid command: \"%s\"" does not log the reply it answers
           std::string_view("Aug 17 01:26:02 ix smtpd[22704]: smtp-in: session 08d856b172f69c5c: received invalid "
                            "command: \"RCPT TO:<a@example.org>\""),
           // 7.x with issue #1059's forked title: the title is read past, the line stays a result line
           std::string_view("Aug 17 01:26:02 ix smtpd[22704]: y express[22704]: 08d856b172f69c5c smtp authentication "
                            "user=admin result=permfail"),
       }) {
    SmtpEvent event;
    EXPECT_EQ(parse_log_line(line, event), ParseOutcome::ignored) << line;
  }
}

TEST(OpenSmtpdClaim, ForkedTitleIsReadPastOnlyBeforeOpenSmtpdShape) {
  SyslogRecord record;
  record.program = "journal";
  record.message = "y express[124033]: 6ad20154b7c9470a smtp connected address=local host=centos8";
  EXPECT_TRUE(is_opensmtpd_line(record));
  // a journal line of another program, with a bracketed pid of its own
  record.message = "systemd[1]: Started Session 1 of user root.";
  EXPECT_FALSE(is_opensmtpd_line(record));
  record.message = "6ad20154b7c9470a smtp connected address=local host=centos8";
  EXPECT_FALSE(is_opensmtpd_line(record));
  record.program = "smtpd";
  record.message =
      "ue[124034]: relay: Expire for 66251a4092099e2d: from=<t@example.com>, to=<x@example.org>, "
      "rcpt=<->, delay=4d, stat=Envelope expired";
  EXPECT_TRUE(is_opensmtpd_line(record));
  SmtpEvent event;
  ASSERT_EQ(parse_opensmtpd(record, event), ParseOutcome::event);
  EXPECT_EQ(event.status, Status::expired);
}

TEST(OpenSmtpdIgnored, AuthenticationSuccessIsIgnored) {
  SmtpEvent event;
  // the "authentication_permfail" line with result=ok
  EXPECT_EQ(parse_log_line("Aug 17 01:26:02 ix smtpd[22704]: 08d856b172f69c5c smtp authentication user=admin "
                           "result=ok",
                           event),
            ParseOutcome::ignored);
}

TEST(OpenSmtpdUnmatched, FailedCommandWithoutResultIsUnmatched) {
  // mixed-sshguard.log line cut before result="..."
  SyslogRecord record;
  record.program = "smtpd";
  record.message = R"~(38dd06274cde1fd7 smtp event=failed-command address=185.236.202.133 command="AUTH LOGIN")~";
  SmtpEvent event;
  EXPECT_EQ(parse_opensmtpd(record, event), ParseOutcome::unmatched);
}

TEST(OpenSmtpdUnmatched, DeliveryWithUnknownResultIsUnmatched) {
  // the mta_delivery_tempfail line with an unknown result word
  SyslogRecord record;
  record.program = "smtpd";
  record.message =
      R"~(4b3a6c195c1f6010 mta delivery evpid=8f26ea98359eccea relay="62.211.72.32 (smtp.tin.it)" delay=0s result="Maybe" stat="421 busy")~";
  SmtpEvent event;
  EXPECT_EQ(parse_opensmtpd(record, event), ParseOutcome::unmatched);
}

TEST(OpenSmtpdIgnored, NotesAndRemovalsAreIgnored) {
  for (std::string_view line : {
           // mta_session.c: opportunistic TLS, retried in plain text
           std::string_view("Apr 25 12:48:01 lx2 smtpd[4603]: smtp-out: Error on session 00000016486029f7: "
                            "opportunistic TLS failed, downgrading to plain"),
           // queue.c queue_log(&evp, "Remove", "Removed by administrator")
           std::string_view("Apr 29 12:48:01 lx2 smtpd[4603]: relay: Remove for 66251a4092099e2d: "
                            "from=<t@example.com>, to=<x@example.org>, rcpt=<->, delay=1h, stat=Removed by "
                            "administrator"),
           // bounce.c bounce_delivery(): the bounce for envelopes whose PermFail is counted could not be injected
           std::string_view("Aug 17 01:26:02 ix smtpd[22704]: warn: PermFail injecting failure report on message "
                            "4296f490 to <root@ix.example.com> for 1 envelope: 550 5.1.1 User unknown"),
           // smtp_session.c since 6.4: no reply
           std::string_view("Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9c42abeddb smtp disconnected "
                            "reason=tls-accept-failed"),
           // smtp_session.c 6.0
           std::string_view("Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9c42abeddb smtp event=authentication "
                            "user=admin address=192.0.2.7 host=client.example.net result=ok"),
       }) {
    SmtpEvent event;
    EXPECT_EQ(parse_log_line(line, event), ParseOutcome::ignored) << line;
  }
}

TEST(OpenSmtpdClaim, ProcessTitlesAreClaimedOnlyWithOpenSmtpdShape) {
  SyslogRecord record;
  record.message = "relay: TempFail for 4296f490a1b2c3d4: from=<root@ix.example.com>, stat=421 busy";
  for (std::string_view program : {"smtpd", "transfer", "delivery", "smtp", "queue", "dispatcher"}) {
    record.program = program;
    EXPECT_TRUE(is_opensmtpd_line(record)) << program;
  }
  for (std::string_view program : {"postfix/smtp", "lookup", "smtpd2", "transfer2", "postfix/queue"}) {
    record.program = program;
    EXPECT_FALSE(is_opensmtpd_line(record)) << program;
  }
  // a Postfix smtp client line under a bare "smtp" tag (rsyslog without permitSlashInProgramName) stays Postfix's
  // shape, not OpenSMTPD's
  record.program = "smtp";
  record.message =
      "4Xy1Zq2abcz9: to=<a@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1, status=sent (250 ok)";
  EXPECT_FALSE(is_opensmtpd_line(record));
}

TEST(OpenSmtpdRemoteHost, OldRelayLinesNameTheRelay) {
  struct Case {
    std::string_view line;
    std::string_view host;
  };
  const Case cases[] = {
      // OpenSMTPD issue #195
      {"Apr 25 12:48:01 lx2 transfer[4603]: relay: TempFail for 66251a4092099e2d: from=tXXX@XXXt.com, "
       "to=XX@XXX.org, relay=88.190.237.114 (mx1.poolp.org), delay=12s, stat=451 Temporary failure, please try "
       "again later.",
       "mx1.poolp.org"},
      // OpenSMTPD issue #639
      {"Oct  7 00:39:51 host smtpd[8204]: relay: TempFail for da22753dbfba3245: session=0000000000000000, "
       "from=someone@example.com, to=dest@example.com, rcpt=<->, source=-, relay=mysmtp.local, delay=1d4h26m40s, "
       "stat=No MX found for domain",
       "mysmtp.local"},
      // OpenSMTPD issue #365
      {"Nov 27 10:00:00 mx smtpd[8204]: relay: PermFail for 3a45d0d114df12c9: session=000000076c353ebb, "
       "from=(hidden), to=(hidden), source=192.168.0.14, relay=173.194.66.26 (we-in-f26.1e100.net), delay=9s, "
       "stat=550 5.1.1 http://support.google.com/mail/bin/answer.py?answer=6596 gf9si1561564wib.42 - gsmtp",
       "we-in-f26.1e100.net"},
      // queue.c Expire: no relay
      {"Apr 29 12:48:01 lx2 smtpd[4603]: relay: Expire for 66251a4092099e2d: from=<t@example.com>, "
       "to=<x@example.org>, rcpt=<->, delay=4d, stat=Envelope expired",
       ""},
  };
  for (const Case& c : cases) {
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(c.line, event), ParseOutcome::event) << c.line;
    EXPECT_EQ(event.remote_host, c.host) << c.line;
  }
}

// --- "smtpd" is also a Postfix daemon -------------------------------------------------------------------------

TEST(OpenSmtpdClaim, PostfixSmtpdIsNotClaimed) {
  // OpenSMTPD's message shape under Postfix's program name
  SyslogRecord record;
  record.program = "postfix/smtpd";
  record.message =
      "smtp-in: Failed command on session 1f55bdcdf16e28a3: \"MAIL FROM:<root@junction.example.com>  \" "
      "=> 421 4.3.0: Temporary Error";
  EXPECT_FALSE(is_opensmtpd_line(record));

  // postfix-blockbadip.log: a real Postfix smtpd line is Postfix's
  SmtpEvent event;
  ASSERT_EQ(parse_log_line("Feb 12 06:19:00 t postfix/smtpd[20456]: NOQUEUE: reject: RCPT from "
                           "unknown[183.240.19.250]: 450 4.7.1 <xdfoc.com>: Helo command rejected: Host not found; "
                           "from=<nmkd@xdfoc.com> to=<janderson@cwxstat.com> proto=ESMTP helo=<xdfoc.com>",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.mta, Mta::postfix);
}

TEST(OpenSmtpdClaim, BareSmtpdWithoutOpenSmtpdShapeIsNotOpenSmtpd) {
  // exim-ossec-wazuh.log Postfix line ("postfix/smtpd[1713]: connect from ...") with the program "smtpd"
  constexpr std::string_view connect =
      "Mar 16 00:01:25 evita smtpd[1713]: connect from camomile.cloud9.net[168.100.1.3]";
  SyslogRecord record;
  ASSERT_TRUE(parse_syslog_line(connect, record));
  EXPECT_FALSE(is_opensmtpd_line(record));
  SmtpEvent event;
  EXPECT_EQ(parse_log_line(connect, event), ParseOutcome::ignored);
  EXPECT_NE(event.mta, Mta::opensmtpd);

  // postfix-blockbadip.log reject with the program "smtpd": the generic fallback counts its reply
  constexpr std::string_view reject =
      "Feb 12 06:19:00 t smtpd[20456]: NOQUEUE: reject: RCPT from unknown[183.240.19.250]: 450 4.7.1 <xdfoc.com>: "
      "Helo command rejected: Host not found; from=<nmkd@xdfoc.com> to=<janderson@cwxstat.com> proto=ESMTP "
      "helo=<xdfoc.com>";
  ASSERT_TRUE(parse_syslog_line(reject, record));
  EXPECT_FALSE(is_opensmtpd_line(record));
  ASSERT_EQ(parse_log_line(reject, event), ParseOutcome::event);
  EXPECT_NE(event.mta, Mta::opensmtpd);
  EXPECT_EQ(event.mta, Mta::generic);
}

TEST(OpenSmtpdClaim, ClaimsOnlyBareSmtpdWithOpenSmtpdShape) {
  SyslogRecord record;
  record.program = "smtpd";
  // opensmtpd-ossec.log
  record.message = "smtp-in: Closing session 08d856b172f69c5c";
  EXPECT_TRUE(is_opensmtpd_line(record));
  // the "old_relay_tempfail" and "mda_delivery_ok" messages
  record.message = "relay: TempFail for 4296f490a1b2c3d4: from=<root@ix.example.com>, stat=421 busy";
  EXPECT_TRUE(is_opensmtpd_line(record));
  record.message = "5df87c9250bba470 mda delivery evpid=c405e39ad6bbc64f user=gilles delay=0s result=Ok stat=Delivered";
  EXPECT_TRUE(is_opensmtpd_line(record));
  record.program = "postfix-out/smtpd";
  EXPECT_FALSE(is_opensmtpd_line(record));
  record.program = "smtpd-filter";
  EXPECT_FALSE(is_opensmtpd_line(record));
}

// --- bugs ------------------------------------------------------------------------------------------------------

// Regression (opensmtpd.cpp, parse_delivery, fixed): remote_host is taken as the text before the first space of
// relay="...", but mta.c writes the relay as mta_host_to_text(): "<address> (<ptr name>)", e.g. relay="62.211.72.32
// (smtp.tin.it)". remote_host becomes the IP address and the provider cannot be told from the host name.
// (The header comment of parse_delivery assumes relay="mx.example.com (192.0.2.1)", the other way round.)
TEST(OpenSmtpdBug, MtaDeliveryRemoteHostIsPtrName) {
  SmtpEvent event;
  // the "mta_delivery_tempfail" line
  ASSERT_EQ(
      parse_log_line(
          R"~(4b3a6c195c1f6010 mta delivery evpid=8f26ea98359eccea from=<misc+bounces-4541-[redacted]=tin.it@opensmtpd.org> to=<[redacted]@tin.it> rcpt=<-> source="45.76.46.201" relay="62.211.72.32 (smtp.tin.it)" delay=0s result="TempFail" stat="421 <[redacted]@tin.it> Service not available - too busy")~",
          event),
      ParseOutcome::event);
  EXPECT_EQ(event.remote_host, "smtp.tin.it");
  // the "mta_delivery_ok" line
  ASSERT_EQ(
      parse_log_line(
          R"~(Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9b982c840c mta delivery evpid=3d4c4a424797fe79 from=<gilles@poolp.org> to=<gilles.chehade@gmail.com> rcpt=<-> source="127.0.0.1" relay="127.0.0.1 (localhost)" delay=0s result="Ok" stat="250 2.0.0: f6e94209 Message accepted for delivery")~",
          event),
      ParseOutcome::event);
  EXPECT_EQ(event.remote_host, "localhost");
}

// Regression (opensmtpd.cpp, parse_delivery / quoted_field, fixed): mda.c writes "result=%s stat=%s" without quotes,
// and a failed local delivery's stat holds spaces ("Error (%s%s%s)", "Loop detected", "Temporary failure in user
// lookup"). quoted_field() stops an unquoted value at the first space, so agent_text is only "Error" / "Loop".
// stat is the last field of the line and should run to its end when unquoted.
TEST(OpenSmtpdBug, MdaDeliveryFailureKeepsWholeStat) {
  struct Case {
    std::string_view line;
    Status status;
    std::string_view agent_text;
  };
  // the "mda_delivery_ok" line with the failure outcomes mda.c logs
  const Case cases[] = {
      {"Jul  6 06:01:40 ams-1 smtpd[75295]: 5df87c9250bba470 mda delivery evpid=c405e39ad6bbc64f "
       "from=<gilles@poolp.org> to=<gilles@poolp.org> rcpt=<gilles@poolp.org> user=gilles delay=0s result=TempFail "
       "stat=Error (mda exited prematurely)",
       Status::deferred, "Error (mda exited prematurely)"},
      {"Jul  6 06:01:40 ams-1 smtpd[75295]: 5df87c9250bba470 mda delivery evpid=c405e39ad6bbc64f "
       "from=<gilles@poolp.org> to=<gilles@poolp.org> rcpt=<gilles@poolp.org> user=gilles delay=0s result=PermFail "
       "stat=Loop detected",
       Status::bounced, "Loop detected"},
  };
  for (const Case& c : cases) {
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(c.line, event), ParseOutcome::event) << c.line;
    EXPECT_EQ(event.status, c.status);
    EXPECT_EQ(event.direction, Direction::local);
    EXPECT_EQ(event.agent_text, c.agent_text);
  }
}

}  // namespace
}  // namespace mta

namespace mta {
namespace {

// A line cut right after " stat=" must not be read past its end.
TEST(OpenSmtpdEdgeTest, StatAtTheEndOfTheLine) {
  SmtpEvent event;
  const ParseOutcome outcome =
      parse_log_line("Mar  4 00:00:00 h smtpd[1]: 0123456789abcdef mta delivery evpid=1 result=\"Ok\" stat=", event);
  EXPECT_EQ(outcome, ParseOutcome::event);
  EXPECT_EQ(event.status, Status::sent);
}

}  // namespace
}  // namespace mta

// --- hostile commands, user names and addresses --------------------------------------------------------------------
// smtp_session.c logs the client's command line as sent (strnvis leaves '"' alone) before its result; the result
// ends the line. User names are vis-encoded (no spaces) before the result; envelope addresses are dot-atoms
// (valid_localpart: no space, no quote, but '='). Whatever the client chose, a line yields its clean twin's event.

namespace mta {
namespace {

using test::HostileValueCase;

// What a client may append to a RCPT or AUTH command line.
const HostileValueCase kHostileCommandTails[] = {
    {"result", R"~(" result="250 2.0.0 Ok)~"},
    {"result_without_quote", R"~( result="250 2.0.0 Ok")~"},
    {"command_and_result", R"~(" command="DATA" result="354 go ahead)~"},
    {"delivery_fields", R"~( mta delivery evpid=1 result="Ok" stat="250 ok")~"},
    {"authentication", R"~( smtp authentication user=x result=permfail)~"},
    {"old_format", R"~(" => 250 2.0.0 Ok)~"},
};

// Dot-atoms that hold the keys of the fields after them.
const HostileValueCase kHostileAddresses[] = {
    {"stat", "stat=250-ok@example.net"},
    {"result", "result=Ok@example.net"},
    {"delay", "delay=99h@example.net"},
    {"every_key", "x=y,result=Ok,stat=250,delay=1s@example.net"},
    {"relay", "x,relay=mx.google.com@example.net"},
    {"relay_with_name", "relay=192.0.2.9(gmail-smtp-in.l.google.com)@example.net"},
};

void expect_same_event(const std::string& clean_line, const std::string& hostile_line) {
  SmtpEvent clean;
  SmtpEvent hostile;
  ASSERT_EQ(parse_log_line(clean_line, clean), ParseOutcome::event) << clean_line;
  ASSERT_EQ(parse_log_line(hostile_line, hostile), ParseOutcome::event) << hostile_line;
  EXPECT_EQ(hostile.mta, Mta::opensmtpd) << hostile_line;
  EXPECT_EQ(hostile.status, clean.status) << hostile_line;
  EXPECT_EQ(hostile.direction, clean.direction) << hostile_line;
  EXPECT_EQ(hostile.stage, clean.stage) << hostile_line;
  EXPECT_EQ(hostile.reply, clean.reply) << hostile_line;
  EXPECT_EQ(hostile.agent_text, clean.agent_text) << hostile_line;
  EXPECT_EQ(hostile.mechanism, clean.mechanism) << hostile_line;
  EXPECT_EQ(hostile.delay_seconds, clean.delay_seconds) << hostile_line;
}

class OpenSmtpdHostileCommandTest : public ::testing::TestWithParam<HostileValueCase> {};

TEST_P(OpenSmtpdHostileCommandTest, CommandChangesNothing) {
  // the "failed_command_rcpt_with_trailing_space" and "failed_command_auth_login_535" lines
  const std::string head = "Mar 08 20:48:47 webserver smtpd[88171]: 2cd79d8bacbe2c12 smtp failed-command command=\"";
  for (const auto& [command, result] : {std::pair<std::string_view, std::string_view>{
                                            "RCPT TO:<info@blunix.com> ", "550 Invalid recipient: <info@blunix.com>"},
                                        {"AUTH LOGIN", "535 Authentication failed"},
                                        {"DATA", "451 Try again later"}}) {
    const std::string tail = "\" result=\"" + std::string(result) + "\"";
    expect_same_event(head + std::string(command) + tail,
                      head + std::string(command) + std::string(GetParam().value) + tail);
  }
}

// The same commands in the format before 6.4 ("smtp-in: Failed command on session X: "<command>" => <reply>").
TEST_P(OpenSmtpdHostileCommandTest, OldFormatCommandChangesNothing) {
  const std::string head =
      "Aug 14 10:15:25 junction smtpd[28882]: smtp-in: Failed command on session 1f55bdcdf16e28a3: \"";
  for (const auto& [command, result] :
       {std::pair<std::string_view, std::string_view>{"RCPT TO:<info@blunix.com> ", "550 Invalid recipient"},
        {"AUTH PLAIN", "535 Authentication failed"},
        {"DATA", "451 Try again later"}}) {
    const std::string tail = "\" => " + std::string(result);
    expect_same_event(head + std::string(command) + tail,
                      head + std::string(command) + std::string(GetParam().value) + tail);
  }
}

// The old format's user name is not encoded: it ends where " on session " starts. Neither the accepted nor the failed
// authentication line is counted (the failed command logged with the reply is), whatever the name holds.
TEST_P(OpenSmtpdHostileCommandTest, OldUserNameMakesNoFailure) {
  SmtpEvent event;
  EXPECT_EQ(parse_log_line("Aug 17 01:26:02 ix smtpd[22704]: smtp-in: Accepted authentication for user " +
                               std::string(GetParam().value) + " on session 08d856b172f69c5c",
                           event),
            ParseOutcome::ignored);
  EXPECT_EQ(parse_log_line("Aug 17 01:26:02 ix smtpd[22704]: smtp-in: Authentication failed for user " +
                               std::string(GetParam().value) + " on session 08d856b172f69c5c",
                           event),
            ParseOutcome::ignored);
}

// A remote server's reply in mta_error() may say anything after its code.
TEST_P(OpenSmtpdHostileCommandTest, RemoteReplyChangesNothing) {
  for (std::string_view head : {"Jul  6 06:01:46 ams-1 smtpd[75295]: 5df87c9b982c840c mta error reason=",
                                "Apr 25 12:48:01 lx2 transfer[4603]: smtp-out: Error on session 00000016486029f7: "}) {
    const std::string reply = "421 4.3.2 busy" + std::string(GetParam().value);
    const std::string line = std::string(head) + "BANNER rejected: " + reply;
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(line, event), ParseOutcome::event) << line;
    EXPECT_EQ(event.reply, reply);
    EXPECT_EQ(event.stage, Stage::connect);
    EXPECT_EQ(event.direction, Direction::outbound);
  }
}

// The user name is vis-encoded: a space becomes "\040".
TEST_P(OpenSmtpdHostileCommandTest, UserNameMakesNoFailure) {
  std::string user(GetParam().value);
  for (std::size_t pos = user.find(' '); pos != std::string::npos; pos = user.find(' ', pos)) {
    user.replace(pos, 1, "\\040");
  }
  SmtpEvent event;
  EXPECT_EQ(parse_log_line("Aug 17 01:26:02 ix smtpd[22704]: 08d856b172f69c5c smtp authentication user=" + user +
                               "result=permfail result=ok",
                           event),
            ParseOutcome::ignored);
}

INSTANTIATE_TEST_SUITE_P(Commands, OpenSmtpdHostileCommandTest, ::testing::ValuesIn(kHostileCommandTails),
                         test::CaseName());

class OpenSmtpdHostileAddressTest : public ::testing::TestWithParam<HostileValueCase> {};

TEST_P(OpenSmtpdHostileAddressTest, AddressesChangeNothing) {
  const std::string a(GetParam().value);
  // the "mta_delivery_tempfail" line
  const auto mta = [](const std::string& from, const std::string& to) {
    return "4b3a6c195c1f6010 mta delivery evpid=8f26ea98359eccea from=<" + from + "> to=<" + to + "> rcpt=<" + to +
           R"~(> source="45.76.46.201" relay="62.211.72.32 (smtp.tin.it)" delay=2s result="TempFail" stat="421 <)~" +
           to + R"~(> Service not available - too busy")~";
  };
  // the "mda_delivery_ok" line
  const auto mda = [](const std::string& from, const std::string& to) {
    return "Jul  6 06:01:40 ams-1 smtpd[75295]: 5df87c9250bba470 mda delivery evpid=c405e39ad6bbc64f from=<" + from +
           "> to=<" + to + "> rcpt=<" + to + "> user=gilles delay=0s result=Ok stat=Delivered";
  };
  // the "old_relay_tempfail" line
  const auto old = [](const std::string& from, const std::string& to) {
    return "Aug 17 01:26:03 ix smtpd[22704]: relay: TempFail for 4296f490a1b2c3d4: from=<" + from + ">, to=<" + to +
           ">, relay=62.211.72.32 (smtp.tin.it) delay=2m5s, stat=421 Service not available - too busy";
  };
  const std::string clean = "user@example.net";
  expect_same_event(mda("gilles@poolp.org", clean), mda(a, a));
  expect_same_event(old("root@ix.example.com", clean), old(a, a));
  // the relay's name is read from relay=, whatever the addresses before it hold
  SmtpEvent relayed;
  const std::string old_line = old(a, a);
  ASSERT_EQ(parse_log_line(old_line, relayed), ParseOutcome::event);
  EXPECT_EQ(relayed.remote_host, "smtp.tin.it");
  const std::string mta_line = mta(a, a);
  ASSERT_EQ(parse_log_line(mta_line, relayed), ParseOutcome::event);
  EXPECT_EQ(relayed.remote_host, "smtp.tin.it");
  // the addresses of issue #195's lines are written without <>
  const auto bare = [](const std::string& from, const std::string& to) {
    return "Apr 25 12:48:01 lx2 transfer[4603]: relay: TempFail for 66251a4092099e2d: from=" + from + ", to=" + to +
           ", relay=88.190.237.114 (mx1.poolp.org), delay=12s, stat=451 Temporary failure, please try again later.";
  };
  expect_same_event(bare("t@example.com", clean), bare(a, a));
  const std::string bare_line = bare(a, a);
  ASSERT_EQ(parse_log_line(bare_line, relayed), ParseOutcome::event);
  EXPECT_EQ(relayed.remote_host, "mx1.poolp.org");
  // The remote reply echoes the recipient.
  const std::string line = mta(a, a);
  SmtpEvent event;
  ASSERT_EQ(parse_log_line(line, event), ParseOutcome::event);
  EXPECT_EQ(event.status, Status::deferred);
  EXPECT_EQ(event.reply, "421 <" + a + "> Service not available - too busy");
  EXPECT_EQ(event.delay_seconds, 2);
}

INSTANTIATE_TEST_SUITE_P(Addresses, OpenSmtpdHostileAddressTest, ::testing::ValuesIn(kHostileAddresses),
                         test::CaseName());

}  // namespace
}  // namespace mta

// --- who the outcome concerns: the recipient of a delivery, the client of a refusal (report's tables) -------------

namespace mta {
namespace {

using test::WhoCase;

class OpenSmtpdWhoTest : public ::testing::TestWithParam<WhoCase> {};

TEST_P(OpenSmtpdWhoTest, ReadsRecipientAndClient) { test::expect_whom(GetParam()); }

const WhoCase kWhoCases[] = {
    // the mta.c report line of the event cases above: to=, the address delivered to
    {"mta_delivery_recipient",
     R"~(4b3a6c195c1f6010 mta delivery evpid=8f26ea98359eccea from=<misc+bounces-4541-[redacted]=tin.it@opensmtpd.org> to=<[redacted]@tin.it> rcpt=<-> source="45.76.46.201" relay="62.211.72.32 (smtp.tin.it)" delay=1h2m3s result="PermFail" stat="550 5.1.1 <[redacted]@tin.it> User unknown")~",
     "[redacted]@tin.it", ""},
    // the mda.c report line of the event cases above
    {"mda_delivery_recipient",
     "Jul  6 06:01:40 ams-1 smtpd[75295]: 5df87c9250bba470 mda delivery evpid=c405e39ad6bbc64f from=<gilles@poolp.org> "
     "to=<gilles@poolp.org> rcpt=<gilles@poolp.org> user=gilles delay=0s result=Ok stat=Delivered",
     "gilles@poolp.org", ""},
    // opensmtpd-ossec.log host and envelope, in the older mta.c form
    {"old_relay_recipient",
     "Aug 17 01:26:03 ix smtpd[22704]: relay: TempFail for 4296f490a1b2c3d4: from=<root@ix.example.com>, "
     "to=<ddp@example.org>, relay=62.211.72.32 (smtp.tin.it) delay=2m5s, stat=421 Service not available - too busy",
     "ddp@example.org", ""},
    // OpenSMTPD issue #639: addresses without brackets
    {"old_relay_recipient_without_brackets",
     "Oct  7 00:39:51 host smtpd[8204]: relay: TempFail for da22753dbfba3245: session=0000000000000000, "
     "from=someone@example.com, to=dest@example.com, rcpt=<->, source=-, relay=mysmtp.local, delay=1d4h26m40s, "
     "stat=No MX found for domain",
     "dest@example.com", ""},
    // mixed-sshguard.log (6.0: the client's address before the command)
    {"failed_command_client",
     R"~(38dd06274cde1fd7 smtp event=failed-command address=185.236.202.133 host=no-mans-land.m247.com command="AUTH LOGIN" result="503 5.5.1 Invalid command: Command not supported")~",
     "", "185.236.202.133"},
    // mixed-sshguard.log line in the later form, which names no client
    {"failed_command_without_client",
     R"~(Aug 17 01:26:02 ix smtpd[22704]: 45addba89269aeaa smtp failed-command command="AUTH LOGIN" result="535 Authentication failed")~",
     "", ""},
    // smtp_session.c of opensmtpd-5.7.3
    {"filter_rejection_client",
     "Mar  4 00:13:55 ix smtpd[22421]: smtp-in: session 427e7497e03518ef: connection from host client.example.net "
     "[192.0.2.7] closed (filter rejection)",
     "", "client.example.net [192.0.2.7]"},
    // opensmtpd-ossec.log: the old failed command names no client
    {"old_failed_command_without_client",
     R"~(Aug 14 10:15:25 junction.example.com smtpd[28882]: smtp-in: Failed command on session 1f55bdcdf16e28a3: "MAIL FROM:<root@junction.example.com>  " => 421 4.3.0: Temporary Error)~",
     "", ""},
    // --- hostile (the lines above, changed): the client's command holds an address= of its own, a bracket that
    // does not close
    {"command_with_address_keyword",
     R"~(Aug 17 01:26:02 ix smtpd[22704]: 45addba89269aeaa smtp failed-command command="RCPT TO:<x address=203.0.113.9>" result="550 Invalid recipient")~",
     "", ""},
    {"recipient_without_closing_bracket",
     "Aug 17 01:26:03 ix smtpd[22704]: relay: TempFail for 4296f490a1b2c3d4: from=<root@ix.example.com>, "
     "to=<ddp@example.org, relay=62.211.72.32 (smtp.tin.it) delay=2m5s, stat=421 Service not available - too busy",
     "ddp@example.org", ""},
};

INSTANTIATE_TEST_SUITE_P(Lines, OpenSmtpdWhoTest, ::testing::ValuesIn(kWhoCases), test::CaseName());

}  // namespace
}  // namespace mta
