// Tests for the Postfix log parser (src/mta/postfix.hpp) and the parser dispatch (src/mta/mta_parsers.hpp).
// Lines come from /work/shared/corpus/real; the file is named in a comment next to each. Some corpus
// files hold Postfix messages without their syslog header; those are fed to parse_postfix() with the
// program name given separately.

#include "mta/postfix.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "event_case.hpp"
#include "mta/mta_parsers.hpp"
#include "smtp/reply.hpp"
#include "support/case_name.hpp"

namespace mta {
namespace {

using ::testing::StartsWith;

// Runs a full syslog line through parse_log_line(), or, when `program` is set, a bare message
// through parse_postfix().
ParseOutcome parse(std::string_view program, std::string_view line, SmtpEvent& event) {
  if (program.empty()) return parse_log_line(line, event);
  SyslogRecord record;
  record.program = program;
  record.message = line;
  return parse_postfix(record, event);
}

using test::EventCase;

class PostfixEventTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(PostfixEventTest, ReadsEvent) {
  const EventCase& c = GetParam();
  SmtpEvent event;
  ASSERT_EQ(parse(c.program, c.line, event), ParseOutcome::event) << c.line;
  test::expect_event_fields(event, c, Mta::postfix);
}

const EventCase kEventCases[] = {
    // --- deliveries by the smtp client ---------------------------------------------------------------
    {.name = "smtp_sent",
     // postfix-blockbadip.log
     .line = "Feb 16 20:42:06 t postfix/smtp[29498]: 97C873EC0B: to=<janderson@gmail.com>, "
             "relay=gmail-smtp-in.l.google.com[74.125.29.26]:25, delay=0.57, delays=0.13/0.01/0.13/0.3, dsn=2.0.0, "
             "status=sent (250 2.0.0 OK 1518831726 z188si121582qkc.400 - gsmtp)",
     .status = Status::sent,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "250 2.0.0 OK 1518831726 z188si121582qkc.400 - gsmtp",
     .dsn = "2.0.0",
     .remote_host = "gmail-smtp-in.l.google.com",
     .delay_seconds = 0.57},
    {.name = "smtp_sent_with_brackets_and_commas_in_reply",
     // postfix-blockbadip.log
     .line =
         "Feb 14 05:23:57 t postfix/smtp[8135]: 66E5A3FC0C: to=<roy@charterglobal.com>, "
         "relay=charterglobal-com.mail.protection.outlook.com[23.103.140.138]:25, delay=2.4, delays=0/0.02/0.77/1.7, "
         "dsn=2.6.0, status=sent (250 2.6.0 <20180214102355.66E5A3FC0C@aipiggybot.io> [InternalId=11587821765567, "
         "Hostname=MA1PR0101MB2056.INDPRD01.PROD.OUTLOOK.COM] 13934 bytes in 0.264, 51.526 KB/sec Queued mail for "
         "delivery)",
     .status = Status::sent,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "250 2.6.0 <20180214102355.66E5A3FC0C@aipiggybot.io> [InternalId=11587821765567, "
              "Hostname=MA1PR0101MB2056.INDPRD01.PROD.OUTLOOK.COM] 13934 bytes in 0.264, 51.526 KB/sec Queued mail for "
              "delivery",
     .dsn = "2.6.0",
     .remote_host = "charterglobal-com.mail.protection.outlook.com",
     .delay_seconds = 2.4},
    {.name = "smtp_deferred_said",
     // postfix-colog.log
     .line =
         "Mar 26 11:36:26 pflmari postfix/smtp[22317]: 5832D804FB: to=<kuninori.morimoto.gx@renesas.com>, "
         "relay=PFWSEXCHANGE.corp.cetitec.com[10.10.1.99]:587, delay=92, delays=0.04/91/0.37/0.02, dsn=4.4.2, "
         "status=deferred (host PFWSEXCHANGE.corp.cetitec.com[10.10.1.99] said: 421 4.4.2 Message submission rate for "
         "this client has exceeded the configured limit (in reply to MAIL FROM command))",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::mail,
     .reply = "421 4.4.2 Message submission rate for this client has exceeded the configured limit",
     .dsn = "4.4.2",
     .remote_host = "PFWSEXCHANGE.corp.cetitec.com",
     .delay_seconds = 92},
    {.name = "smtp_bounced_said_with_parentheses_in_reply",
     // postfix-homoluctus-maillogger.log
     .line =
         "Aug 10 08:23:14 mail postfix/smtp[2352]: 66C1E40D18: to=<ee@yahoo.co.jp>, "
         "relay=mx1.mail.yahoo.co.jp[202.93.66.124]:25, delay=10, delays=0.05/0/0.02/10, dsn=5.0.0, status=bounced "
         "(host mx1.mail.yahoo.co.jp[202.93.66.124] said: 554 delivery error: dd This user doesn't have a yahoo.co.jp "
         "account (ee@yahoo.co.jp) [-5] - mta086.mail.bbt.yahoo.co.jp (in reply to end of DATA command))",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::end_of_data,
     .reply = "554 delivery error: dd This user doesn't have a yahoo.co.jp account (ee@yahoo.co.jp) [-5] - "
              "mta086.mail.bbt.yahoo.co.jp",
     .dsn = "5.0.0",
     .remote_host = "mx1.mail.yahoo.co.jp",
     .delay_seconds = 10},
    {.name = "smtp_bounced_multiline_gmail",
     .program = "postfix/smtp",
     // postfix-grok-patterns.log (no syslog header)
     .line = "4E74613FE76: to=<redacted@gmail.com>, relay=gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b]:25, "
             "delay=1.9, delays=0.05/0/1.1/0.71, dsn=5.7.1, status=bounced (host "
             "gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b] said: 550-5.7.1 [2607:4100:3:25:100::2      12] Our "
             "system has detected that this 550-5.7.1 message is likely unsolicited mail. To reduce the amount of spam "
             "sent "
             "550-5.7.1 to Gmail, this message has been blocked. Please visit 550-5.7.1 "
             "http://support.google.com/mail/bin/answer.py?hl=en&answer=188131 for 550 5.7.1 more information. "
             "qc12si8475009pab.211 - gsmtp (in reply to end of DATA command))",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::end_of_data,
     .reply = "550-5.7.1 [2607:4100:3:25:100::2      12] Our system has detected that this 550-5.7.1 message is likely "
              "unsolicited mail. To reduce the amount of spam sent 550-5.7.1 to Gmail, this message has been blocked. "
              "Please "
              "visit 550-5.7.1 http://support.google.com/mail/bin/answer.py?hl=en&answer=188131 for 550 5.7.1 more "
              "information. qc12si8475009pab.211 - gsmtp",
     .dsn = "5.7.1",
     .remote_host = "gmail-smtp-in.l.google.com",
     .delay_seconds = 1.9},
    {.name = "smtp_refused_to_talk",
     .program = "postfix/smtp",
     // postfix-grok-patterns.log (no syslog header)
     .line = "40197AA: host mg2.egov.bg[213.91.191.86] refused to talk to me: 450 4.3.2 try again later",
     .status = Status::none,
     .direction = Direction::outbound,
     .stage = Stage::connect,
     .reply = "450 4.3.2 try again later",
     .remote_host = "mg2.egov.bg"},
    // Postfix's own texts for a failure with one server, logged with the queue id only when the client tries again
    // (smtp_trouble.c smtp_bulk_fail()): no delivery line reports them, and their class is 4.
    {.name = "smtp_lost_connection_before_next_mx",
     .program = "postfix/smtp",
     // postfix-grok-patterns.log (no syslog header)
     .line = "B99FE3D: lost connection with mx3.hotmail.com[65.55.37.72] while receiving the initial server greeting",
     .agent_text = "lost connection with mx3.hotmail.com[65.55.37.72] while receiving the initial server greeting",
     .remote_host = "mx3.hotmail.com",
     .implied_class = 4},
    {.name = "smtp_conversation_timed_out_before_next_mx",
     .program = "postfix/smtp",
     // postfix-grok-patterns.log (no syslog header)
     .line =
         "78D6B41: conversation with mx00.gmx.com[74.208.5.4] timed out while receiving the initial server greeting",
     .agent_text = "conversation with mx00.gmx.com[74.208.5.4] timed out while receiving the initial server greeting",
     .remote_host = "mx00.gmx.com",
     .implied_class = 4},
    {.name = "lmtp_tls_not_offered_before_next_server",
     // smtp_proto.c smtp_start_tls() reason, as the lmtp client logs it for a server that is not the last
     .line = "Dec  1 10:00:00 mx postfix/lmtp[12]: 3F2A01234: TLS is required, but was not offered by host "
             "store1.example.com[192.0.2.7]",
     .direction = Direction::local,
     .agent_text = "TLS is required, but was not offered by host store1.example.com[192.0.2.7]",
     .remote_host = "store1.example.com",
     .implied_class = 4},
    {.name = "smtp_host_said_before_next_mx",
     // postfix-exporters.log
     .line = "Dec 29 02:54:09 mail postfix/smtp[7648]: 732BB407C3: host mail.domain.com[1.1.1.1] said: 451 DT:SPM 163 "
             "mx13,P8CowECpNVM_oEVaenoEAQ--.23796S3 1514512449, please try again 15min later (in reply to end of DATA "
             "command)",
     .status = Status::none,
     .direction = Direction::outbound,
     .stage = Stage::end_of_data,
     .reply = "451 DT:SPM 163 mx13,P8CowECpNVM_oEVaenoEAQ--.23796S3 1514512449, please try again 15min later",
     .remote_host = "mail.domain.com"},
    {.name = "smtp_relay_none_connect_timed_out",
     // postfix-homoluctus-maillogger.log
     .line =
         "Aug 10 04:10:15 mail postfix/smtp[16703]: 8495840E93: to=<dd@gmail.cm>, relay=none, delay=315562, "
         "delays=315532/0/30/0, dsn=4.4.1, status=deferred (connect to gmail.cm[172.217.25.69]:25: Connection timed "
         "out)",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "connect to gmail.cm[172.217.25.69]:25: Connection timed out",
     .dsn = "4.4.1",
     .remote_host = "gmail.cm",
     .delay_seconds = 315562},
    {.name = "smtp_relay_none_lost_connection",
     .program = "postfix/smtp",
     // postfix-grok-patterns.log (no syslog header)
     .line =
         "2DC5552A34: to=<user@yahoo.com>, relay=none, delay=63495, delays=63350/144/0/0, dsn=4.4.2, status=deferred "
         "(delivery temporarily suspended: lost connection with mta7.am0.yahoodns.net[98.136.216.22] while sending "
         "RCPT "
         "TO)",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "delivery temporarily suspended: lost connection with mta7.am0.yahoodns.net[98.136.216.22] while "
                   "sending RCPT TO",
     .dsn = "4.4.2",
     .remote_host = "mta7.am0.yahoodns.net",
     .delay_seconds = 63495},
    {.name = "smtp_relay_none_dns_bounce",
     // postfix-pixelpark-2023-03-15.log (RFC 3339 timestamp, long queue id)
     .line =
         "2023-03-16T02:27:29.827273+01:00 helga postfix/smtp[505058]: 4PcV4K5FPLz3tBr: "
         "to=<user02.test@uhu-banane.com>, "
         "relay=none, delay=0.07, delays=0.01/0.02/0.04/0, dsn=5.4.4, status=bounced (Host or domain name not found. "
         "Name service error for name=hennig-berlin.com type=AAAA: Host not found)",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text =
         "Host or domain name not found. Name service error for name=hennig-berlin.com type=AAAA: Host not found",
     .dsn = "5.4.4",
     .delay_seconds = 0.07},
    {.name = "relay_service_smtp_sent",
     // postfix-exporters.log (service name "relay" between family and daemon)
     .line = "Feb 11 16:49:24 letterman postfix/relay/smtp[8204]: AAB4D259B1: to=<me@example.net>, "
             "relay=example.com[127.0.0.1]:25, delay=0.1, delays=0.1/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: "
             "queued as "
             "AAB4D259B1)",
     .status = Status::sent,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "250 2.0.0 Ok: queued as AAB4D259B1",
     .dsn = "2.0.0",
     .remote_host = "example.com",
     .delay_seconds = 0.1},

    // --- local deliveries ------------------------------------------------------------------------------
    {.name = "lmtp_sent",
     // postfix-dovecot-maillog-exporter.log
     .line =
         "Feb  1 07:54:25 mail postfix/lmtp[27157]: 05DAA10087: to=<test@example.com>, "
         "relay=some.example.com[private/dovecot-lmtp], delay=1.4, delays=0.9/0/0.01/0.48, dsn=2.0.0, status=sent (250 "
         "2.0.0 <some@example.com> AAAAAA Saved)",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .reply = "250 2.0.0 <some@example.com> AAAAAA Saved",
     .dsn = "2.0.0",
     .remote_host = "some.example.com",
     .delay_seconds = 1.4},
    {.name = "local_sent",
     // postfix-blockbadip.log
     .line = "Feb 11 10:55:22 t postfix/local[26296]: 2B8F93EC27: to=<mousecatcher@aipiggybot.io>, "
             "orig_to=<mike.flyingpig@cwstat.com>, relay=local, delay=61, delays=61/0.01/0/0, dsn=2.0.0, status=sent "
             "(delivered to mailbox)",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "delivered to mailbox",
     .dsn = "2.0.0",
     .remote_host = "local",
     .delay_seconds = 61},
    {.name = "virtual_sent",
     // postfix-exporters.log
     .line =
         "Apr  7 15:35:20 123-mail postfix/virtual[20235]: 199041033BE: to=<me@domain.fr>, relay=virtual, delay=0.08, "
         "delays=0.08/0/0/0, dsn=2.0.0, status=sent (delivered to maildir)",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "delivered to maildir",
     .dsn = "2.0.0",
     .remote_host = "virtual",
     .delay_seconds = 0.08},
    {.name = "pipe_sent",
     // postfix-pixelpark-2023-03-15.log
     .line =
         "2023-03-15T00:16:32.884060+01:00 helga postfix/pipe[404037]: 4PbqCh5Cjrz3tG3: "
         "to=<user01.test@uhu-banane.net>, "
         "relay=dovecot, delay=0.15, delays=0.01/0.02/0/0.12, dsn=2.0.0, status=sent (delivered via dovecot service)",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "delivered via dovecot service",
     .dsn = "2.0.0",
     .remote_host = "dovecot",
     .delay_seconds = 0.15},
    {.name = "error_transport_deferred",
     // postfix-infohtreasure.log
     .line =
         "Aug 31 12:37:51 xxxxxxxx postfix/error[1938]: C912F3E2919: to=<marco@xxxxxxxx.com>, relay=none, delay=46621, "
         "delays=46619/1.4/0/0.05, dsn=4.3.0, status=deferred (unknown mail transport error)",
     .status = Status::deferred,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "unknown mail transport error",
     .dsn = "4.3.0",
     .delay_seconds = 46621},

    // --- queue manager ---------------------------------------------------------------------------------
    {.name = "qmgr_expired",
     // postfix-exporters.log
     .line =
         "Apr 10 14:50:16 mail postfix/qmgr[3663]: BACE842E72: from=<noreply@domain.com>, status=expired, returned to "
         "sender",
     .status = Status::expired,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "expired, returned to sender"},

    {.name = "qmgr_force_expired",
     // postfix-exporters.log (postsuper -e)
     .line = "Apr 10 14:50:16 mail postfix/qmgr[3663]: BACE842E73: from=<noreply@domain.com>, status=force-expired, "
             "returned to sender",
     .status = Status::expired,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "force-expired, returned to sender"},

    // --- address verification probes: replies, but no delivery (status none) ----------------------------
    {.name = "smtp_verify_probe_deliverable",
     // postfix-infohtreasure.log
     .line = "Feb 25 13:58:28 server1 postfix/smtp[3262]: AE11A4011B7B: to=<info.htreasure@gmail.com>, "
             "relay=gmail-smtp-in.l.google.com[74.125.206.26]:25, delay=2, delays=0.07/0.01/1.5/0.34, dsn=2.1.5, "
             "status=deliverable (250 2.1.5 OK z9-20020adfdf89000000b001e9e1228238si2585300wrl.340 - gsmtp)",
     .status = Status::none,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "250 2.1.5 OK z9-20020adfdf89000000b001e9e1228238si2585300wrl.340 - gsmtp",
     .dsn = "2.1.5",
     .remote_host = "gmail-smtp-in.l.google.com",
     .delay_seconds = 2},
    {.name = "pipe_verify_probe_deliverable",
     // postfix-modoboa-stats.log
     .line = "Nov 16 11:18:27 server postfix/pipe[32592]: E8BF5E00C4: to=<dmarc-aggrep@ngyn.org>, relay=dmarc-rua, "
             "delay=0.04, delays=0.03/0.01/0/0.01, dsn=2.0.0, status=deliverable (delivers to command: "
             "/srv/modoboa/env/bin/python)",
     .status = Status::none,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "delivers to command: /srv/modoboa/env/bin/python",
     .dsn = "2.0.0",
     .remote_host = "dmarc-rua",
     .delay_seconds = 0.04},
    {.name = "verify_probe_undeliverable_but_not_cached",
     .program = "postfix/smtp",
     // postfix-grok-patterns.log (no syslog header)
     .line = "3E29030F8637E: to=<user@yahoo.com>, relay=none, delay=0.01, delays=0.01/0/0/0, dsn=5.1.1, "
             "status=undeliverable-but-not-cached (User unknown in virtual alias table)",
     .status = Status::none,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "User unknown in virtual alias table",
     .dsn = "5.1.1",
     .delay_seconds = 0.01},

    // --- our own rejects ---------------------------------------------------------------------------------
    {.name = "smtpd_noqueue_reject_rcpt",
     // postfix-blockbadip.log
     .line = "Feb 12 06:19:00 t postfix/smtpd[20456]: NOQUEUE: reject: RCPT from unknown[183.240.19.250]: 450 4.7.1 "
             "<xdfoc.com>: Helo command rejected: Host not found; from=<nmkd@xdfoc.com> to=<janderson@cwxstat.com> "
             "proto=ESMTP helo=<xdfoc.com>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "450 4.7.1 <xdfoc.com>: Helo command rejected: Host not found"},
    {.name = "smtps_reject_rcpt_client_in_brackets",
     // postfix-blockbadip.log
     .line =
         "Feb 12 13:54:36 t postfix/smtps/smtpd[19098]: NOQUEUE: reject: RCPT from unknown[37.72.175.154]: 554 5.7.1 "
         "<unknown[37.72.175.154]>: Client host rejected: Access denied; from=<test@test.com> "
         "to=<landwashar@hotmail.com> "
         "proto=SMTP helo=<win-4h190t62g16.domain>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "554 5.7.1 <unknown[37.72.175.154]>: Client host rejected: Access denied"},
    {.name = "smtpd_reject_mail_with_sender",
     .program = "postfix/smtpd",
     // postfix-source-smtpd_check-ref.log (no syslog header; its "<queue id>" placeholder written as NOQUEUE)
     .line = "NOQUEUE: reject: MAIL from bar.duno.com[44.33.44.33]: 554 5.7.1 <reject@dunno.domain>: Sender address "
             "rejected: Access denied; from=<reject@dunno.domain> proto=SMTP helo=<foo.duuno.com>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .reply = "554 5.7.1 <reject@dunno.domain>: Sender address rejected: Access denied"},
    {.name = "smtpd_reject_vrfy_recipient_only",
     .program = "postfix/smtpd",
     // postfix-grok-patterns.log (no syslog header)
     .line = "NOQUEUE: reject: VRFY from unknown[2001:968:9999:20:88b:9b7d:2a54:2bd2]: 454 4.7.1 <aap@henk.com>: Relay "
             "access denied; to=<aap@henk.com> proto=SMTP helo=<me>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::unknown,
     .reply = "454 4.7.1 <aap@henk.com>: Relay access denied"},
    {.name = "proxy_reject_end_of_message",
     .program = "postfix/smtpd",
     // postfix-grok-patterns.log (no syslog header)
     .line =
         "proxy-reject: END-OF-MESSAGE: 554 5.7.0 Reject, contact postmaster@example.com, id=31619-02 - spam; from=<> "
         "to=<user2@example2.com> proto=SMTP helo=<17.33.12.53>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .reply = "554 5.7.0 Reject, contact postmaster@example.com, id=31619-02 - spam"},
    {.name = "queue_id_reject_bdat_instance_and_service",
     // postfix-fail2ban.log
     .line =
         "Mar 11 23:27:54 server postfix-smo/submission/smtpd[22427]: 44JCRG5tYPzCqt2: reject: BDAT from "
         "signing-milter.example.com[192.0.2.109]: 550 5.5.3 <DATA>: Data command rejected: Multi-recipient bounce; "
         "from=<> to=<some@example.com> proto=ESMTP helo=<domain.tld>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::data,
     .reply = "550 5.5.3 <DATA>: Data command rejected: Multi-recipient bounce"},
    {.name = "postscreen_reject_rcpt_with_port",
     // postfix-exporters.log
     .line = "Feb 24 16:18:40 letterman postfix/postscreen[1234]: NOQUEUE: reject: RCPT from [1.2.3.4]:5678: 550 5.7.1 "
             "Service unavailable; client [1.2.3.4] blocked using zen.spamhaus.org; from=<a@b.com> to=<c@d.com> "
             "proto=ESMTP helo=<x>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "550 5.7.1 Service unavailable; client [1.2.3.4] blocked using zen.spamhaus.org"},
    {.name = "postscreen_reject_rcpt_comma_separated_envelope",
     // postfix-modoboa-stats.log
     .line = "Nov 16 11:17:33 server postfix/postscreen[32096]: NOQUEUE: reject: RCPT from [51.254.143.19]:34827: 450 "
             "4.3.2 "
             "Service currently unavailable; from=<szkoleniamanagerskie@machconsulting.eu>, to=<info@test2.com>, "
             "proto=ESMTP, helo=<vps373177.ovh.net>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "450 4.3.2 Service currently unavailable"},
    {.name = "postscreen_too_many_connections_implied_reply",
     // postfix-exporters.log
     .line =
         "Feb 24 16:18:40 letterman postfix/postscreen[1234]: NOQUEUE: reject: CONNECT from [1.2.3.4]:5678: too many "
         "connections",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "421 4.7.0 Error: too many connections"},
    {.name = "cleanup_header_reject",
     // postfix-blockbadip.log
     .line =
         "Feb 12 11:06:15 t postfix/cleanup[27466]: 7D50B3EC2B: reject: header Received: from mail1.jobdivabk.com "
         "(smtp.jobdivabk.com [65.254.18.118])??by aipiggybot.io (Postfix) with ESMTP id 7D50B3EC2B??for "
         "<mike.flyingpig@cwstat.com>; Mon, 12 Feb 2018 11:05:36 -0500 (EST) from smtp.jobdivabk.com[65.254.18.118]; "
         "from=<ravi@tridentconsultinginc.com> to=<mike.flyingpig@cwstat.com> proto=ESMTP "
         "helo=<mail1.jobdivabk.com>: 5.7.1 Looks like spam to me.  Try https://cwstat.com/linkedinlogin",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::header,
     .reply = "5.7.1 Looks like spam to me.  Try https://cwstat.com/linkedinlogin"},
    {.name = "milter_reject_end_of_message",
     .program = "postfix/cleanup",
     // postfix-grok-patterns.log (no syslog header)
     .line =
         "4104E3D: milter-reject: END-OF-MESSAGE from 061238241086.static.ctinets.com[61.238.241.86]: 5.7.1 Blocked by "
         "SpamAssassin; from=<wumt5@cchfdc.com> to=<voorzitter@example.com> proto=ESMTP helo=<ecsolved.com>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .reply = "5.7.1 Blocked by SpamAssassin"},
    {.name = "milter_reject_data",
     // postfix-fail2ban.log
     .line = "Mar 7 02:09:33 server postfix/smtpd[27246]: 1D8CC1CA0A7F: milter-reject: DATA from "
             "66-220-155-151.mail-mail.facebook.com[192.0.2.151]: 550 5.7.1 Command rejected; "
             "from=<security@mail.example.com> to=<hostmaster@example.com> proto=ESMTP "
             "helo=<192-0-2-151.mail-mail.example.com>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::data,
     .reply = "550 5.7.1 Command rejected"},
    {.name = "milter_reject_rcpt_noqueue",
     .program = "postfix/smtpd",
     // postfix-grok-patterns.log (no syslog header)
     .line = "NOQUEUE: milter-reject: RCPT from mailrelay.example.com[8.8.8.8]: 451 4.7.1 Greylisting in action, "
             "please come "
             "back later; from=<support@example.com> to=<example@example.org> proto=ESMTP helo=<mailrelay.example.com>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "451 4.7.1 Greylisting in action, please come back later"},

    // --- SASL ---------------------------------------------------------------------------------------------
    {.name = "sasl_login_failure",
     // postfix-blockbadip.log
     .line =
         "Feb 11 06:26:14 t postfix/smtpd[22191]: warning: unknown[188.126.223.106]: SASL LOGIN authentication failed: "
         "Invalid authentication mechanism",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 5.7.8 Error: authentication failed",
     .mechanism = "LOGIN"},
    {.name = "sasl_cram_md5_failure",
     // postfix-fail2ban.log
     .line = "Dec  2 22:24:22 hel postfix/smtpd[7676]: warning: 114-44-142-233.dynamic.hinet.net[114.44.142.233]: SASL "
             "CRAM-MD5 authentication failed: PDc3OTEwNTkyNTEyMzA2NDIuMTIyODI1MzA2MUBoZWw+",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 5.7.8 Error: authentication failed",
     .mechanism = "CRAM-MD5"},
    {.name = "sasl_failure_on_smtps_with_username",
     // postfix-crowdsec.log
     .line =
         "May  6 09:30:12 mail postfix/smtps/smtpd[17001]: warning: unknown[203.0.113.20]: SASL LOGIN authentication "
         "failed: (reason unavailable), sasl_username=admin@example.org",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 5.7.8 Error: authentication failed",
     .mechanism = "LOGIN"},

    // --- custom syslog_name and instance names ----------------------------------------------------------
    {.name = "custom_syslog_name_smtpd",
     // postfix-blockbadip.log line, program renamed to a custom syslog_name "mailout"
     .line = "Feb 12 06:19:00 t mailout/smtpd[20456]: NOQUEUE: reject: RCPT from unknown[183.240.19.250]: 450 4.7.1 "
             "<xdfoc.com>: Helo command rejected: Host not found; from=<nmkd@xdfoc.com> to=<janderson@cwxstat.com> "
             "proto=ESMTP helo=<xdfoc.com>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "450 4.7.1 <xdfoc.com>: Helo command rejected: Host not found"},
    {.name = "custom_syslog_name_smtp",
     // postfix-colog.log line, program renamed to a custom syslog_name "mailout"
     .line =
         "Mar 26 11:36:26 pflmari mailout/smtp[22317]: 5832D804FB: to=<kuninori.morimoto.gx@renesas.com>, "
         "relay=PFWSEXCHANGE.corp.cetitec.com[10.10.1.99]:587, delay=92, delays=0.04/91/0.37/0.02, dsn=4.4.2, "
         "status=deferred (host PFWSEXCHANGE.corp.cetitec.com[10.10.1.99] said: 421 4.4.2 Message submission rate for "
         "this client has exceeded the configured limit (in reply to MAIL FROM command))",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::mail,
     .reply = "421 4.4.2 Message submission rate for this client has exceeded the configured limit",
     .dsn = "4.4.2",
     .remote_host = "PFWSEXCHANGE.corp.cetitec.com",
     .delay_seconds = 92},
    {.name = "instance_name_postfix_out",
     // postfix-homoluctus-maillogger.log line, program renamed to the instance "postfix-out"
     .line =
         "Aug 10 04:10:15 mail postfix-out/smtp[16703]: 8495840E93: to=<dd@gmail.cm>, relay=none, delay=315562, "
         "delays=315532/0/30/0, dsn=4.4.1, status=deferred (connect to gmail.cm[172.217.25.69]:25: Connection timed "
         "out)",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .agent_text = "connect to gmail.cm[172.217.25.69]:25: Connection timed out",
     .dsn = "4.4.1",
     .remote_host = "gmail.cm",
     .delay_seconds = 315562},
    // smtpd and postscreen end a silent client's session with a reply they do not log (smtpd.c smtpd_proto(),
    // postscreen_smtpd.c psc_smtpd_time_event()).
    {.name = "smtpd_timeout_after_auth",
     // postfix-blockbadip.log
     .line = "Feb 17 06:30:26 t postfix/smtpd[16094]: timeout after AUTH from unknown[121.237.137.75]",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "421 4.4.2 Error: timeout exceeded"},
    {.name = "smtpd_timeout_after_data_with_queue_id",
     // Postfix 3.x form: queue id, byte count (smtpd.c "%s: %s after %s (%lu bytes) from %s")
     .line = "Feb 12 12:00:23 t postfix/smtpd[2820]: 4A1B2C3D5E: timeout after DATA (8192 bytes) from "
             "mail.example.org[192.0.2.7]",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::data,
     .reply = "421 4.4.2 Error: timeout exceeded"},
    {.name = "smtpd_too_many_errors",
     .line = "Feb 12 12:00:23 t postfix/smtpd[2820]: NOQUEUE: too many errors after RCPT from unknown[192.0.2.8]",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "421 4.7.0 Error: too many errors"},
    {.name = "postscreen_command_time_limit",
     // postfix-fail2ban.log
     .line = "Jun  8 23:14:28 proxy2 postfix/postscreen[473]: COMMAND TIME LIMIT from [192.0.2.77]:3608 after CONNECT",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "421 4.4.2 Error: timeout exceeded"},
    // postscreen answers both with "421 <myhostname> Service unavailable - try again later" (postscreen_smtpd.c
    // psc_smtpd_421_reply): the code, and the log's words for why.
    {.name = "postscreen_command_count_limit",
     // postfix-fail2ban.log
     .line = "Jun  8 23:14:54 proxy2 postfix/postscreen[473]: COMMAND COUNT LIMIT from [192.0.2.26]:15592 after RCPT",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "421",
     .agent_text = "COMMAND COUNT LIMIT"},
    {.name = "postscreen_command_length_limit",
     // postfix-grok-patterns.log (no syslog header)
     .line = "COMMAND LENGTH LIMIT from [182.246.250.243]:51796 after RCPT",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "421",
     .agent_text = "COMMAND LENGTH LIMIT"},
};

INSTANTIATE_TEST_SUITE_P(Lines, PostfixEventTest, ::testing::ValuesIn(kEventCases), test::CaseName());

// --- rejects at the stages before RCPT ---------------------------------------------------------------

struct RejectCase {
  const char* name;
  std::string_view program;
  std::string_view line;
  Stage stage;
  std::string_view reply;  // the reply alone, without the envelope fields Postfix appends after "; "
};

void PrintTo(const RejectCase& c, std::ostream* os) { *os << c.name; }

const RejectCase kEarlyRejects[] = {
    {"connect", "",
     // postfix-fail2ban.log
     "Jun  1 19:00:55 mail postfix/smtpd[7749]: NOQUEUE: reject: CONNECT from unknown[192.0.2.114]: 450 4.7.25 "
     "Client host rejected: cannot find your hostname, [178.215.236.114]; proto=SMTP",
     Stage::connect, "450 4.7.25 Client host rejected: cannot find your hostname, [178.215.236.114]"},
    {"helo", "postfix/smtpd",
     // postfix-source-smtpd_check-ref.log (no syslog header; its "<queue id>" placeholder written as NOQUEUE)
     "NOQUEUE: reject: HELO from localhost[127.0.0.1]: 554 5.7.1 <foo.dunno.com>: Helo command rejected: Access "
     "denied; proto=SMTP helo=<foo.dunno.com>",
     Stage::helo, "554 5.7.1 <foo.dunno.com>: Helo command rejected: Access denied"},
    {"ehlo_instance", "",
     // postfix-fail2ban.log
     "Jan 31 13:55:24 xxx postfix-incoming/smtpd[3462]: NOQUEUE: reject: EHLO from "
     "s271272.static.corbina.ru[78.107.251.238]: 504 5.5.2 <User>: Helo command rejected: need fully-qualified "
     "hostname; proto=SMTP helo=<User>",
     Stage::helo, "504 5.5.2 <User>: Helo command rejected: need fully-qualified hostname"},
    {"mail_without_sender", "",
     // postfix-moj-stats-collector.log
     "Sep  4 01:14:35 vector postfix/smtpd[15337]: NOQUEUE: reject: MAIL from "
     "89.pool85-60-78.dynamic.orange.es[85.60.78.89]: 452 4.3.1 Insufficient system storage; proto=ESMTP "
     "helo=<89.pool85-60-78.dynamic.orange.es>",
     Stage::mail, "452 4.3.1 Insufficient system storage"},
};

class EarlyRejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(EarlyRejectTest, StageStatusAndReplyStart) {
  const RejectCase& c = GetParam();
  SmtpEvent event;
  ASSERT_EQ(parse(c.program, c.line, event), ParseOutcome::event);
  EXPECT_EQ(event.status, Status::rejected);
  EXPECT_EQ(event.direction, Direction::inbound);
  EXPECT_EQ(event.stage, c.stage);
  EXPECT_THAT(std::string(event.reply), StartsWith(std::string(c.reply)));
  EXPECT_EQ(event.agent_text, "");
}

// Regression (src/mta/postfix.cpp parse_reject, fixed): Postfix's log_whatsup() (smtpd_check.c) writes
// "<reply>;" followed by optional " from=<..>", " to=<..>", " proto=..", " helo=<..>" fields.
// parse_reject() cuts the reply only at "; from=<" or "; to=<", so rejects logged without a sender or
// recipient (CONNECT, HELO/EHLO, many MAIL rejects) keep "; proto=SMTP helo=<..>" in event.reply, and
// the HELO name is chosen by the client: "helo=<spamhaus>" would make T01 say blocklist.
TEST_P(EarlyRejectTest, ReplyExcludesEnvelopeFields) {
  const RejectCase& c = GetParam();
  SmtpEvent event;
  ASSERT_EQ(parse(c.program, c.line, event), ParseOutcome::event);
  EXPECT_EQ(event.reply, c.reply);
}

INSTANTIATE_TEST_SUITE_P(Lines, EarlyRejectTest, ::testing::ValuesIn(kEarlyRejects), test::CaseName());

// --- postscreen replies that the log does not show --------------------------------------------------

// postscreen logs "all server ports busy" / "all screening ports busy" (postscreen.c) and replies
// "421 4.3.2 All server ports are busy" / "421 4.3.2 All screening ports are busy".
TEST(PostscreenTest, BusyPortsImplyA421Reply) {
  SmtpEvent event;
  // postfix-exporters.log
  ASSERT_EQ(parse_log_line("Feb 24 16:18:40 letterman postfix/postscreen[1234]: NOQUEUE: reject: CONNECT from "
                           "[1.2.3.4]:5678: all server ports busy",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.reply, "421 4.3.2 All server ports are busy");
  EXPECT_EQ(event.agent_text, "");
  EXPECT_EQ(event.stage, Stage::connect);
  EXPECT_EQ(event.status, Status::rejected);
  // postfix-exporters.log
  ASSERT_EQ(parse_log_line("Feb 24 16:18:40 letterman postfix/postscreen[1234]: NOQUEUE: reject: CONNECT from "
                           "[1.2.3.4]:5678: all screening ports busy",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.reply, "421 4.3.2 All screening ports are busy");
  EXPECT_EQ(event.agent_text, "");
}

TEST(PostscreenTest, TextWithoutCodeBecomesAgentText) {
  SmtpEvent event;
  // postfix-exporters.log line with the postscreen text replaced by one that has no implied reply
  ASSERT_EQ(parse_log_line("Feb 24 16:18:40 letterman postfix/postscreen[1234]: NOQUEUE: reject: CONNECT from "
                           "[1.2.3.4]:5678: some future postscreen text",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.status, Status::rejected);
  EXPECT_EQ(event.direction, Direction::inbound);
  EXPECT_EQ(event.stage, Stage::connect);
  EXPECT_EQ(event.reply, "");
  EXPECT_EQ(event.agent_text, "some future postscreen text");
}

// --- lines that hold no outcome -------------------------------------------------------------------------

struct QuietCase {
  const char* name;
  std::string_view program;
  std::string_view line;
};

void PrintTo(const QuietCase& c, std::ostream* os) { *os << c.name; }

class IgnoredLineTest : public ::testing::TestWithParam<QuietCase> {};

TEST_P(IgnoredLineTest, IsIgnored) {
  SmtpEvent event;
  EXPECT_EQ(parse(GetParam().program, GetParam().line, event), ParseOutcome::ignored) << GetParam().line;
}

INSTANTIATE_TEST_SUITE_P(
    Lines, IgnoredLineTest,
    ::testing::Values(
        QuietCase{"reject_warning", "postfix/smtpd",
                  // postfix-grok-patterns.log (no syslog header)
                  "NOQUEUE: reject_warning: RCPT from example.com[93.184.216.34]: 553 5.7.1 <sender@example.com>: "
                  "Sender address rejected: not owned by user ph123; from=<sender@example.com> "
                  "to=<recipient@example.com> proto=ESMTP helo=<example.com>"},
        QuietCase{"debug_peer_sent", "",
                  // postfix-infohtreasure.log
                  "Feb 25 15:35:16 server1 postfix/smtpd[24974]: > localhost[::1]: 220 server1.alsoft.org ESMTP "
                  "Postfix"},
        QuietCase{"debug_peer_received", "",
                  // postfix-infohtreasure.log
                  "Feb 25 15:35:42 server1 postfix/smtpd[24974]: < localhost[::1]: HELO yahoo.com"},
        QuietCase{"qmgr_queue_active", "",
                  // postfix-blockbadip.log
                  "Feb 11 10:55:22 t postfix/qmgr[2329]: 2B8F93EC27: "
                  "from=<s-2kexcxjfuerqyqhuqxgwbbkqvzdnzp7gc0cwso63dz3d8fz5cjbsbqzm@bounce.linkedin.com>, "
                  "size=27210, nrcpt=1 (queue active)"},
        QuietCase{"qmgr_removed_instance", "",
                  // postfix-exporters.log
                  "Feb 11 16:49:25 letterman postfix-secondary/qmgr[8204]: AAB4D259B3: removed"},
        QuietCase{"smtpd_connect", "",
                  // postfix-blockbadip.log
                  "Feb 11 06:26:15 t postfix/smtpd[22191]: connect from unknown[188.126.223.106]"},
        QuietCase{"smtp_lost_connection_without_queue_id", "",
                  // not the client's note before the next server, which has the queue id
                  "Dec  1 10:00:00 mx postfix/smtp[12]: lost connection with mx1.example.com[192.0.2.1] while "
                  "receiving the initial server greeting"},
        QuietCase{"smtp_requiretls_not_offered_note", "",
                  // smtp_proto.c: a note, delivery goes on
                  "Dec  1 10:00:00 mx postfix/smtp[12]: 3F2A01234: Sender requested REQUIRETLS, but REQUIRETLS "
                  "support was not offered by host mx1.example.com[192.0.2.1]"},
        QuietCase{"smtp_requiretls_tls_level_note", "",
                  // smtp_connect.c: a note, delivery goes on
                  "Dec  1 10:00:00 mx postfix/smtp[12]: 3F2A01234: Sender requested REQUIRETLS, but my configured TLS "
                  "security level 'may' disables certificate matching. The last attempted server was "
                  "mx1.example.com[192.0.2.1]"},
        QuietCase{"postscreen_limit_without_client", "",
                  "Mar 15 11:01:40 mx postfix/postscreen[4]: COMMAND COUNT LIMITS after RCPT"},
        QuietCase{"postscreen_pipelining", "",
                  // its reply depends on postscreen_pipelining_action: none at once with the default, enforce
                  "Mar 15 11:01:40 mx postfix/postscreen[4]: COMMAND PIPELINING from [198.51.100.7]:4711 after EHLO: "
                  "MAIL FROM:<a@example.com>"},
        QuietCase{"smtp_lost_connection_in_a_note_of_another_daemon", "",
                  "Dec  1 10:00:00 mx postfix/cleanup[12]: 3F2A01234: lost connection with mx1.example.com[192.0.2.1] "
                  "while receiving the initial server greeting"},
        QuietCase{"smtp_client_words_like_a_session_end", "",
                  // the delivery agent's own words are no smtpd session end
                  "Feb 12 12:00:23 t postfix/smtp[2821]: timeout after RCPT from nowhere[192.0.2.1]"},
        QuietCase{"postscreen_pass_new", "",
                  // postfix-modoboa-stats.log
                  "Nov 16 11:17:33 server postfix/postscreen[32096]: PASS NEW [51.254.143.19]:34827"},
        QuietCase{"smtpd_warning_rbl_lookup_error", "",
                  // postfix-blockbadip.log
                  "Feb 11 10:54:33 t postfix/smtpd[26154]: warning: mailb-be.linkedin.com.blackhole.securitysage.com: "
                  "RBL lookup error: Host or domain name not found. Name service error for "
                  "name=mailb-be.linkedin.com.blackhole.securitysage.com type=A: Host not found, try again"},
        QuietCase{"postfix_master_notice", "",
                  // postfix-blockbadip.log
                  "Feb 13 16:44:17 t postfix[2236]: Postfix is running with backwards-compatible default settings"},
        QuietCase{"other_program_opendkim", "",
                  // postfix-blockbadip.log (a queue id and "not authenticated", but not Postfix)
                  "Feb 11 10:55:22 t opendkim[1715]: 2B8F93EC27: not authenticated"},
        QuietCase{"other_program_madeup", "",
                  // postfix-log-ship-elastic.log
                  "Jul 30 00:10:11 imac27 madeup: Gobbely Gook"},
        QuietCase{"not_syslog_no_outcome", "",
                  // assp-fail2ban.log
                  "Apr-07-13 07:08:36 [SSL-out] 68.171.223.68 SSL negotiation with client failed"}),
    test::CaseName());

class UnmatchedLineTest : public ::testing::TestWithParam<QuietCase> {};

TEST_P(UnmatchedLineTest, IsUnmatched) {
  SmtpEvent event;
  EXPECT_EQ(parse(GetParam().program, GetParam().line, event), ParseOutcome::unmatched) << GetParam().line;
}

INSTANTIATE_TEST_SUITE_P(
    Lines, UnmatchedLineTest,
    ::testing::Values(
        QuietCase{"delivery_line_cut_before_status", "",
                  // postfix-infohtreasure.log
                  "Nov 18 12:37:32 PostfixServer postfix/smtp[8372]: 1F2DF60508: "
                  "to=<istoy.malasugi@site01.talakitok.com>, "},
        QuietCase{"unknown_status_word", "",
                  // postfix-colog.log line with its status word garbled
                  "Mar 26 11:36:26 pflmari postfix/smtp[22317]: 5832D804FB: to=<kuninori.morimoto.gx@renesas.com>, "
                  "relay=PFWSEXCHANGE.corp.cetitec.com[10.10.1.99]:587, delay=92, delays=0.04/91/0.37/0.02, "
                  "dsn=4.4.2, status=def#rred (host PFWSEXCHANGE.corp.cetitec.com[10.10.1.99] said: 421 4.4.2 "
                  "Message submission rate exceeded (in reply to MAIL FROM command))"},
        QuietCase{"reject_without_reply", "",
                  // postfix-exporter-sergeymakinen-TEMPLATED.log
                  "Jan 1 00:00:00 hostname postfix/smtpd[12345]: NOQUEUE: reject: Unsupported"},
        QuietCase{"reject_from_without_client_address", "postfix/smtpd",
                  // postfix-blockbadip.log RCPT reject with the client's "[address]" cut off
                  "NOQUEUE: reject: RCPT from unknown: 450 4.7.1 <xdfoc.com>: Helo command rejected"},
        QuietCase{"header_reject_without_envelope", "postfix/cleanup",
                  // postfix-blockbadip.log header reject cut before its "; from=<..>" envelope
                  "7D50B3EC2B: reject: header Received: from mail1.jobdivabk.com (smtp.jobdivabk.com "
                  "[65.254.18.118])"},
        QuietCase{"header_less_reject_without_reply", "",
                  // postfix-exporter-sergeymakinen-TEMPLATED.log without its syslog header
                  "NOQUEUE: reject: Unsupported"}),
    test::CaseName());

TEST(PostfixParseTest, EventIsResetBeforeParsing) {
  SmtpEvent event;
  event.reply = "stale";
  event.mechanism = "stale";
  event.delay_seconds = 42;
  // postfix-exporters.log
  ASSERT_EQ(parse_log_line("Apr 10 14:50:16 mail postfix/qmgr[3663]: BACE842E72: from=<noreply@domain.com>, "
                           "status=expired, returned to sender",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.reply, "");
  EXPECT_EQ(event.mechanism, "");
  EXPECT_DOUBLE_EQ(event.delay_seconds, -1);
}

// A queue id is 6 or more upper-case hexadecimal digits, or 10 or more letters and digits without vowels
// (enable_long_queue_ids), at most 20 characters: only then does "<id>: to=<..>" read as a delivery.
TEST(PostfixQueueIdTest, LengthsAndAlphabets) {
  const auto delivery_with_id = [](std::string_view id) {
    SmtpEvent event;
    const std::string line = "Mar  4 00:00:01 mx1 postfix/smtp[1]: " + std::string(id) +
                             ": to=<a@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1, "
                             "delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)";
    return parse_log_line(line, event) == ParseOutcome::event;
  };
  EXPECT_FALSE(delivery_with_id("ABCDE"));
  EXPECT_TRUE(delivery_with_id("ABCDEF"));
  EXPECT_FALSE(delivery_with_id("ABCDEG"));  // G is no hexadecimal digit, and six characters are too few for a long id
  EXPECT_FALSE(delivery_with_id("4PbqCh5Cj"));
  EXPECT_TRUE(delivery_with_id("4PbqCh5Cjr"));
  EXPECT_FALSE(delivery_with_id("4PbqCh5Cja"));             // a vowel
  EXPECT_TRUE(delivery_with_id("4PbqCh5Cjrz3tG3xyZ0p"));    // 20 characters
  EXPECT_FALSE(delivery_with_id("4PbqCh5Cjrz3tG3xyZ0pq"));  // 21
  EXPECT_TRUE(delivery_with_id("0123456789ABCDEF0123"));
  EXPECT_FALSE(delivery_with_id("0123456789ABCDEF01234"));
}

// --- messages without a syslog header (journalctl -o cat, log shippers) ----------------------------------

TEST(PostfixHeaderlessTest, RemoteDeliveryIsReadFromTheMessage) {
  SmtpEvent event;
  // postfix-grok-patterns.log
  ASSERT_EQ(parse_log_line("4E74613FE76: to=<redacted@gmail.com>, "
                           "relay=gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b]:25, delay=1.9, "
                           "delays=0.05/0/1.1/0.71, dsn=5.7.1, status=bounced (host "
                           "gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b] said: 550-5.7.1 [2607:4100:3:25:100::2 "
                           "     12] Our system has detected that this 550-5.7.1 message is likely unsolicited mail. "
                           "(in reply to end of DATA command))",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.status, Status::bounced);
  EXPECT_EQ(event.direction, Direction::outbound);  // a relay with an address: the smtp client
  EXPECT_EQ(event.stage, Stage::end_of_data);
  EXPECT_EQ(event.remote_host, "gmail-smtp-in.l.google.com");
  EXPECT_EQ(event.dsn, "5.7.1");
  EXPECT_EQ(event.reply,
            "550-5.7.1 [2607:4100:3:25:100::2      12] Our system has detected that this 550-5.7.1 message is likely "
            "unsolicited mail.");
}

TEST(PostfixHeaderlessTest, LocalDeliveryIsReadFromTheMessage) {
  SmtpEvent event;
  // postfix-dovecot-maillog-exporter.log without its syslog header
  ASSERT_EQ(parse_log_line("05DAA10087: to=<test@example.com>, relay=some.example.com[private/dovecot-lmtp], "
                           "delay=1.4, delays=0.9/0/0.01/0.48, dsn=2.0.0, status=sent (250 2.0.0 <some@example.com> "
                           "AAAAAA Saved)",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.status, Status::sent);
  EXPECT_EQ(event.direction, Direction::local);  // "[private/...]" is a local socket
}

TEST(PostfixHeaderlessTest, RejectIsReadFromTheMessage) {
  SmtpEvent event;
  // postfix-grok-patterns.log
  ASSERT_EQ(parse_log_line("NOQUEUE: milter-reject: RCPT from mailrelay.example.com[8.8.8.8]: 451 4.7.1 Greylisting "
                           "in action, please come back later; from=<support@example.com> to=<example@example.org> "
                           "proto=ESMTP helo=<mailrelay.example.com>",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.status, Status::rejected);
  EXPECT_EQ(event.stage, Stage::rcpt);
  EXPECT_EQ(event.reply, "451 4.7.1 Greylisting in action, please come back later");
}

TEST(PostfixHeaderlessTest, SmtpdTestDriverOutputIsReadAsSmtpd) {
  SmtpEvent event;
  // postfix-source-smtpd_check-ref.log: smtpd_check prints what smtpd logs, "<queue id>" for the queue id
  ASSERT_EQ(parse_log_line("./smtpd_check: <queue id>: reject: HELO from localhost[127.0.0.1]: 554 5.7.1 "
                           "<foo.dunno.com>: Helo command rejected: Access denied; proto=SMTP helo=<foo.dunno.com>",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.mta, Mta::postfix);
  EXPECT_EQ(event.direction, Direction::inbound);
  EXPECT_EQ(event.status, Status::rejected);
  EXPECT_EQ(event.stage, Stage::helo);
  EXPECT_EQ(event.reply, "554 5.7.1 <foo.dunno.com>: Helo command rejected: Access denied");
  // Its warnings hold no SMTP outcome.
  EXPECT_EQ(parse_log_line("./smtpd_check: warning: restriction permit_naked_ip_address is deprecated. "
                           "Use permit_mynetworks or permit_sasl_authenticated instead",
                           event),
            ParseOutcome::ignored);
}

TEST(PostfixHeaderlessTest, ExpiryIsReadFromTheMessage) {
  SmtpEvent event;
  // postfix-grok-patterns.log
  ASSERT_EQ(parse_log_line("585BC3F: from=<>, status=expired, returned to sender", event), ParseOutcome::event);
  EXPECT_EQ(event.status, Status::expired);
}

// Regression (src/mta/mta_parsers.cpp parse_log_line / looks_like_smtp_outcome, fixed): a header-less message
// reaches parse_postfix_message() only when looks_like_smtp_outcome() finds ", status=", "reject: ",
// " said: " or "authentication failed". parse_postfix_message() reads "host H[ip] refused to talk to
// me: <reply>" for an unknown daemon, but that text carries none of the marks, so it is ignored.
TEST(PostfixHeaderlessTest, RefusedToTalkIsReadFromTheMessage) {
  SmtpEvent event;
  // postfix-grok-patterns.log
  ASSERT_EQ(parse_log_line("40197AA: host mg2.egov.bg[213.91.191.86] refused to talk to me: 450 4.3.2 try again later",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.reply, "450 4.3.2 try again later");
  EXPECT_EQ(event.stage, Stage::connect);
}

TEST(PostfixHeaderlessTest, FailureWithOneServerIsReadFromTheMessage) {
  SmtpEvent event;
  // postfix-grok-patterns.log
  ASSERT_EQ(parse_log_line("745137AA: lost connection with hotmail-com.olc.protection.outlook.com[104.47.55.161] "
                           "while sending RCPT TO",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.mta, Mta::postfix);
  EXPECT_EQ(event.direction, Direction::outbound);
  EXPECT_EQ(event.implied_class, 4);
  EXPECT_EQ(event.remote_host, "hotmail-com.olc.protection.outlook.com");
  // Without a queue id the text is some other program's, or a bounce's diagnostic.
  EXPECT_NE(parse_log_line("lost connection with mx.example.com[192.0.2.1] while sending RCPT TO", event),
            ParseOutcome::event);
  EXPECT_FALSE(is_postfix_outcome_without_marks("3F2A01234: conversation with mx.example.com[192.0.2.1] went well"));
  EXPECT_TRUE(is_postfix_outcome_without_marks("3F2A01234: mail for example.com loops back to myself"));
  EXPECT_TRUE(is_postfix_outcome_without_marks(
      "3F2A01234: Sender requested REQUIRETLS, but host mx.example.com[192.0.2.1] refused to start TLS: 454 4.7.0 "
      "TLS not available"));
}

// --- anvil limits: smtpd refuses the client and logs only a warning -----------------------------------------

struct LimitCase {
  const char* name;
  std::string_view line;
  Stage stage;
  std::string_view reply;  // what smtpd.c answers
};

void PrintTo(const LimitCase& c, std::ostream* os) { *os << c.name; }

const LimitCase kConnectionLimits[] = {
    // postfix-fail2ban.log
    {"connection_rate",
     "Sep 19 12:10:57 hostname postfix/smtpd[23244]: warning: Connection rate limit exceeded: 31 from "
     "spamhost.domain.org[192.0.2.123] for service smtpd",
     Stage::connect, "421 4.7.0 Error: too many connections"},
    // postfix-fail2ban.log
    {"connection_concurrency",
     "Sep  5 12:45:53 umkc postfix/smtpd[20286]: warning: Connection concurrency limit exceeded: 6 from "
     "mail.baileysbodybuilders.co.uk[213.123.185.20] for service smtp",
     Stage::connect, "421 4.7.0 Error: too many connections"},
};

const LimitCase kRateLimits[] = {
    // postfix-fail2ban.log; smtpd.c mail_cmd(): "450 4.7.1 Error: too much mail from %s"
    {"message_rate",
     "Sep 19 12:10:58 hostname postfix/smtpd[14059]: warning: Message delivery request rate limit exceeded: 334 from "
     "spam.example.com[192.0.2.227] for service submission",
     Stage::mail, "450 4.7.1 Error: too much mail"},
    // postfix-fail2ban.log line with the limit's name changed; smtpd.c rcpt_cmd(): "450 4.7.1 Error: too many
    // recipients from %s"
    {"recipient_rate",
     "Sep 19 12:10:58 hostname postfix/smtpd[14059]: warning: Recipient address rate limit exceeded: 334 from "
     "spam.example.com[192.0.2.227] for service submission",
     Stage::rcpt, "450 4.7.1 Error: too many recipients"},
};

class AnvilLimitTest : public ::testing::TestWithParam<LimitCase> {};

TEST_P(AnvilLimitTest, IsATemporaryReject) {
  const LimitCase& c = GetParam();
  SmtpEvent event;
  ASSERT_EQ(parse_log_line(c.line, event), ParseOutcome::event);
  EXPECT_EQ(event.status, Status::rejected_temporarily);
  EXPECT_EQ(event.direction, Direction::inbound);
  EXPECT_EQ(event.stage, c.stage);
  EXPECT_EQ(basic_code(event.reply) / 100, 4) << event.reply;
}

INSTANTIATE_TEST_SUITE_P(ConnectionLimits, AnvilLimitTest, ::testing::ValuesIn(kConnectionLimits), test::CaseName());
INSTANTIATE_TEST_SUITE_P(RateLimits, AnvilLimitTest, ::testing::ValuesIn(kRateLimits), test::CaseName());

class AnvilReplyTest : public ::testing::TestWithParam<LimitCase> {
 protected:
  void check_reply() const {
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(GetParam().line, event), ParseOutcome::event);
    EXPECT_EQ(event.reply, GetParam().reply);
  }
};

TEST_P(AnvilReplyTest, ImpliedReplyIsSmtpdsReply) { check_reply(); }

INSTANTIATE_TEST_SUITE_P(ConnectionLimits, AnvilReplyTest, ::testing::ValuesIn(kConnectionLimits), test::CaseName());

// Regression (src/mta/postfix.cpp parse_limit_exceeded, fixed): smtpd answers the message, recipient and AUTH
// rate limits with "450 4.7.1 Error: too much mail / too many recipients / too many AUTH commands from
// <addr>" (smtpd.c mail_cmd()/rcpt_cmd(); Postfix's list of its own replies), not "421 4.7.0 Error: too
// many messages/recipients/AUTH commands". Only the connection and new-TLS-session limits answer 421 4.7.0.
class AnvilRateReplyTest : public AnvilReplyTest {};

TEST_P(AnvilRateReplyTest, ImpliedReplyIsSmtpdsReply) { check_reply(); }

INSTANTIATE_TEST_SUITE_P(RateLimits, AnvilRateReplyTest, ::testing::ValuesIn(kRateLimits), test::CaseName());

TEST(AnvilWarningTest, OtherWarningsAreIgnored) {
  SmtpEvent event;
  // postfix-blockbadip.log
  EXPECT_EQ(parse_log_line("Feb 11 10:54:33 t postfix/smtpd[26154]: warning: "
                           "mailb-be.linkedin.com.blackhole.securitysage.com: RBL lookup error: Host or domain name "
                           "not found. Name service error for name=mailb-be.linkedin.com.blackhole.securitysage.com "
                           "type=A: Host not found, try again",
                           event),
            ParseOutcome::ignored);
}

// --- SASL failure of our own smtp client at a relay ----------------------------------------------------------

TEST(PostfixClientSaslTest, RelayRefusedOurLogin) {
  SyslogRecord record;
  record.program = "postfix/smtp";
  // postfix-grok-patterns.log (no syslog header)
  record.message =
      "D0F29603B4: SASL authentication failed; server xyz.example.com[1.2.3.4] said: 535 5.7.8 Error: authentication "
      "failed: authentication failure";
  SmtpEvent event;
  ASSERT_EQ(parse_postfix(record, event), ParseOutcome::event);
  EXPECT_EQ(event.direction, Direction::outbound);
  EXPECT_EQ(event.reply, "535 5.7.8 Error: authentication failed: authentication failure");
  EXPECT_EQ(event.remote_host, "xyz.example.com");
}

// --- which programs are Postfix ------------------------------------------------------------------------

struct ProgramCase {
  std::string_view program;
  bool is_postfix;
};

class IsPostfixProgramTest : public ::testing::TestWithParam<ProgramCase> {};

TEST_P(IsPostfixProgramTest, Claims) {
  EXPECT_EQ(is_postfix_program(GetParam().program), GetParam().is_postfix) << GetParam().program;
}

INSTANTIATE_TEST_SUITE_P(
    Programs, IsPostfixProgramTest,
    ::testing::Values(ProgramCase{"postfix/smtpd", true}, ProgramCase{"postfix/smtp", true},
                      ProgramCase{"postfix", true}, ProgramCase{"postfix-out/smtp", true},
                      ProgramCase{"postfix-incoming/smtpd", true}, ProgramCase{"postfix/submission/smtpd", true},
                      ProgramCase{"postfix-smo/submission/smtpd", true}, ProgramCase{"mailout/smtpd", true},
                      ProgramCase{"mailout/postscreen", true}, ProgramCase{"mailout/qmgr", true},
                      ProgramCase{"mailout", false}, ProgramCase{"smtpd", false},  // no family: another MTA's smtpd
                      ProgramCase{"mailout/imap-login", false}, ProgramCase{"dovecot", false},
                      ProgramCase{"sendmail", false}, ProgramCase{"opendkim", false}, ProgramCase{"", false}));

}  // namespace
}  // namespace mta

// --- hostile addresses ---------------------------------------------------------------------------------------------
// The recipient and sender addresses are the sender's to choose; Postfix quotes a local part that holds
// specials. Whatever they hold, a line must yield the event its clean twin yields.

namespace mta {
namespace {

using test::HostileAddressCase;

std::string delivery_line(std::string_view to, std::string_view orig_to = {}) {
  std::string line = "Nov 24 10:00:00 mx postfix/smtp[42]: 4A1B2C3D: to=<" + std::string(to) + ">, ";
  if (!orig_to.empty()) line += "orig_to=<" + std::string(orig_to) + ">, ";
  return line +
         "relay=mx.example.org[192.0.2.1]:25, delay=1.5, delays=0.1/0/0.4/1, dsn=5.1.1, status=bounced (host "
         "mx.example.org[192.0.2.1] said: 550 5.1.1 Recipient address rejected: User unknown (in reply to RCPT TO "
         "command))";
}

std::string expiry_line(std::string_view from) {
  return "Nov 24 10:00:00 mx postfix/qmgr[42]: 4A1B2C3D: from=<" + std::string(from) +
         ">, status=expired, returned to sender";
}

const HostileAddressCase kHostileAddresses[] = {
    // the recipient of issue 9: a bounce that an unanchored search counted as sent
    {"status_sent_in_quotes", R"~("x, status=sent (250 ok)"@example.net)~"},
    {"every_special", R"~("a,b=c(d)e; f: g"@example.net)~"},
    {"closing_bracket_and_fields", R"~("x>, relay=evil.example[203.0.113.9]:25, dsn=2.0.0, status=sent"@example.net)~"},
    {"escaped_quote", R"~("q\", status=sent (250 ok)"@example.net)~"},
    {"status_expired_in_quotes", R"~("y, status=expired, returned to sender"@example.net)~"},
    {"parentheses_and_said", R"~("(host h[192.0.2.9] said: 250 2.0.0 ok)"@example.net)~"},
};

class PostfixHostileAddressTest : public ::testing::TestWithParam<HostileAddressCase> {
 protected:
  static void expect_same_event(const std::string& clean_line, const std::string& hostile_line) {
    SmtpEvent clean;
    SmtpEvent hostile;
    ASSERT_EQ(parse_log_line(clean_line, clean), ParseOutcome::event) << clean_line;
    ASSERT_EQ(parse_log_line(hostile_line, hostile), ParseOutcome::event) << hostile_line;
    EXPECT_EQ(hostile.status, clean.status) << hostile_line;
    EXPECT_EQ(hostile.direction, clean.direction) << hostile_line;
    EXPECT_EQ(hostile.stage, clean.stage) << hostile_line;
    EXPECT_EQ(hostile.reply, clean.reply) << hostile_line;
    EXPECT_EQ(hostile.agent_text, clean.agent_text) << hostile_line;
    EXPECT_EQ(hostile.dsn, clean.dsn) << hostile_line;
    EXPECT_EQ(hostile.remote_host, clean.remote_host) << hostile_line;
    EXPECT_EQ(hostile.delay_seconds, clean.delay_seconds) << hostile_line;
  }
};

TEST_P(PostfixHostileAddressTest, RecipientChangesNothing) {
  expect_same_event(delivery_line("user@example.net"), delivery_line(GetParam().value));
}

TEST_P(PostfixHostileAddressTest, OriginalRecipientChangesNothing) {
  expect_same_event(delivery_line("user@example.net", "alias@example.net"),
                    delivery_line("user@example.net", GetParam().value));
}

TEST_P(PostfixHostileAddressTest, SenderOfAnExpiredMessageChangesNothing) {
  expect_same_event(expiry_line("sender@example.net"), expiry_line(GetParam().value));
}

INSTANTIATE_TEST_SUITE_P(Addresses, PostfixHostileAddressTest, ::testing::ValuesIn(kHostileAddresses),
                         test::CaseName());

TEST(PostfixHostileAddressTest, SentLineWithABounceInTheAddressIsSent) {
  SmtpEvent event;
  ASSERT_EQ(parse_log_line("Nov 24 10:00:00 mx postfix/smtp[42]: 4A1B2C3D: to=<\"z, status=bounced (550 no)\"@"
                           "example.net>, relay=mx.example.org[192.0.2.1]:25, delay=1, delays=0.1/0/0.4/0.5, "
                           "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 99)",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.status, Status::sent);
  EXPECT_EQ(event.dsn, "2.0.0");
}

TEST(PostfixHostileAddressTest, AnAddressThatNeverClosesIsUnmatched) {
  SmtpEvent event;
  EXPECT_EQ(parse_log_line("Nov 24 10:00:00 mx postfix/smtp[42]: 4A1B2C3D: to=<\"open, status=sent (250 ok)", event),
            ParseOutcome::unmatched);
}

}  // namespace
}  // namespace mta

// --- hostile reject envelopes ------------------------------------------------------------------------------------
// smtpd, postscreen and cleanup end a reject with "; from=<S> to=<R> proto=P helo=<H>" (postscreen: ", " between
// the fields; cleanup's header/body rejects put ": text" after it). The addresses and the HELO name are the
// client's to choose, and the reply echoes them ("<R>: Recipient address rejected"), so the reply ends where the
// envelope starts, read from the end of the line; a header reject's text is what follows the envelope. Whatever
// the client chose, a line yields the event of its clean twin, with the echo of the hostile value in the reply.

namespace mta {
namespace {

using test::HostileValueCase;

// Expects `hostile_line` to yield the event `clean_line` yields, but with `reply` (the hostile value echoed).
void expect_same_reject(const std::string& clean_line, const std::string& hostile_line, std::string_view reply) {
  SmtpEvent clean;
  SmtpEvent hostile;
  ASSERT_EQ(parse_log_line(clean_line, clean), ParseOutcome::event) << clean_line;
  ASSERT_EQ(parse_log_line(hostile_line, hostile), ParseOutcome::event) << hostile_line;
  EXPECT_EQ(hostile.status, clean.status) << hostile_line;
  EXPECT_EQ(hostile.direction, clean.direction) << hostile_line;
  EXPECT_EQ(hostile.stage, clean.stage) << hostile_line;
  EXPECT_EQ(basic_code(hostile.reply), basic_code(clean.reply)) << hostile_line;
  EXPECT_EQ(find_enhanced_code(hostile.reply).klass, find_enhanced_code(clean.reply).klass) << hostile_line;
  EXPECT_EQ(hostile.reply, reply) << hostile_line;
  EXPECT_EQ(hostile.agent_text, clean.agent_text) << hostile_line;
}

void expect_same_reject(const std::string& clean_line, const std::string& hostile_line) {
  SmtpEvent clean;
  ASSERT_EQ(parse_log_line(clean_line, clean), ParseOutcome::event) << clean_line;
  expect_same_reject(clean_line, hostile_line, clean.reply);
}

constexpr std::string_view kHeader = "Nov 24 10:00:00 mx ";
constexpr std::string_view kRcpt = "user@example.net";
constexpr std::string_view kSender = "sender@example.org";
constexpr std::string_view kHelo = "mail.example.org";

std::string s(std::string_view text) { return std::string(text); }

// The reply echoes an address in its internal form: the local part without its quotes.
std::string internal_form(std::string_view address) {
  if (!address.starts_with('"')) return s(address);
  std::string internal;
  std::size_t i = 1;
  for (; i < address.size() && address[i] != '"'; ++i) {
    if (address[i] == '\\') ++i;
    internal += address[i];
  }
  return internal + s(address.substr(i + 1));
}

std::string rcpt_reply(std::string_view rcpt) {
  return "550 5.1.1 <" + internal_form(rcpt) + ">: Recipient address rejected: User unknown in virtual mailbox table";
}

std::string rcpt_reject(std::string_view rcpt = kRcpt, std::string_view sender = kSender,
                        std::string_view helo = kHelo) {
  return s(kHeader) + "postfix/smtpd[42]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: " + rcpt_reply(rcpt) +
         "; from=<" + s(sender) + "> to=<" + s(rcpt) + "> proto=ESMTP helo=<" + s(helo) + ">";
}

std::string sender_reply(std::string_view sender) {
  return "553 5.7.1 <" + internal_form(sender) + ">: Sender address rejected: not logged in";
}

std::string mail_reject(std::string_view sender = kSender) {
  return s(kHeader) +
         "postfix/submission/smtpd[42]: NOQUEUE: reject: MAIL from unknown[192.0.2.9]: " + sender_reply(sender) +
         "; from=<" + s(sender) + "> proto=ESMTP helo=<" + s(kHelo) + ">";
}

std::string helo_reply(std::string_view helo) {
  return "504 5.5.2 <" + s(helo) + ">: Helo command rejected: need fully-qualified hostname";
}

std::string helo_reject(std::string_view helo = kHelo) {
  return s(kHeader) + "postfix/smtpd[42]: NOQUEUE: reject: EHLO from unknown[192.0.2.9]: " + helo_reply(helo) +
         "; proto=ESMTP helo=<" + s(helo) + ">";
}

std::string postscreen_reject(std::string_view rcpt = kRcpt, std::string_view helo = kHelo) {
  return s(kHeader) +
         "postfix/postscreen[42]: NOQUEUE: reject: RCPT from [192.0.2.9]:4711: 550 5.7.1 Service unavailable; "
         "client [192.0.2.9] blocked using zen.spamhaus.org; from=<" +
         s(kSender) + ">, to=<" + s(rcpt) + ">, proto=ESMTP, helo=<" + s(helo) + ">";
}

std::string milter_reject(std::string_view rcpt = kRcpt, std::string_view helo = kHelo) {
  return s(kHeader) +
         "postfix/cleanup[42]: 4A1B2C3D: milter-reject: END-OF-MESSAGE from mail.example.org[192.0.2.1]: 5.7.1 "
         "Blocked by SpamAssassin; from=<" +
         s(kSender) + "> to=<" + s(rcpt) + "> proto=ESMTP helo=<" + s(helo) + ">";
}

std::string header_reject(std::string_view subject = "Hello", std::string_view rcpt = kRcpt,
                          std::string_view helo = kHelo) {
  return s(kHeader) + "postfix/cleanup[42]: 4A1B2C3D: reject: header Subject: " + s(subject) +
         " from mail.example.org[192.0.2.1]; from=<" + s(kSender) + "> to=<" + s(rcpt) + "> proto=ESMTP helo=<" +
         s(helo) + ">: 5.7.1 Spam subject";
}

// Postfix quotes a local part that holds specials (info_log_address_format = external).
const HostileValueCase kHostileRejectAddresses[] = {
    {"from_field", R"~("a; from=<x@example.com>"@example.net)~"},
    {"to_and_proto_fields", R"~("z; to=<v@example.com> proto=SMTP helo=<h>"@example.net)~"},
    {"closing_bracket_and_fields", R"~("x> proto=ESMTP helo=<y"@example.net)~"},
    {"reply_code", R"~("550 5.7.1 blocked using zen.spamhaus.org"@example.net)~"},
    {"blocklist_text_and_envelope", R"~("blocked using zen.spamhaus.org; from=<>"@example.net)~"},
    {"escaped_quote", R"~("q\"; from=<e@x> proto=ESMTP"@example.net)~"},
    {"comma_separated_fields", R"~("a, to=<b>, proto=ESMTP, helo=<c"@example.net)~"},
    {"whole_envelope_tail", R"~("a; to=<b@example.com> proto=ESMTP helo=<h"@example.net)~"},
    {"unbalanced_quote_in_echo", R"~("a\"; from=<x> proto=ESMTP helo=<y"@example.net)~"},
    {"other_line_keywords", R"~("x, status=sent (250 ok), reject: RCPT"@example.net)~"},
};

// The HELO name is logged as the client sent it, spaces and brackets included.
const HostileValueCase kHostileRejectHelos[] = {
    {"from_field", "x; from=<a@example.com>"},
    {"reply_code", "550 5.7.1 <h>: Helo command rejected"},
    {"to_field", "h; to=<a@example.com>"},
    {"closing_bracket_and_proto", "evil> proto=SMTP"},
    {"closing_bracket_and_fields", "h>; from=<a> to=<b>"},
    {"blocklist_text", "blocked using zen.spamhaus.org; from=<>"},
    {"reply_separator", "x>: 250 2.0.0 Ok"},
    {"whole_envelope_tail", "x; from=<a@example.com> to=<b@example.com> proto=ESMTP helo=<y"},
    {"quote_and_from_field", "x\"; from=<a@example.com>"},
};

const HostileValueCase kHostileSubjects[] = {
    {"envelope_and_text", "x from h[192.0.2.7]; from=<a> to=<b> proto=ESMTP helo=<c>: 250 2.0.0 Ok"},
    {"reply_separator", "<x>: 250 2.0.0 Ok"},
    {"other_keywords", "reject: RCPT from h[192.0.2.7]: 450 4.7.1 greylisted, status=sent (250 ok)"},
    {"proto_only", "a; proto=ESMTP: 250 ok"},
};

class PostfixHostileRecipientRejectTest : public ::testing::TestWithParam<HostileValueCase> {};

TEST_P(PostfixHostileRecipientRejectTest, RecipientChangesNothingButItsEcho) {
  expect_same_reject(rcpt_reject(), rcpt_reject(GetParam().value), rcpt_reply(GetParam().value));
}

TEST_P(PostfixHostileRecipientRejectTest, SenderChangesNothing) {
  expect_same_reject(rcpt_reject(), rcpt_reject(kRcpt, GetParam().value));
}

TEST_P(PostfixHostileRecipientRejectTest, RejectedSenderChangesNothingButItsEcho) {
  expect_same_reject(mail_reject(), mail_reject(GetParam().value), sender_reply(GetParam().value));
}

TEST_P(PostfixHostileRecipientRejectTest, PostscreenRecipientChangesNothing) {
  expect_same_reject(postscreen_reject(), postscreen_reject(GetParam().value));
}

TEST_P(PostfixHostileRecipientRejectTest, MilterRejectRecipientChangesNothing) {
  expect_same_reject(milter_reject(), milter_reject(GetParam().value));
}

TEST_P(PostfixHostileRecipientRejectTest, HeaderRejectRecipientChangesNothing) {
  expect_same_reject(header_reject(), header_reject("Hello", GetParam().value));
}

INSTANTIATE_TEST_SUITE_P(Addresses, PostfixHostileRecipientRejectTest, ::testing::ValuesIn(kHostileRejectAddresses),
                         test::CaseName());

class PostfixHostileHeloRejectTest : public ::testing::TestWithParam<HostileValueCase> {};

TEST_P(PostfixHostileHeloRejectTest, HeloChangesNothing) {
  expect_same_reject(rcpt_reject(), rcpt_reject(kRcpt, kSender, GetParam().value));
}

TEST_P(PostfixHostileHeloRejectTest, RejectedHeloChangesNothingButItsEcho) {
  expect_same_reject(helo_reject(), helo_reject(GetParam().value), helo_reply(GetParam().value));
}

TEST_P(PostfixHostileHeloRejectTest, PostscreenHeloChangesNothing) {
  expect_same_reject(postscreen_reject(), postscreen_reject(kRcpt, GetParam().value));
}

TEST_P(PostfixHostileHeloRejectTest, MilterRejectHeloChangesNothing) {
  expect_same_reject(milter_reject(), milter_reject(kRcpt, GetParam().value));
}

TEST_P(PostfixHostileHeloRejectTest, HeaderRejectHeloChangesNothing) {
  expect_same_reject(header_reject(), header_reject("Hello", kRcpt, GetParam().value));
}

INSTANTIATE_TEST_SUITE_P(Helos, PostfixHostileHeloRejectTest, ::testing::ValuesIn(kHostileRejectHelos),
                         test::CaseName());

class PostfixHostileSubjectRejectTest : public ::testing::TestWithParam<HostileValueCase> {};

TEST_P(PostfixHostileSubjectRejectTest, SubjectChangesNothing) {
  expect_same_reject(header_reject(), header_reject(GetParam().value));
}

INSTANTIATE_TEST_SUITE_P(Subjects, PostfixHostileSubjectRejectTest, ::testing::ValuesIn(kHostileSubjects),
                         test::CaseName());

// A reject without HELO (the client sent MAIL at once) ends its envelope with proto=.
TEST(PostfixHostileRejectTest, HeaderRejectWithoutHeloReadsTheText) {
  const std::string line = s(kHeader) +
                           "postfix/cleanup[42]: 4A1B2C3D: reject: header Subject: <a>: 250 ok from "
                           "h.example.org[192.0.2.1]; from=<a@example.org> to=<b@example.net> proto=SMTP: 5.7.1 "
                           "Spam subject";
  SmtpEvent event;
  ASSERT_EQ(parse_log_line(line, event), ParseOutcome::event);
  EXPECT_EQ(event.stage, Stage::header);
  EXPECT_EQ(event.reply, "5.7.1 Spam subject");
}

// Lines that are no outcome, with the keywords of one only in the sender's fields.
TEST(PostfixHostileRejectTest, KeywordsInAMessageIdOrSubjectMakeNoEvent) {
  for (const char* line : {
           "Nov 24 10:00:00 mx postfix/cleanup[42]: 4A1B2C3D: message-id=<x; reject: RCPT from h[192.0.2.7]: 550 "
           "5.1.1 no, status=bounced (550 no)@example.org>",
           "Nov 24 10:00:00 mx postfix/cleanup[42]: 4A1B2C3D: hold: header Subject: reject: RCPT from "
           "h[192.0.2.7]: 550 5.1.1 no from mail.example.org[192.0.2.1]; from=<a@example.org> to=<b@example.net> "
           "proto=ESMTP helo=<mail.example.org>",
           "Nov 24 10:00:00 mx postfix/qmgr[42]: 4A1B2C3D: from=<\"x, status=expired, returned to sender\"@"
           "example.org>, size=1234, nrcpt=1 (queue active)",
       }) {
    SCOPED_TRACE(line);
    SmtpEvent event;
    EXPECT_NE(parse_log_line(line, event), ParseOutcome::event);
  }
}

}  // namespace
}  // namespace mta

namespace mta {
namespace {

// The report's tables of domains and clients: the recipient of a delivery, the client of an smtpd refusal.
using test::WhoCase;

class PostfixWhoTest : public ::testing::TestWithParam<WhoCase> {};

TEST_P(PostfixWhoTest, ReadsRecipientAndClient) { test::expect_whom(GetParam()); }

const WhoCase kWhoCases[] = {
    {"bounce_recipient",
     "Mar 15 10:01:00 mx postfix/smtp[2]: 4AB1C2D3E4: to=<u@example.net>, relay=mx.example.net[192.0.2.2]:25, "
     "delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.2] said: 550 5.1.1 no)",
     "u@example.net", ""},
    // A quoted local part holding '>' and ", status=": the address ends at the '>' outside the quotes.
    {"quoted_recipient_with_keywords",
     "Mar 15 10:01:00 mx postfix/smtp[2]: 4AB1C2D3E4: to=<\"a>, status=sent\"@example.net>, orig_to=<b@c>, "
     "relay=mx[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (550 5.1.1 no)",
     "\"a>, status=sent\"@example.net", ""},
    // A rewriter dropped the brackets.
    {"recipient_without_brackets",
     "Mar 15 10:01:00 mx postfix/smtp[2]: 4AB1C2D3E4: to=u@example.net, relay=mx[192.0.2.2]:25, delay=1, "
     "delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to mx[192.0.2.2]:25: Connection timed out)",
     "u@example.net", ""},
    {"smtpd_reject_client",
     "Mar 15 11:01:00 mx postfix/smtpd[4]: NOQUEUE: reject: RCPT from bad.example[198.51.100.7]: 554 5.7.1 No; "
     "from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<bad.example>",
     "", "bad.example[198.51.100.7]"},
    {"postscreen_reject_client",
     "Mar 15 11:01:00 mx postfix/postscreen[4]: NOQUEUE: reject: RCPT from [198.51.100.7]:4711: 550 5.7.1 No; "
     "from=<a@b.example>, to=<c@d.example>, proto=ESMTP, helo=<bad.example>",
     "", "[198.51.100.7]"},
    {"sasl_failure_client",
     "Mar 15 11:01:40 mx postfix/smtpd[4]: warning: unknown[198.51.100.7]: SASL LOGIN authentication failed: x", "",
     "unknown[198.51.100.7]"},
    {"rate_limit_client",
     "Mar 15 11:01:40 mx postfix/smtpd[4]: warning: Connection rate limit exceeded: 31 from "
     "unknown[198.51.100.7] for service smtp",
     "", "unknown[198.51.100.7]"},
    {"timeout_client", "Mar 15 11:01:40 mx postfix/smtpd[4]: timeout after DATA (0 bytes) from unknown[198.51.100.7]",
     "", "unknown[198.51.100.7]"},
    {"command_time_limit_client",
     "Mar 15 11:01:40 mx postfix/postscreen[4]: COMMAND TIME LIMIT from [198.51.100.7]:4711 after RCPT", "",
     "[198.51.100.7]"},
    {"command_count_limit_client",
     "Mar 15 11:01:40 mx postfix/postscreen[4]: COMMAND COUNT LIMIT from [198.51.100.7]:4711 after RCPT", "",
     "[198.51.100.7]"},
    // No closing bracket: no client rather than a guess.
    {"client_without_closing_bracket",
     "Mar 15 11:01:40 mx postfix/smtpd[4]: timeout after DATA from unknown[198.51.100.7", "", ""},
};

INSTANTIATE_TEST_SUITE_P(Lines, PostfixWhoTest, ::testing::ValuesIn(kWhoCases), test::CaseName());

}  // namespace
}  // namespace mta
