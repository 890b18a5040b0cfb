// Tests for the Sendmail log parser (src/mta/sendmail.hpp): delivery lines (to=..., stat=...), policy rejects
// (ruleset=..., reject=...), milter rejects, refused recipients, pre-greeting traffic and AUTH failures.
// Lines come from /work/shared/corpus/real; the file is named in a comment next to each. The corpus has no
// Deferred, Milter or multi-day delay lines (SOURCES.md, "Gaps"): those cases take a corpus line and change
// the one field under test, and say so. sendmail-mozilla-lua-sandbox.log holds messages without syslog header.

#include "mta/sendmail.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "event_case.hpp"
#include "mta/mta_parsers.hpp"
#include "support/case_name.hpp"

namespace mta {
namespace {

using test::EventCase;
using test::IgnoredCase;

class SendmailEventTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(SendmailEventTest, ReadsEvent) { test::expect_event(GetParam(), Mta::sendmail); }

const EventCase kEventCases[] = {
    // --- deliveries -------------------------------------------------------------------------------------------
    {.name = "lmtp_sent_no_header",
     // sendmail-mozilla-lua-sandbox.log
     .line = "x68DJAVD023504: to=<someone@xs4all.nl>, delay=12:34:45, xdelay=00:00:00, mailer=lmtp, pri=128179, "
             "relay=imap.xs4all.nl [194.109.6.110], dsn=2.0.0, stat=Sent",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "Sent",
     .dsn = "2.0.0",
     .remote_host = "imap.xs4all.nl",
     .delay_seconds = 12 * 3600 + 34 * 60 + 45},
    {.name = "smtp_sent_relay_trailing_dot_removed",
     // sendmail-mozilla-lua-sandbox.log ("Sent (<id> ...)" without a reply code stays "Sent")
     .line = "x6OAO3PO023456: to=<kai@office.example.com>, delay=00:00:00, xdelay=00:00:00, mailer=smtp, pri=235332, "
             "relay=webmail.office.example.com. [192.168.1.168], dsn=2.0.0, stat=Sent "
             "(<4cb171fbd6e92fed42e1344934c6f130@smtp.example.com> [InternalId=1234567890, "
             "Hostname=Exchange.office.example.com] Queued mail for delivery)",
     .status = Status::sent,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "Sent",
     .dsn = "2.0.0",
     .remote_host = "webmail.office.example.com",
     .delay_seconds = 0},
    {.name = "local_mailer_sent",
     // sendmail-infohtreasure.log
     .line = "Feb 26 13:15:08 server1 sendmail[11768]: 21QCF7Gb011766: to=<root@server1.alsoft.org>, delay=00:00:01, "
             "xdelay=00:00:01, mailer=local, pri=34324, dsn=2.0.0, stat=Sent",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "Sent",
     .dsn = "2.0.0",
     .delay_seconds = 1},
    {.name = "relay_mailer_bracketed_ip_gives_no_host",
     // sendmail-infohtreasure.log ("mailer=relay" must not be read as the relay= field)
     .line = "Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: to=info.htreasure@gmail.com, ctladdr=root (0/0), "
             "delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, "
             "stat=Sent (Ok: queued as A3EF4405DD14)",
     .status = Status::sent,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "Sent",
     .dsn = "2.0.0",
     .remote_host = "",
     .delay_seconds = 0},
    {.name = "user_unknown_bounced",
     // sendmail-infohtreasure.log
     .line = "Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: to=This, ctladdr=root (0/0), delay=00:00:00, "
             "xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=5.1.1, stat=User unknown",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     // "User unknown" is the exit status usersmtp.c gives any 550 to RCPT: the dsn alone is the evidence
     .dsn = "5.1.1",
     .delay_seconds = 0},
    {.name = "exit_status_text_leaves_the_cause_to_the_dsn",
     // a line of the shape of ohmage/server#328 (dev set): EX_UNAVAILABLE's "Service unavailable" for any X.7.x
     .line = "May 11 23:51:51 mx sm-mta[11346]: q4BNpoVr011344: to=<a@example.edu>, delay=00:00:01, "
             "xdelay=00:00:01, mailer=esmtp, pri=120934, relay=mta.example.edu. [192.0.2.44], dsn=5.7.1, "
             "stat=Service unavailable",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .dsn = "5.7.1",
     .remote_host = "mta.example.edu",
     .delay_seconds = 1},
    {.name = "exit_status_text_without_dsn_is_kept",
     // sendmail before 8.9 logged no dsn=: the text is then all there is
     .line = "May 11 23:51:51 mx sendmail[11346]: AA11344: to=<a@example.edu>, delay=00:00:01, mailer=esmtp, "
             "relay=mta.example.edu. [192.0.2.44], stat=Service unavailable",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "Service unavailable",
     .remote_host = "mta.example.edu",
     .delay_seconds = 1},
    {.name = "exit_status_text_of_a_local_failure_is_kept",
     // sendmail's own failure (deliver.c: "mail loops back to me" is EX_CONFIG, 5.3.5): its text is evidence
     .line = "May 11 23:51:51 mx sm-mta[11346]: q4BNpoVr011344: to=<a@example.edu>, delay=00:00:00, "
             "xdelay=00:00:00, mailer=esmtp, pri=120934, relay=example.edu., dsn=5.3.5, stat=Local configuration error",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "Local configuration error",
     .dsn = "5.3.5",
     .remote_host = "example.edu",
     .delay_seconds = 0},
    {.name = "exit_status_text_of_a_local_mailer_is_kept",
     // a local mailer's exit status is the program's own, its dsn made from it (deliver.c): the text is evidence
     .line = "May 11 23:51:51 mx sm-mta[11346]: q4BNpoVr011344: to=<a@example.edu>, delay=00:00:00, "
             "xdelay=00:00:00, mailer=local, pri=30934, dsn=5.0.0, stat=Service unavailable",
     .status = Status::bounced,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "Service unavailable",
     .dsn = "5.0.0",
     .delay_seconds = 0},
    {.name = "delay_with_days",
     // sendmail-infohtreasure.log line, delay changed to sendmail's "days+hh:mm:ss" form
     .line = "Feb 26 13:15:08 server1 sendmail[11768]: 21QCF7Gb011766: to=<root@server1.alsoft.org>, "
             "delay=1+02:03:04, xdelay=00:00:01, mailer=local, pri=34324, dsn=2.0.0, stat=Sent",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "Sent",
     .dsn = "2.0.0",
     .delay_seconds = 86400 + 2 * 3600 + 3 * 60 + 4},
    {.name = "prog_mailer_is_local",
     // sendmail-infohtreasure.log line, mailer changed to "prog"
     .line = "Feb 26 13:15:08 server1 sendmail[11768]: 21QCF7Gb011766: to=<root@server1.alsoft.org>, delay=00:00:01, "
             "xdelay=00:00:01, mailer=prog, pri=34324, dsn=2.0.0, stat=Sent",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "Sent",
     .dsn = "2.0.0",
     .delay_seconds = 1},
    {.name = "esmtp_deferred_with_reply",
     // sendmail-mozilla-lua-sandbox.log line, mailer esmtp, dsn and stat changed to a "Deferred: <reply>" outcome
     .line = "x6OAO3PO023456: to=<kai@office.example.com>, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=235332, "
             "relay=webmail.office.example.com. [192.168.1.168], dsn=4.2.2, stat=Deferred: 452 4.2.2 Mailbox full",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "452 4.2.2 Mailbox full",
     .dsn = "4.2.2",
     .remote_host = "webmail.office.example.com",
     .delay_seconds = 0},
    {.name = "esmtp_deferred_with_own_text",
     // sendmail-mozilla-lua-sandbox.log line, mailer esmtp, dsn and stat changed to a "Deferred: <text>" outcome
     .line = "x6OAO3PO023456: to=<kai@office.example.com>, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=235332, "
             "relay=webmail.office.example.com. [192.168.1.168], dsn=4.0.0, stat=Deferred: Connection refused by "
             "webmail.office.example.com.",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "Connection refused by webmail.office.example.com.",
     .dsn = "4.0.0",
     .remote_host = "webmail.office.example.com",
     .delay_seconds = 0},
    {.name = "status_from_dsn_class_when_stat_is_text",
     // sendmail-infohtreasure.log line, dsn changed to a 4.x.x code: the class decides a stat without keyword
     .line = "Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: to=This, ctladdr=root (0/0), delay=00:00:00, "
             "xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=4.4.1, stat=Connection "
             "refused",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "Connection refused",
     .dsn = "4.4.1",
     .delay_seconds = 0},

    // --- policy rejects: reject= holds our reply ---------------------------------------------------------------
    {.name = "check_rcpt_relaying_denied",
     // sendmail-fail2ban.log (program sm-acceptingconnections, sendmail's process title)
     .line = "Feb 25 03:01:10 kismet sm-acceptingconnections[27713]: s1P819mk027713: ruleset=check_rcpt, "
             "arg1=<asservnew@freemailhost.ru>, relay=128-68-136-133.broadband.corbina.ru [128.68.136.133], "
             "reject=550 5.7.1 <asservnew@freemailhost.ru>... Relaying denied. Proper authentication required.",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "550 5.7.1 <asservnew@freemailhost.ru>... Relaying denied. Proper authentication required."},
    {.name = "check_rcpt_may_be_forged",
     // sendmail-fail2ban.log
     .line = "Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, "
             "arg1=<dautareuk2@hotmail.it>, relay=int0.client.access.azadnet.net [80.253.155.119] (may be forged), "
             "reject=550 5.7.1 <dautareuk2@hotmail.it>... Relaying denied. IP name possibly forged [80.253.155.119]",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "550 5.7.1 <dautareuk2@hotmail.it>... Relaying denied. IP name possibly forged [80.253.155.119]"},
    {.name = "check_rcpt_451_is_temporary",
     // sendmail-fail2ban.log
     .line =
         "Feb 27 22:44:43 batman sm-mta[4012]: 56CF8Qni004012: ruleset=check_rcpt, arg1=<existing-user@example.com>, "
         "relay=[192.0.2.100] (may be forged), reject=451 4.1.8 Domain of sender address "
         "test.whatever@service.example.com does not resolve",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "451 4.1.8 Domain of sender address test.whatever@service.example.com does not resolve"},
    {.name = "check_rcpt_user_unknown",
     // sendmail-fail2ban.log
     .line = "Feb 27 15:49:02 batman sm-mta[88377]: s1REn1un088377: ruleset=check_rcpt, "
             "arg1=<non-existing-user@example.com>, relay=189-30-205-74.paebv701.dsl.brasiltelecom.net.br "
             "[189.30.205.74], reject=550 5.1.1 <non-existing-user@example.com>... User unknown",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "550 5.1.1 <non-existing-user@example.com>... User unknown"},
    {.name = "check_relay_rate_limit_without_queue_id",
     // sendmail-fail2ban.log
     .line = "Feb 24 01:46:44 petermurray sm-mta[24422]: ruleset=check_relay, arg1=leased-line-54-82.telecom.by, "
             "arg2=217.21.54.82, relay=leased-line-54-82.telecom.by [217.21.54.82], reject=421 4.3.2 Connection rate "
             "limit exceeded.",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "421 4.3.2 Connection rate limit exceeded."},
    {.name = "check_mail_rejected",
     // sendmail-fail2ban.log check_rcpt line, ruleset changed to check_mail (the MAIL FROM policy)
     .line = "Feb 23 07:57:28 petermurray sm-mta[6519]: s1N7vR47006519: ruleset=check_mail, "
             "arg1=<camila.pinto@andrewweitzman.com>, relay=[2.180.185.27], reject=553 5.1.8 "
             "<camila.pinto@andrewweitzman.com>... Domain of sender address camila.pinto@andrewweitzman.com does not "
             "exist",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .reply = "553 5.1.8 <camila.pinto@andrewweitzman.com>... Domain of sender address "
              "camila.pinto@andrewweitzman.com does not exist"},

    // --- milter rejects (the corpus has none: sendmail's "Milter: to=%s, reject=%s" forms around a corpus reply)
    {.name = "milter_reject_rcpt",
     // sendmail-fail2ban.log reply, in sendmail's "Milter: to=..., reject=..." form
     .line = "Feb 23 07:00:08 petermurray sm-mta[3992]: s1N706jo003992: Milter: to=<joaofr@camilopinto.pt>, "
             "reject=550 5.7.1 <joaofr@camilopinto.pt>... Rejected: 151.232.63.226 listed at sbl-xbl.spamhaus.org",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "550 5.7.1 <joaofr@camilopinto.pt>... Rejected: 151.232.63.226 listed at sbl-xbl.spamhaus.org"},
    {.name = "milter_reject_mail",
     // sendmail-fail2ban.log reply, in sendmail's "Milter: from=..., reject=..." form
     .line = "Feb 23 07:00:08 petermurray sm-mta[3992]: s1N706jo003992: Milter: from=<lf@ibuv.net>, reject=553 5.1.8 "
             "<lf@ibuv.net>... Domain of sender address lf@ibuv.net does not exist",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .reply = "553 5.1.8 <lf@ibuv.net>... Domain of sender address lf@ibuv.net does not exist"},
    {.name = "milter_reject_data_temporary",
     // sendmail-fail2ban.log reply, in sendmail's "Milter: data, reject=..." form
     .line = "Feb 23 07:00:08 petermurray sm-mta[3992]: s1N706jo003992: Milter: data, reject=451 4.7.1 Please try "
             "again later",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .reply = "451 4.7.1 Please try again later"},

    // --- recipients refused in the session, pre-greeting traffic, AUTH ----------------------------------------
    {.name = "recipient_no_such_user",
     // sendmail-fail2ban.log
     .line = "Nov  3 11:35:30 Microsoft sendmail[26254]: rA37ZTSC026250: <arhipov@domain.com>... No such user here",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .agent_text = "No such user here"},
    {.name = "recipient_user_unknown",
     // sendmail-infohtreasure.log
     .line = "Feb 26 13:32:05 server1 sendmail[1837]: 21QCW5qo001837: <the@server1.alsoft.org>... User unknown",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .agent_text = "User unknown"},
    {.name = "recipient_refusal_whose_word_starts_like_a_note",
     // a text that begins with "Sent" but is no deliver.c "Sent" or "Sent (...)"
     .line = "Feb 26 13:32:05 server1 sendmail[1837]: 21QCW5qo001837: <the@server1.alsoft.org>... Sentinel: recipient "
             "refused",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .agent_text = "Sentinel: recipient refused"},
    {.name = "pre_greeting_traffic",
     // sendmail-fail2ban.log
     .line = "Feb 27 10:53:07 strange sm-mta[18001]: u9A0GtpL018001: rejecting commands from example.com [1.2.3.4] "
             "due to pre-greeting traffic after 6 seconds",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .agent_text = "rejecting commands from example.com [1.2.3.4] due to pre-greeting traffic after 6 seconds"},
    {.name = "auth_failure_login",
     // sendmail-fail2ban.log
     .line = "Feb 25 04:02:27 relay1 sendmail[16664]: 06I02CNi016764: AUTH failure (LOGIN): authentication failure "
             "(-13) SASL(-13): authentication failure: checkpass failed, user=user@example.com, relay=example.com "
             "[192.0.2.3] (may be forged)",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 5.7.0 authentication failed",
     .mechanism = "LOGIN"},
    {.name = "auth_failure_digest_md5_sm_mta",
     // sendmail-fail2ban.log
     .line = "May 24 01:58:40 server sm-mta[65696]: 14NNwaRl065696: AUTH failure (DIGEST-MD5): user not found (-20) "
             "SASL(-13): user not found: unable to canonify user and get auxprops, user=scanner, relay=[192.0.2.5]",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 5.7.0 authentication failed",
     .mechanism = "DIGEST-MD5"},
    {.name = "auth_failure_mechanism_as_logged",
     // sendmail-fail2ban.log (the client's spelling "login" is kept)
     .line = "May 29 23:14:04 mail sendmail[5976]: 09DJDgOM005976: AUTH failure (login): authentication failure (-13) "
             "SASL(-13): authentication failure: checkpass failed, user=test, relay=host.example.com [192.0.2.7] (may "
             "be forged)",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 5.7.0 authentication failed",
     .mechanism = "login"},

    // --- forms read from sendmail's sources (contrib/sendmail/src in freebsd-src: srvrsmtp.c, collect.c, util.c,
    // deliver.c) -------------------------------------------------------------------------------------------------
    {.name = "deferred_with_reply",
     // deliver.c logdelivery: stat=Deferred: <the remote reply>; line of sendmail-mozilla-lua-sandbox.log's shape
     .line = "Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: to=<a@example.com>, delay=00:00:01, "
             "xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.example.com. [192.0.2.1], dsn=4.0.0, "
             "stat=Deferred: 421 4.7.0 Try again later",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .reply = "421 4.7.0 Try again later",
     .dsn = "4.0.0",
     .remote_host = "mx.example.com",
     .delay_seconds = 1},
    {.name = "host_unknown",
     // deliver.c logdelivery with the text of sysexits EX_NOHOST
     .line = "Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: to=<a@example.invalid>, delay=00:00:00, "
             "xdelay=00:00:00, mailer=esmtp, pri=120000, relay=example.invalid, dsn=5.1.2, stat=Host unknown (Name "
             "server: example.invalid: host not found)",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .agent_text = "Host unknown (Name server: example.invalid: host not found)",
     .dsn = "5.1.2",
     .remote_host = "example.invalid",
     .delay_seconds = 0},
    {.name = "milter_shutdown_reject",
     // srvrsmtp.c MILTER_REPLY, SMFIR_SHUTDOWN: "Milter: %s=%s, reject=421, errormode=4"
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Milter: from=<a@example.org>, reject=421, "
             "errormode=4",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .reply = "421"},
    {.name = "milter_tempfail",
     // srvrsmtp.c MILTER_REPLY, SMFIR_TEMPFAIL: reject=MSG_TEMPFAIL
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Milter: to=<a@example.org>, reject=451 4.3.2 "
             "Please try again later",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "451 4.3.2 Please try again later"},
    {.name = "lost_input_channel_after_rcpt",
     // sendmail-fail2ban.log shape (srvrsmtp.c: "421 4.4.1 <host> Lost input channel from <client>", unlogged)
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: j4T54c1K021074: lost input channel from [10.21.106.224] to MTA "
             "after rcpt",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .agent_text = "lost input channel from [10.21.106.224] to MTA after rcpt"},
    {.name = "lost_input_channel_at_startup",
     // srvrsmtp.c ("startup" before the first command)
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: j4T54c1K021074: lost input channel from host.example.com "
             "[192.0.2.3] to MTA after startup",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .agent_text = "lost input channel from host.example.com [192.0.2.3] to MTA after startup"},
    {.name = "expn_rejected",
     // sendmail-fail2ban.log (srvrsmtp.c: "502 5.7.0 Sorry, we do not allow this operation"; the client's command
     // line is not read beyond its verb)
     .line = "Feb 23 21:18:47 batman sm-mta[93301]: s1NKIkZa093301: [76.72.174.70]: EXPN root [rejected]",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .agent_text = "Sorry, we do not allow this operation"},
    {.name = "collect_unexpected_close_ends_before_sender",
     // collect.c ("421 4.4.1 collect: unexpected close on connection from ..." to the client)
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: t152vKqJ008240: collect: unexpected close on connection from "
             "[10.20.36.5], sender=<nagios@localhost>",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::data,
     .agent_text = "collect: unexpected close on connection from [10.20.36.5]"},
    {.name = "collect_read_timeout_through_syserr",
     // collect.c logs a read time-out only through syserr(), which drops the "421 4.4.1 " it sends (eleventh dev
     // pass, access.redhat.com/solutions/106773)
     .line = "Jan 24 10:00:43 relay sendmail[363]: XXX: SYSERR(root): collect: read timeout on connection from "
             "client.example.com, from=<a@example.com>",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::data,
     .agent_text = "collect: read timeout on connection from client.example.com"},
    // --- forms read from sendmail's sources, second pass (hrs-allbsd/sendmail tags sendmail-8.12.11 to 8.18.0.2:
    // srvrsmtp.c, milter.c, collect.c, parseaddr.c rscheck(), savemail.c, envelope.c, deliver.c) -----------------
    {.name = "milter_helo_reject",
     // srvrsmtp.c HELO, SMFIR_REPLYCODE: "Milter: helo=%s, reject=%s"
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Milter: helo=bogus.example.net, reject=550 5.7.1 "
             "HELO name refused",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::helo,
     .reply = "550 5.7.1 HELO name refused"},
    {.name = "milter_helo_command_rejected",
     // srvrsmtp.c HELO, SMFIR_REJECT: "Milter: helo=%s, reject=Command rejected"; later commands are answered
     // "550 5.0.0 Command rejected" (nullserver)
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Milter: helo=bogus.example.net, reject=Command "
             "rejected",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::helo,
     .reply = "550 5.0.0 Command rejected"},
    {.name = "milter_connect_reject",
     // srvrsmtp.c, _FFR_MILTER_CONNECT_REPLYCODE: "Milter: connect: host=%s, addr=%s, reject=%s"
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Milter: connect: host=client.example.net, "
             "addr=192.0.2.7, reject=554 5.7.1 Listed at zen.spamhaus.org",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "554 5.7.1 Listed at zen.spamhaus.org"},
    {.name = "milter_cmd_data_reject",
     // srvrsmtp.c smtp_data(), the DATA command: "Milter: cmd=data, reject=%s"
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Milter: cmd=data, reject=451 4.3.2 Please try "
             "again later",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::data,
     .reply = "451 4.3.2 Please try again later"},
    {.name = "milter_connect_rejecting_commands",
     // srvrsmtp.c, SMFIR_REJECT: "Milter: connect: host=%s, addr=%s, rejecting commands" (every command "550 5.0.0
     // Command rejected")
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Milter: connect: host=client.example.net, "
             "addr=192.0.2.7, rejecting commands",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "550 5.0.0 Command rejected"},
    {.name = "milter_connect_temp_failing_commands",
     // srvrsmtp.c, SMFIR_TEMPFAIL: "Milter: connect: host=%s, addr=%s, temp failing commands" (MSG_TEMPFAIL)
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Milter: connect: host=[192.0.2.7], "
             "addr=192.0.2.7, temp failing commands",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "451 4.3.2 Please try again later"},
    {.name = "milter_connect_shutdown_with_reply",
     // srvrsmtp.c, _FFR_MILTER_CONNECT_REPLYCODE: "Milter: connect: host=%s, addr=%s, shutdown=%s"
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Milter: connect: host=client.example.net, "
             "addr=192.0.2.7, shutdown=421 4.7.0 Too many connections",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "421 4.7.0 Too many connections"},
    {.name = "milter_initialization_failed_closing",
     // srvrsmtp.c, SMFIR_SHUTDOWN of milter_init(): "Milter: initialization failed, closing connection"
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Milter: initialization failed, closing "
             "connection",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "421 4.7.0 closing connection"},
    {.name = "check_data_reject",
     // parseaddr.c rscheck() for srvrsmtp.c's check_data, asked at the DATA command
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: ruleset=check_data, arg1=2, "
             "relay=client.example.net [192.0.2.7], reject=550 5.7.1 Too many recipients for this sender",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::data,
     .reply = "550 5.7.1 Too many recipients for this sender"},
    {.name = "tls_client_reject_at_mail",
     // parseaddr.c rscheck() for srvrsmtp.c's tls_client at MAIL ("arg2=MAIL")
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: ruleset=tls_client, arg1=NONE, arg2=MAIL, "
             "relay=client.example.net [192.0.2.7], reject=403 4.7.0 encryption too weak 0 less than 112",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .reply = "403 4.7.0 encryption too weak 0 less than 112"},
    {.name = "too_many_recipients",
     // srvrsmtp.c RCPT past MaxRecipientsPerMessage: usrerr("452 4.5.3 Too many recipients") logged by err.c
     // (LogUsrErrs) without its codes
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Too many recipients",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "452 4.5.3 Too many recipients"},
    {.name = "rcpt_flood_shutting_down",
     // srvrsmtp.c BadRcptShutdown: "%s: Possible SMTP RCPT flood, shutting down connection." ("421 4.7.0 %s Too
     // many bad recipients; closing connection")
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: client.example.net [192.0.2.7]: Possible SMTP "
             "RCPT flood, shutting down connection.",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "421 4.7.0 Too many bad recipients; closing connection"},
    {.name = "traffic_before_ehlo_response",
     // srvrsmtp.c: "rejecting %s from %s [%s] due to traffic before response" ("554 5.5.0 SMTP protocol error")
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: rejecting server EHLO from client.example.net "
             "[192.0.2.7] due to traffic before response",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::helo,
     .reply = "554 5.5.0 SMTP protocol error"},
    {.name = "message_size_exceeds_maximum",
     // collect.c EF_TOOBIG: "message size (%ld) exceeds maximum (%ld)" ("552 5.2.3 Message exceeds maximum fixed
     // size (%ld)")
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: message size (10485921) exceeds maximum "
             "(10485760)",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .reply = "552 5.2.3 Message exceeds maximum fixed size"},
    {.name = "headers_too_large",
     // collect.c MaxHeadersLength: "headers too large (%d max) from %s during message collect" ("552 5.6.0 Headers
     // too large (%d max)")
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: headers too large (32768 max) from "
             "client.example.net during message collect",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .reply = "552 5.6.0 Headers too large"},
    {.name = "srv_features_tempfail",
     // srvrsmtp.c, NOQID: "ERROR: srv_features=tempfail, relay=%.100s, access temporarily disabled" (every command
     // "450 4.3.0 Please try again later.")
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: ERROR: srv_features=tempfail, relay=client.example.net "
             "[192.0.2.7], access temporarily disabled",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "450 4.3.0 Please try again later."},
    {.name = "input_too_long",
     // srvrsmtp.c: "%s: SMTP violation, input too long: %lu" ("421 4.7.0 %s Command too long, possible attack %s")
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: client.example.net [192.0.2.7]: SMTP violation, "
             "input too long: 13000",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .reply = "421 4.7.0 Command too long, possible attack"},
    {.name = "probable_open_proxy",
     // srvrsmtp.c: "%s: probable open proxy: command=%.40s" ("421 4.7.0 %s Rejecting open proxy %s")
     .line = "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: [192.0.2.7]: probable open proxy: "
             "command=CONNECT mx.example.com:25 HTTP/1.0",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "421 4.7.0 Rejecting open proxy"},
    {.name = "dsn_cannot_send_message_expired",
     // savemail.c returntosender(): "%s: %s: %s" (bounce id, "DSN", e_message), e_message from envelope.c
     // dropenvelope(): "Cannot send message for %s" (Timeout.queuereturn)
     .line = "Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: 21QBRGdY006005: DSN: Cannot send message for "
             "5 days",
     .status = Status::expired,
     .direction = Direction::unknown,
     .agent_text = "Cannot send message for 5 days"},
    {.name = "postmaster_notify_delivery_time_expired",
     // savemail.c ("postmaster notify"), envelope.c DELIVERBY: "delivery time expired %lds"
     .line = "Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: 21QBRGdY006005: postmaster notify: delivery "
             "time expired 3600s",
     .status = Status::expired,
     .direction = Direction::unknown,
     .agent_text = "delivery time expired 3600s"},
};

INSTANTIATE_TEST_SUITE_P(Lines, SendmailEventTest, ::testing::ValuesIn(kEventCases), test::CaseName());

// --- lines without an SMTP outcome -------------------------------------------------------------------------------

class SendmailIgnoredTest : public ::testing::TestWithParam<IgnoredCase> {};

TEST_P(SendmailIgnoredTest, IgnoresLine) {
  const IgnoredCase& c = GetParam();
  SyslogRecord record;
  ASSERT_TRUE(parse_syslog_line(c.line, record)) << c.line;
  ASSERT_TRUE(is_sendmail_program(record.program)) << record.program;
  SmtpEvent event;
  EXPECT_EQ(parse_sendmail(record, event), ParseOutcome::ignored) << c.line;
  EXPECT_EQ(parse_log_line(c.line, event), ParseOutcome::ignored) << c.line;
}

const IgnoredCase kIgnored[] = {
    // sendmail-fail2ban.log
    {"from_line",
     "Nov  3 11:35:30 Microsoft sendmail[26254]: rA37ZTSC026254: from=<davaojk25@domain.com>, size=0, "
     "class=0, nrcpts=0, bodytype=8BITMIME, proto=ESMTP, daemon=MTA, relay=163.23.32.95.dsl-dynamic.vsi.ru "
     "[95.32.23.163]"},
    // sendmail-infohtreasure.log
    {"alias_database_rebuilt", "Feb 26 12:27:04 server1 sendmail[5948]: alias database /etc/aliases rebuilt by root"},
    // sendmail-infohtreasure.log
    {"aliases_statistics",
     "Feb 26 12:27:04 server1 sendmail[5948]: /etc/aliases: 77 aliases, longest 10 bytes, 778 "
     "bytes total"},
    // sendmail-infohtreasure.log
    {"starting_daemon_msp_queue",
     "Feb 26 12:54:45 server1 sm-msp-queue[1107]: starting daemon (8.14.7): "
     "queueing@01:00:00"},
    // sendmail-infohtreasure.log (the DSN sendmail sends; the failure itself was logged with stat=)
    {"dsn_notice", "Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: 21QBRGdY006005: DSN: User unknown"},
    // util.c sfgets: the timeout is counted from the line that ends the session ("lost input channel", "collect:
    // ... on connection from", or the message's to= line on the client side)
    {"timeout_waiting_server",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: timeout waiting for input from [192.0.2.1] during "
     "server cmd read"},
    {"timeout_waiting_client",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: timeout waiting for input from mx.example.com. during "
     "client RCPT"},
    // collect.c, logged before the "collect: unexpected close on connection from" line
    {"premature_eom",
     "Feb 26 12:27:16 server1 sm-mta[6005]: j2I4bXYp029707: collect: premature EOM: Connection reset by "
     "[10.20.56.63]"},
    // tls.c/sm_tls: the STARTTLS result; the delivery or the session goes on and logs its own outcome
    {"starttls_client_verify_fail",
     "Feb 26 12:27:16 server1 sm-mta[6005]: STARTTLS=client, relay=mx.example.com., version=TLSv1.2, verify=FAIL, "
     "cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256/256"},
    {"starttls_server_accept_failed",
     "Feb 26 12:27:16 server1 sm-mta[6005]: STARTTLS=server, error: accept failed=-1, reason=unknown protocol, "
     "SSL_error=1, errno=0, retry=-1, relay=[192.0.2.1]"},
    // sendmail-fail2ban.log (srvrsmtp.c answers a refused VRFY "252 2.5.2 Cannot VRFY user; try RCPT ...")
    {"vrfy_rejected", "Feb 13 01:16:50 batman sm-mta[25815]: s1D0GoSs025815: [217.193.142.180]: vrfy info [rejected]"},
    // srvrsmtp.c checksmtpattack() for a command other than AUTH: a client repeating NOOP or RSET has failed nothing
    {"possible_smtp_attack_noop",
     "Feb 16 23:33:20 smtp1 sm-mta[5133]: s1GNXHYB005133: [190.5.230.178]: possible SMTP attack: command=NOOP, "
     "count=20"},
    // savemail.c / err.c: the server's own trouble
    {"losing_queue_file",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Losing ./qf21QBRGdX006005: savemail panic"},
    {"syserr",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: SYSERR(root): savemail: cannot save rejected "
     "email anywhere"},
    // what Sendmail logs in queue-only mode or over QueueLA (seen from the real daemon in
    // tests/integration/mta_daemons_test.py): queued for a later run, nothing tried yet
    {"queued_for_a_later_run",
     "Nov 24 10:00:00 mx sm-mta[123]: 5AOA00aa000123: to=<u@example.org>, delay=00:00:00, mailer=esmtp, "
     "pri=30000, stat=queued"},
    // milter.c milter_send_command() (MilterLogLevel above 10): the filter's name behind the "Milter: to=..,
    // reject=.." line that srvrsmtp.c logs for the same verdict, which is counted
    {"milter_filter_verdict",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: milter=clamav, action=rcpt, reject=550 5.7.1 "
     "<a@example.org>... Rejected"},
    // milter.c milter_data() (MilterLogLevel above 12), before srvrsmtp.c's "Milter: data, reject=.."
    {"milter_filter_data_verdict",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: milter=spamass, reject=550 5.7.1 Blocked by SpamAssassin"},
    // srvrsmtp.c logundelrcpts() through deliver.c logdelivery() without a mailer: the transaction was refused at
    // the end of DATA (the refusal's own line is counted), reset, quit, or discarded; nothing was delivered
    {"undelivered_after_refused_data",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: to=<a@example.org>, delay=00:00:02, pri=30345, "
     "stat=Message exceeds maximum fixed size (10485760)"},
    {"undelivered_after_milter_tempfail",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: to=<a@example.org>,<b@example.org>, delay=00:00:01, "
     "pri=60345, stat=Please try again later"},
    {"undelivered_rset",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: to=<a@example.org>, delay=00:00:01, "
     "pri=30345, stat=RSET"},
    {"undelivered_quit",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: to=<a@example.org>, delay=00:00:01, "
     "pri=30345, stat=aborted by sender"},
    {"discarded",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: to=<a@example.org>, delay=00:00:01, "
     "pri=30345, stat=discarded"},
    // queue.c queueup(): a message held for the administrator
    {"quarantined",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: to=<a@example.org>, delay=00:00:00, mailer=esmtp, "
     "pri=30345, quarantine=held by milter, stat=quarantined"},
    // parseaddr.c rscheck() for deliver.c's check_compat: the to= line follows with the same text and is counted
    {"check_compat_reject_of_our_delivery",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: ruleset=check_compat, arg1=<a@example.org>, "
     "arg2=<b@example.net>, relay=mx.example.net, reject=553 5.7.1 <b@example.net>... Not allowed"},
    // srvrsmtp.c at LogLevel 10 and up: a command refused after an earlier verdict that is counted ("Milter:
    // connect: .., temp failing commands", "Milter: helo=.., reject=451 ..")
    {"mail_tempfailed_after_previous_checks",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: SMTP MAIL command (FROM:<a@example.org>) from "
     "client.example.net [192.0.2.7] tempfailed (due to previous checks)"},
    // srvrsmtp.c BadRcptThrottle: slows the client down, refuses nothing
    {"rcpt_flood_throttling",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: client.example.net [192.0.2.7]: Possible SMTP RCPT "
     "flood, throttling."},
    // savemail.c: the warning of a message still queued (its deferrals are counted from their to= lines)
    {"sender_notify_warning",
     "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: 21QBRGdY006005: sender notify: Warning: could not "
     "send message for past 4 hours"},
    // deliver.c and srvrsmtp.c notes on an address that refuse nothing (a verbose transcript's)
    {"address_connecting",
     "Jun  1 10:00:00 host sendmail[123]: x51A00001234: <bob@example.com>... Connecting to mx.example.com. via "
     "esmtp..."},
    {"address_sent",
     "Jun  1 10:00:00 host sendmail[123]: x51A00001234: <bob@example.com>... Sent (Ok: queued as 1234)"},
    {"address_sent_bare", "Jun  1 10:00:00 host sendmail[123]: x51A00001234: <bob@example.com>... Sent"},
    {"address_queued", "Jun  1 10:00:00 host sendmail[123]: x51A00001234: <bob@example.com>... queued"},
    {"address_recipient_ok", "Jun  1 10:00:00 host sendmail[123]: x51A00001234: <bob@example.com>... Recipient ok"},
    {"address_sender_ok", "Jun  1 10:00:00 host sendmail[123]: x51A00001234: <a@example.org>... Sender ok"},
    {"address_cached_connection",
     "Jun  1 10:00:00 host sendmail[123]: x51A00001234: <bob@example.com>... Using cached ESMTP connection to "
     "mx.example.com. via esmtp..."},
    {"address_quarantined", "Jun  1 10:00:00 host sendmail[123]: x51A00001234: <bob@example.com>... quarantined"},
    {"address_aliased", "Jun  1 10:00:00 host sendmail[123]: x51A00001234: <root@example.com>... aliased to bob"},
    {"address_duplicate",
     "Jun  1 10:00:00 host sendmail[123]: x51A00001234: <bob@example.com>... duplicate suppressed"},
};

INSTANTIATE_TEST_SUITE_P(Lines, SendmailIgnoredTest, ::testing::ValuesIn(kIgnored), test::CaseName());

TEST(SendmailRecord, IgnoresHeaderlessDaemonMessages) {
  // sendmail-mozilla-lua-sandbox.log (message parts without syslog header)
  for (std::string_view message :
       {std::string_view("x68DJAVD023504: from=<postmaster@example.com>, size=1234, class=0, nrcpts=1, "
                         "msgid=<20190101120033.1234@example.com>, proto=ESMTP, daemon=MTA, relay=remote.example.com "
                         "[192.168.1.1]"),
        std::string_view("NOQUEUE: SYSERR(nobody): can not write to queue directory /var/spool/clientmqueue/")}) {
    SyslogRecord record;
    record.program = "sendmail";
    record.message = message;
    SmtpEvent event;
    EXPECT_EQ(parse_sendmail(record, event), ParseOutcome::ignored) << message;
  }
}

TEST(SendmailRecord, DeliveryWithoutStatIsNotIgnored) {
  // sendmail-mozilla-lua-sandbox.log line cut before ", stat=": the reader cannot see the outcome
  SyslogRecord record;
  record.program = "sendmail";
  record.message =
      "x68DJAVD023504: to=<someone@xs4all.nl>, delay=12:34:45, xdelay=00:00:00, mailer=lmtp, "
      "pri=128179, relay=imap.xs4all.nl [194.109.6.110], dsn=2.0.0, stat=";
  SmtpEvent event;
  EXPECT_EQ(parse_sendmail(record, event), ParseOutcome::unmatched);
}

TEST(SendmailRecord, MalformedDelayIsNegative) {
  // sendmail-infohtreasure.log line with the delay field cut short
  SyslogRecord record;
  record.program = "sendmail";
  record.message =
      "21QCF7Gb011766: to=<root@server1.alsoft.org>, delay=00:01, xdelay=00:00:01, mailer=local, "
      "pri=34324, dsn=2.0.0, stat=Sent";
  SmtpEvent event;
  ASSERT_EQ(parse_sendmail(record, event), ParseOutcome::event);
  EXPECT_EQ(event.delay_seconds, -1);
}

TEST(SendmailProgram, ClaimsSendmailProcessTitles) {
  EXPECT_TRUE(is_sendmail_program("sendmail"));
  EXPECT_TRUE(is_sendmail_program("sm-mta"));
  EXPECT_TRUE(is_sendmail_program("sm-acceptingconnections"));
  EXPECT_TRUE(is_sendmail_program("sm-msp-queue"));
  EXPECT_FALSE(is_sendmail_program("smtpd"));
  EXPECT_FALSE(is_sendmail_program("exim4"));
  EXPECT_FALSE(is_sendmail_program("smtp"));
}

TEST(SendmailDispatch, SyslogProgramsReachSendmail) {
  // sendmail-fail2ban.log: the same check_rcpt reject under each program name
  for (std::string_view program : {"sendmail", "sm-mta", "sm-acceptingconnections"}) {
    const std::string line = "Feb 27 15:49:02 batman " + std::string(program) +
                             "[88377]: s1REn1un088377: ruleset=check_rcpt, arg1=<non-existing-user@example.com>, "
                             "relay=[189.30.205.74], reject=550 5.1.1 <non-existing-user@example.com>... User unknown";
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(line, event), ParseOutcome::event) << line;
    EXPECT_EQ(event.mta, Mta::sendmail) << program;
    EXPECT_EQ(event.stage, Stage::rcpt);
  }
}

// Regression (syslog_header.cpp, parse_syslog_line, fixed): FreeBSD's syslogd -v writes the facility and priority
// between timestamp and host ("Jun 18 08:05:17 <mail.notice> myhost sm-mta[17002]: ..."; 5 lines of
// sendmail-fail2ban.log). The header is not recognised, the whole line goes to the header-less fallbacks, and the
// program is never seen: the check_rcpt reject below is still found by its shape but loses its stage (the "ruleset="
// field is no longer at the start of the message), and the refused recipient "<baduser@yourhost.com>... User unknown"
// is ignored altogether.
TEST(SendmailBug, FacilityPriorityTokenBeforeHost) {
  SmtpEvent event;
  // sendmail-fail2ban.log
  ASSERT_EQ(parse_log_line("Jun 18 08:05:17 <mail.notice> myhost sm-mta[17002]: 55IC59VD017002: ruleset=check_rcpt, "
                           "arg1=<spameri@tiscali.it>, relay=[45.125.66.67], reject=450 4.4.0 <spameri@tiscali.it>... "
                           "Relaying temporarily denied. Cannot resolve PTR record for 45.125.66.67",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.status, Status::rejected_temporarily);
  EXPECT_EQ(event.stage, Stage::rcpt);
  // sendmail-fail2ban.log
  ASSERT_EQ(
      parse_log_line("Jun 17 14:37:39 <mail.notice> robin sm-mta[2794]: 55HIbcGI002794: <baduser@yourhost.com>... "
                     "User unknown",
                     event),
      ParseOutcome::event);
  EXPECT_EQ(event.mta, Mta::sendmail);
  EXPECT_EQ(event.status, Status::rejected);
  EXPECT_EQ(event.agent_text, "User unknown");
}

}  // namespace
}  // namespace mta

// --- hostile addresses and Message-IDs -----------------------------------------------------------------------------
// Sendmail writes "to=<a>,<b>, ctladdr=.., delay=.., mailer=.., relay=.., dsn=.., [reply=.., ]stat=..." with stat=
// last, and "ruleset=.., arg1=<a>, relay=.., reject=..." with reject= last; a local part with specials is quoted as
// the client wrote it. The keys are read where sendmail writes them: after the recipients, outside quotes. Whatever
// the addresses hold, a line yields the event of its clean twin.

namespace mta {
namespace {

using test::HostileAddressCase;

const HostileAddressCase kHostileAddresses[] = {
    {"stat_sent", R"~("a, stat=Sent"@example.net)~"},
    {"every_key",
     R"~("b, mailer=local, relay=evil.example. [203.0.113.9], dsn=2.0.0, reply=250 ok, stat=Sent"@example.net)~"},
    {"reject", R"~("c, reject=250 2.0.0 ok"@example.net)~"},
    {"ruleset", R"~("d, ruleset=check_relay, reject=421 4.3.2 busy"@example.net)~"},
    {"refused_recipient_marker", R"~("e>... User unknown, stat=Deferred: 451 x"@example.net)~"},
    {"escaped_quote", R"~("f\", stat=Sent (250 ok)"@example.net)~"},
    {"delay", R"~("g, delay=99:99:99, xdelay=00:00:01"@example.net)~"},
};

// The lines of each kind, with the address of the case as recipient.
constexpr std::string_view kHostileLines[] = {
    // sendmail-mozilla-lua-sandbox.log
    "x6OAO3PO023456: to=<%r>, delay=00:00:00, xdelay=00:00:00, mailer=smtp, pri=235332, relay=webmail.office.example."
    "com. [192.168.1.168], dsn=5.1.1, stat=User unknown",
    // sendmail-mozilla-lua-sandbox.log, two recipients, a Deferred stat with ", " of its own
    "x6OAO3PO023456: to=<first@example.org>,<%r>, ctladdr=<root@example.org> (0/0), delay=00:00:03, "
    "xdelay=00:00:03, mailer=esmtp, pri=120, relay=mx.example.net. [192.0.2.1], dsn=4.0.0, stat=Deferred: "
    "Connection refused by mx.example.net., try again later",
    // sendmail-mozilla-lua-sandbox.log with the reply= of sendmail 8.16, which echoes the recipient
    "x6OAO3PO023456: to=<%r>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120, relay=mx.example.net. "
    "[192.0.2.1], dsn=5.1.1, reply=550 5.1.1 <%r>... User unknown, stat=User unknown",
    // sendmail-infohtreasure.log
    "Feb 26 13:15:08 server1 sendmail[11768]: 21QCF7Gb011766: to=<%r>, delay=00:00:01, xdelay=00:00:01, "
    "mailer=local, pri=34324, dsn=2.0.0, stat=Sent",
    // sendmail-fail2ban.log
    "Feb 27 15:49:02 batman sm-mta[88377]: s1REn1un088377: ruleset=check_rcpt, arg1=<%r>, "
    "relay=189-30-205-74.paebv701.dsl.brasiltelecom.net.br [189.30.205.74], reject=550 5.1.1 <%r>... User unknown",
    // sendmail-fail2ban.log reply, in sendmail's "Milter: to=..., reject=..." form
    "Feb 23 07:00:08 petermurray sm-mta[3992]: s1N706jo003992: Milter: to=<%r>, reject=550 5.7.1 <%r>... "
    "Rejected: 151.232.63.226 listed at sbl-xbl.spamhaus.org",
    // sendmail-infohtreasure.log
    "Feb 26 13:32:05 server1 sendmail[1837]: 21QCW5qo001837: <%r>... User unknown",
    // srvrsmtp.c MILTER_REPLY (SMFIR_SHUTDOWN)
    "Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: Milter: from=<%r>, reject=421, errormode=4",
    // collect.c, the sender named after the host
    "Feb 26 12:27:16 server1 sm-mta[6005]: t152vKqJ008240: collect: unexpected close on connection from "
    "[10.20.36.5], sender=<%r>",
};

std::string with_address(std::string_view line, std::string_view address) {
  std::string out(line);
  for (std::size_t pos = out.find("%r"); pos != std::string::npos; pos = out.find("%r", pos + address.size())) {
    out.replace(pos, 2, address);
  }
  return out;
}

class SendmailHostileAddressTest : public ::testing::TestWithParam<HostileAddressCase> {};

TEST_P(SendmailHostileAddressTest, RecipientChangesNothing) {
  for (std::string_view line : kHostileLines) {
    const std::string clean_line = with_address(line, "user@example.net");
    const std::string hostile_line = with_address(line, GetParam().value);
    SCOPED_TRACE(hostile_line);
    SmtpEvent clean;
    SmtpEvent hostile;
    ASSERT_EQ(parse_log_line(clean_line, clean), ParseOutcome::event) << clean_line;
    ASSERT_EQ(parse_log_line(hostile_line, hostile), ParseOutcome::event);
    EXPECT_EQ(hostile.status, clean.status);
    EXPECT_EQ(hostile.direction, clean.direction);
    EXPECT_EQ(hostile.stage, clean.stage);
    EXPECT_EQ(hostile.dsn, clean.dsn);
    EXPECT_EQ(hostile.remote_host, clean.remote_host);
    EXPECT_EQ(hostile.delay_seconds, clean.delay_seconds);
    EXPECT_EQ(hostile.agent_text, clean.agent_text);
    // The reply echoes the recipient.
    std::string reply(clean.reply);
    if (const std::size_t pos = reply.find("user@example.net"); pos != std::string::npos) {
      reply.replace(pos, 16, GetParam().value);
    }
    EXPECT_EQ(hostile.reply, reply);
  }
}

// The sender's line is no outcome, whatever its address and Message-ID hold.
TEST_P(SendmailHostileAddressTest, SenderAndMessageIdMakeNoEvent) {
  const std::string line = with_address(
      "Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: from=<%r>, size=30, class=0, nrcpts=6, "
      "msgid=<%r>, proto=ESMTP, daemon=MTA, relay=root@localhost",
      GetParam().value);
  SmtpEvent event;
  EXPECT_NE(parse_log_line(line, event), ParseOutcome::event) << line;
}

// logundelrcpts()'s line names no mailer (the transaction never reached delivery): whatever the recipient holds, it
// cannot lend the line one.
TEST_P(SendmailHostileAddressTest, UndeliveredRecipientStaysUncounted) {
  SmtpEvent event;
  // the "undelivered_after_refused_data" line
  EXPECT_EQ(parse_log_line(with_address("Feb 26 12:27:16 server1 sm-mta[6005]: 21QBRGdX006005: to=<%r>, "
                                        "delay=00:00:02, pri=30345, stat=Please try again later",
                                        GetParam().value),
                           event),
            ParseOutcome::ignored);
}

// A delivery line cut before its stat= has no outcome, whatever the recipient holds.
TEST_P(SendmailHostileAddressTest, LineWithoutStatIsUnmatched) {
  SmtpEvent event;
  // sendmail-infohtreasure.log, cut before stat=
  EXPECT_EQ(parse_log_line(with_address("Feb 26 13:15:08 server1 sendmail[11768]: 21QCF7Gb011766: to=<%r>, "
                                        "delay=00:00:01, xdelay=00:00:01, mailer=local, pri=34324, dsn=2.0.0",
                                        GetParam().value),
                           event),
            ParseOutcome::unmatched);
}

INSTANTIATE_TEST_SUITE_P(Addresses, SendmailHostileAddressTest, ::testing::ValuesIn(kHostileAddresses),
                         test::CaseName());

}  // namespace
}  // namespace mta

// --- who the outcome concerns: the recipient of a delivery, the client of a refusal (report's tables) -------------

namespace mta {
namespace {

using test::WhoCase;

class SendmailWhoTest : public ::testing::TestWithParam<WhoCase> {};

TEST_P(SendmailWhoTest, ReadsRecipientAndClient) { test::expect_whom(GetParam()); }

const WhoCase kWhoCases[] = {
    // sendmail-mozilla-lua-sandbox.log line with the stat= of a deferral
    {"deferred_recipient",
     "x6OAO3PO023456: to=<kai@office.example.com>, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=235332, "
     "relay=webmail.office.example.com. [192.168.1.168], dsn=4.2.2, stat=Deferred: 452 4.2.2 Mailbox full",
     "kai@office.example.com", ""},
    // sendmail-infohtreasure.log with a second recipient: the first of the list
    {"first_of_recipient_list",
     "Feb 26 13:15:08 server1 sendmail[11768]: 21QCF7Gb011766: to=<root@server1.alsoft.org>,<admin@example.org>, "
     "delay=00:00:01, xdelay=00:00:01, mailer=local, pri=34324, dsn=2.0.0, stat=Sent",
     "root@server1.alsoft.org", ""},
    // sendmail-infohtreasure.log: an address without brackets
    {"recipient_without_brackets",
     "Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: to=info.htreasure@gmail.com, ctladdr=root (0/0), "
     "delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent "
     "(Ok: queued as A3EF4405DD14)",
     "info.htreasure@gmail.com", ""},
    // sendmail-fail2ban.log: " (may be forged)" is left off
    {"check_rcpt_forged_client",
     "Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, arg1=<dautareuk2@hotmail.it>, "
     "relay=int0.client.access.azadnet.net [80.253.155.119] (may be forged), reject=550 5.7.1 "
     "<dautareuk2@hotmail.it>... Relaying denied. IP name possibly forged [80.253.155.119]",
     "dautareuk2@hotmail.it", "int0.client.access.azadnet.net [80.253.155.119]"},
    // sendmail-fail2ban.log
    {"check_relay_client",
     "Feb 24 01:46:44 petermurray sm-mta[24422]: ruleset=check_relay, arg1=leased-line-54-82.telecom.by, "
     "arg2=217.21.54.82, relay=leased-line-54-82.telecom.by [217.21.54.82], reject=421 4.3.2 Connection rate limit "
     "exceeded.",
     "", "leased-line-54-82.telecom.by [217.21.54.82]"},
    // sendmail-infohtreasure.log: the refused recipient, no client named
    {"user_unknown_recipient",
     "Feb 26 13:15:05 server1 sendmail[11754]: 21QCF5Nw011754: <your_email_address@server1.alsoft.org>... User "
     "unknown",
     "your_email_address@server1.alsoft.org", ""},
    // sendmail-fail2ban.log
    {"lost_input_channel_client",
     "Jul 31 13:03:43 <mail.notice> alarmpi sm-mta[24291]: 56VFYCxS024291: lost input channel from mail.aqicn.org "
     "[139.162.120.196] to MTA-v4 after rcpt",
     "", "mail.aqicn.org [139.162.120.196]"},
    // sendmail-fail2ban.log: a host without a name leaves a blank before its address
    {"pre_greeting_client",
     "Feb 27 10:53:06 batman sm-mta[44307]: s1R9r60D044307: rejecting commands from  [209.15.212.253] due to "
     "pre-greeting traffic after 0 seconds",
     "", "[209.15.212.253]"},
    // sendmail-fail2ban.log
    {"expn_client",
     "Feb 22 14:02:44 batman sm-mta[4030]: s1MD2hsd004030: rrcs-24-73-201-194.se.biz.rr.com [24.73.201.194]: EXPN "
     "root [rejected]",
     "", "rrcs-24-73-201-194.se.biz.rr.com [24.73.201.194]"},
    // sendmail-fail2ban.log: the user name holds a relay= of its own; sendmail's comes last
    {"auth_failure_user_with_relay",
     "Feb 25 04:02:28 relay1 sendmail[16665]: 06I02CNi016765: AUTH failure (LOGIN): authentication failure (-13) "
     "SASL(-13): authentication failure: checkpass failed, user=criminal, relay=[192.0.2.100], relay=[192.0.2.4] (may "
     "be forged)",
     "", "[192.0.2.4]"},
    // --- hostile (the lines above, changed): quoted local parts with ", ", '>' and field keywords, a bracket
    // that does not close
    {"quoted_recipient_with_comma_and_bracket",
     R"~(x6OAO3PO023456: to=<"a, b>, stat=Sent"@example.com>,<c@example.com>, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=235332, relay=webmail.office.example.com. [192.168.1.168], dsn=5.1.1, stat=User unknown)~",
     R"~("a, b>, stat=Sent"@example.com)~", ""},
    {"quoted_check_rcpt_recipient_with_relay",
     R"~(Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, arg1=<"x, relay=[203.0.113.9]"@hotmail.it>, relay=[80.253.155.119], reject=550 5.7.1 <"x, relay=[203.0.113.9]"@hotmail.it>... Relaying denied)~",
     R"~("x, relay=[203.0.113.9]"@hotmail.it)~", "[80.253.155.119]"},
    {"recipient_without_closing_bracket",
     "x6OAO3PO023456: to=<kai@office.example.com, delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=235332, "
     "relay=webmail.office.example.com. [192.168.1.168], dsn=4.2.2, stat=Deferred: 452 4.2.2 Mailbox full",
     "kai@office.example.com", ""},
    {"reject_text_naming_a_relay",
     "Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: Milter: to=<dautareuk2@hotmail.it>, reject=550 5.7.1 "
     "Rejected, relay=[203.0.113.9]",
     "dautareuk2@hotmail.it", ""},
};

INSTANTIATE_TEST_SUITE_P(Lines, SendmailWhoTest, ::testing::ValuesIn(kWhoCases), test::CaseName());

}  // namespace
}  // namespace mta
