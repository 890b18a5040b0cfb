// Tests for the Exim log parser (src/mta/exim.hpp): Exim's own mainlog format (with and without pid,
// message id, fractional seconds and zone) and Exim lines arriving through syslog (exim, exim4).
// Lines come from /work/shared/corpus/real; the file is named in a comment next to each. Lines that had
// to be changed (a program renamed, a syslog header added) say so.

#include "mta/exim.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "classify/classifier.hpp"
#include "event_case.hpp"
#include "mta/mta_parsers.hpp"
#include "support/case_name.hpp"

namespace mta {
namespace {

using test::EventCase;
using test::IgnoredCase;

class EximEventTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(EximEventTest, ReadsEvent) { test::expect_event(GetParam(), Mta::exim); }

const EventCase kEventCases[] = {
    // --- deliveries: the C="..." confirmation is the reply -------------------------------------------------
    {.name = "sent_with_confirmation",
     // exim-exporter-gvengel.log
     .line =
         R"~(2020-06-19 06:26:02 1jmH1s-000AVD-5t => dave@foo.corp R=dnslookup T=remote_smtp H=mail.foo.corp [1.1.1.1] C="250 2.0.0 Ok: queued")~",
     .status = Status::sent,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "250 2.0.0 Ok: queued",
     .remote_host = "mail.foo.corp"},
    {.name = "sent_with_tls_and_dn_before_confirmation",
     // exim-exporter-gvengel.log (DN="C=US,..." must not be taken for the C= confirmation)
     .line =
         R"~(2020-06-19 06:26:03 1jmH1t-0000dO-Un => harry@bar.corp R=dnslookup T=remote_smtp H=mail.bar.corp [7.7.7.7] X=TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256 CV=yes DN="C=US,ST=Notia,L=Nowhere,O=Bar Corp,CN=mail.bar.corp" C="250 2.6.0 <E1jmH1t-0000dO-Un@smtp.test.corp> 16655 bytes in 0.342, 47.543 KB/sec Queued mail for delivery -> 250 2.1.5")~",
     .status = Status::sent,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply =
         "250 2.6.0 <E1jmH1t-0000dO-Un@smtp.test.corp> 16655 bytes in 0.342, 47.543 KB/sec Queued mail for delivery -> "
         "250 2.1.5",
     .remote_host = "mail.bar.corp"},
    {.name = "additional_address_arrow",
     // exim-exporter-gvengel.log ("->": a further address delivered in the same transaction)
     .line =
         R"~(2020-06-20 00:13:16 1jmXgg-000AIC-89 -> sally@dummy.corp R=dnslookup T=remote_smtp_smarthost H=smarthost.test.corp [5.5.5.5] X=TLS1.2:ECDHE_RSA_AES_128_GCM_SHA256:128 CV=yes DN="C=XX,L=Here,O=Text Corp,CN=*.test.corp" C="250 6292145-1592637196662@smarthost.test.corp Received OK [sHQA_0EGOfCC2A2sh3iD5g]")~",
     .status = Status::sent,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "250 6292145-1592637196662@smarthost.test.corp Received OK [sHQA_0EGOfCC2A2sh3iD5g]",
     .remote_host = "smarthost.test.corp"},
    {.name = "local_delivery_without_confirmation",
     // exim-testsuite-mainlog.log (new-style message id 10HmaX-000000005vi-0000)
     .line = "1999-03-02 09:44:33 10HmaX-000000005vi-0000 => CALLER <CALLER@the.local.host.name> R=localuser "
             "T=local_delivery",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "delivered"},
    {.name = "lmtp_sent_with_multiline_confirmation",
     // exim-testsuite-mainlog.log (the confirmation's line break is written "\\n" inside C="...")
     .line =
         R"~(1999-03-02 09:44:33 10HmbC-000000005vi-0000 => useryx@myhost.test.ex F=<CALLER@myhost.test.ex> R=smartuser T=lmtp H=127.0.0.1 [127.0.0.1] C="250-This one's OK\\n250 OK")~",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .reply = R"~(250-This one's OK\\n250 OK)~",
     .remote_host = "127.0.0.1"},

    // --- failures (**) and deferrals (==) with the remote server's reply -----------------------------------
    {.name = "bounced_end_of_data_with_pid_and_zone",
     // exim-exporter-gvengel.log (timestamp with +0200 zone, [pid] before the message id)
     .line =
         R"~(2020-06-20 01:32:57 +0200 [789] 1jmKso-0009d4-Uf ** molly@zee.corp R=dnslookup T=remote_smtp H=mail.zee.corp [3.3.3.3] X=TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256 CV=yes DN="C=US,ST=Fake,L=Lost,O=Zee Corp,CN=mail.zee.corp": SMTP error from remote mail server after end of data: 554 5.2.0 mKr3jsd25ZIfXmKr4jFD2w Recipient Mailbox Full [504])~",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::end_of_data,
     .reply = "554 5.2.0 mKr3jsd25ZIfXmKr4jFD2w Recipient Mailbox Full [504]",
     .remote_host = "mail.zee.corp"},
    {.name = "bounced_end_of_data_negative_zone",
     // exim-exporter-gvengel.log (-0200 zone)
     .line =
         R"~(2020-06-20 02:32:57 -0200 [789] 1jmKso-0009d4-Uf ** molly@zee.corp R=dnslookup T=remote_smtp H=mail.zee.corp [3.3.3.3] X=TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256 CV=yes DN="C=US,ST=Fake,L=Lost,O=Zee Corp,CN=mail.zee.corp": SMTP error from remote mail server after end of data: 554 5.2.0 mKr3jsd25ZIfXmKr4jFD2w Recipient Mailbox Full [504])~",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::end_of_data,
     .reply = "554 5.2.0 mKr3jsd25ZIfXmKr4jFD2w Recipient Mailbox Full [504]",
     .remote_host = "mail.zee.corp"},
    {.name = "bounced_rcpt",
     // exim-testsuite-mainlog.log
     .line =
         "1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** x@uppercase.test.ex R=r1 T=t1 H=uppercase.test.ex [127.0.0.1] "
         ": SMTP error from remote mail server after RCPT TO:<x@UpperCase.test.ex>: 550 Unknown",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::rcpt,
     .reply = "550 Unknown",
     .remote_host = "uppercase.test.ex"},
    {.name = "bounced_initial_connection",
     // exim-testsuite-mainlog.log
     .line =
         "1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** userx@domain1 F=<CALLER@test.ex> R=others T=smtp "
         "H=localhost4.test.ex [127.0.0.1] : SMTP error from remote mail server after initial connection: 550 Go away",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::connect,
     .reply = "550 Go away",
     .remote_host = "localhost4.test.ex"},
    {.name = "deferred_pipelined_mail_from",
     // exim-testsuite-mainlog.log
     .line =
         "1999-03-02 09:44:33 10HmbA-000000005vi-0000 == h@test.ex R=client T=send_to_server defer (-45) H=127.0.0.1 "
         "[127.0.0.1]: SMTP error from remote mail server after pipelined MAIL FROM:<CALLER@test.ex>: 451 Temp error",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::mail,
     .reply = "451 Temp error",
     .remote_host = "127.0.0.1"},
    {.name = "bounced_pipelined_mail_from",
     // exim-testsuite-mainlog.log
     .line =
         "1999-03-02 09:44:33 10HmbB-000000005vi-0000 ** j@test.ex R=client T=send_to_server H=127.0.0.1 [127.0.0.1] : "
         "SMTP error from remote mail server after pipelined MAIL FROM:<CALLER@test.ex>: 550 Perm error",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::mail,
     .reply = "550 Perm error",
     .remote_host = "127.0.0.1"},
    {.name = "deferred_smtp_timeout_after_ehlo",
     // exim-testsuite-mainlog.log (no reply: Exim's own text, the stage from "SMTP timeout after EHLO")
     .line = "1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userx@domain1.com R=all T=smtp defer (dd): Connection "
             "timed out "
             "H=127.0.0.1 [127.0.0.1]: SMTP timeout after EHLO myhost.test.ex",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::helo,
     .agent_text = "Connection timed out H=127.0.0.1 [127.0.0.1]: SMTP timeout after EHLO myhost.test.ex",
     .remote_host = "127.0.0.1"},

    // --- LMTP ------------------------------------------------------------------------------------------------
    {.name = "lmtp_bounced",
     // exim-testsuite-mainlog.log
     .line =
         "1999-03-02 09:44:33 10HmaY-000000005vi-0000 ** userxy@myhost.test.ex F=<CALLER@myhost.test.ex> R=smartuser "
         "T=lmtp H=127.0.0.1 [127.0.0.1] : LMTP error after DATA: 550 Bad user",
     .status = Status::bounced,
     .direction = Direction::local,
     .stage = Stage::end_of_data,
     .reply = "550 Bad user",
     .remote_host = "127.0.0.1"},
    {.name = "lmtp_deferred",
     // exim-testsuite-mainlog.log
     .line = "1999-03-02 09:44:33 10HmaY-000000005vi-0000 == userxx@myhost.test.ex R=smartuser T=lmtp defer (0) "
             "H=127.0.0.1 "
             "[127.0.0.1]: LMTP error after DATA: 440 Temporary error",
     .status = Status::deferred,
     .direction = Direction::local,
     .stage = Stage::end_of_data,
     .reply = "440 Temporary error",
     .remote_host = "127.0.0.1"},
    {.name = "lmtp_multiline_reply_keeps_escaped_newline",
     // exim-testsuite-mainlog.log (Exim writes the reply's line break as the two characters "\n")
     .line =
         R"~(1999-03-02 09:44:33 10HmbA-000000005vi-0000 ** userxy@myhost.test.ex F=<CALLER@myhost.test.ex> R=smartuser T=lmtp H=127.0.0.1 [127.0.0.1] : LMTP error after DATA: 550-I don't like this user\n550 Bad user)~",
     .status = Status::bounced,
     .direction = Direction::local,
     .stage = Stage::end_of_data,
     .reply = R"~(550-I don't like this user\n550 Bad user)~",
     .remote_host = "127.0.0.1"},

    // --- failures explained by Exim itself ------------------------------------------------------------------
    {.name = "local_failure_router_text",
     // exim-logstash-patterns-core.log
     .line =
         "2020-02-11 17:09:47 1j1Z2g-00Faoy-Uh ** admin@example.net R=virtual_aliases: No such person at this address.",
     .status = Status::bounced,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "No such person at this address."},
    {.name = "retry_timeout_exceeded",
     // exim-exporter-gvengel.log
     // (no router, transport or host: the line does not tell where the mail was going)
     .line = "2020-06-19 04:54:02 1jmFYj-00039V-QX ** bob@null.corp: retry timeout exceeded",
     .status = Status::bounced,
     .direction = Direction::unknown,
     .stage = Stage::unknown,
     .agent_text = "retry timeout exceeded"},

    // --- ACL rejects (inbound) ------------------------------------------------------------------------------
    {.name = "rejected_rcpt_quoted_reason_no_message_id",
     // exim-crowdsec.log (the quotes around the ACL message are dropped)
     .line =
         R"~(2022-06-29 15:33:46 H=test.com [1.2.3.4]:53343 F=<info@test.com> rejected RCPT <toto@toto.com>: "JunkMail rejected - test.com [1.2.3.4]:53343 is in an RBL: https://www.spamhaus.org/sbl/query/SBLCSS")~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .agent_text =
         "JunkMail rejected - test.com [1.2.3.4]:53343 is in an RBL: https://www.spamhaus.org/sbl/query/SBLCSS"},
    {.name = "rejected_rcpt_after_tls",
     // exim-crowdsec.log
     .line = "2022-06-29 14:34:58 H=imfo.test.biz [1.2.3.4]:35328 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no "
             "F=<jack@test.biz> rejected RCPT <sales@toto.com.au>: No Such User Here",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .agent_text = "No Such User Here"},
    {.name = "rejected_rcpt_with_custom_code",
     // exim-testsuite-mainlog.log (an ACL message that starts with a code is the reply)
     .line = "1999-03-02 09:44:33 U=CALLER F=<> rejected RCPT <user4@test.ex>: 599 5.2.3 Main and extended code",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "599 5.2.3 Main and extended code"},
    {.name = "temporarily_rejected_connection",
     // exim-crowdsec.log
     .line =
         R"~(2022-06-29 14:33:43 H=test.sa.com [1.2.3.4]:18146 temporarily rejected connection in "connect" ACL: "Host is ratelimited (1.9/1h max:1.2)")~",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .agent_text = "Host is ratelimited (1.9/1h max:1.2)"},
    {.name = "temporarily_rejected_rcpt_callout_failure",
     // exim-testsuite-mainlog.log (the callout target's reply, quoted in our own explanation, is the code the
     // reject carries; Exim passes it on to the client)
     .line = "1999-03-02 09:44:33 U=CALLER F=<> temporarily rejected RCPT <rcpt_defer@test.ex>: Could not complete "
             "recipient "
             "verify callout: 127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after RCPT "
             "TO:<rcpt_defer@test.ex>: "
             "451 Temporary local problem - please try later",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "451 Temporary local problem - please try later"},
    {.name = "rejected_mail_from",
     // exim-testsuite-mainlog.log
     .line =
         "1999-03-02 09:44:33 rejected MAIL FROM:<userx@test.ex> U=CALLER: message too big: size=1000000000 max=100",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .agent_text = "message too big: size=1000000000 max=100"},
    {.name = "rejected_after_data_with_pid",
     // exim-fail2ban.log
     .line = "2013-06-15 11:20:36 [2516] 1Unmew-0000ea-SE H=egeftech.static.otenet.gr [83.235.177.148]:32706 "
             "I=[1.2.3.4]:25 F=auguriesvbd40@google.com rejected after DATA: This message contains a virus "
             "(Sanesecurity.Junk.39934.UNOFFICIAL).",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .agent_text = "This message contains a virus (Sanesecurity.Junk.39934.UNOFFICIAL)."},
    {.name = "reasonless_reject_keeps_line",
     // exim-testsuite-mainlog.log (no reason: the line's own fields are the evidence)
     .line = "1999-03-02 09:44:33 H=[10.9.8.8] U=CALLER rejected MAIL <bad@test1>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .agent_text = "H=[10.9.8.8] U=CALLER rejected MAIL <bad@test1>"},
    {.name = "reasonless_reject_helo",
     // exim-testsuite-mainlog.log
     .line = "1999-03-02 09:44:33 H=(x.y.z) [10.9.8.10] U=CALLER rejected EHLO or HELO x.y.z",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::helo,
     .agent_text = "H=(x.y.z) [10.9.8.10] U=CALLER rejected EHLO or HELO x.y.z"},

    // --- authenticator failures: mechanism from the authenticator's name, "(set_id=...)" dropped -----------
    {.name = "auth_dovecot_login",
     // exim-crowdsec.log
     .line = "2022-06-29 16:04:19 dovecot_login authenticator failed for ([1.2.3.5]) [1.2.3.4]:55379: 535 Incorrect "
             "authentication data (set_id=abuse@test.com)",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Incorrect authentication data",
     .mechanism = "LOGIN"},
    {.name = "auth_dovecot_plain",
     // exim-crowdsec.log
     .line = "2022-06-29 16:04:05 dovecot_plain authenticator failed for (mail.test.com) [202.137.142.181]:47807: 535 "
             "Incorrect authentication data (set_id=dave)",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Incorrect authentication data",
     .mechanism = "PLAIN"},
    {.name = "auth_login_millisecond_timestamp",
     // exim-fail2ban.log (timestamp with .345)
     .line =
         "2023-05-30 06:10:13.345 login authenticator failed for millis.example.org [192.0.2.12]:5432: 535 Incorrect "
         "authentication data (set_id=user)",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Incorrect authentication data",
     .mechanism = "LOGIN"},
    {.name = "auth_prompt_plain_with_user",
     // mixed-sshguard.log (the " U=CALLER" before the colon is skipped)
     .line = "1999-03-02 09:44:33 expanded_prompt_plain authenticator failed for (test.host) [10.0.0.1] U=CALLER: 535 "
             "Incorrect authentication data (set_id=userx)",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Incorrect authentication data",
     .mechanism = "PLAIN"},
    {.name = "auth_cancelled_without_set_id",
     // exim-testsuite-mainlog.log
     .line = "1999-03-02 09:44:33 login authenticator failed for H=(test.host) [10.0.0.1] U=CALLER: 501 Authentication "
             "cancelled",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "501 Authentication cancelled",
     .mechanism = "LOGIN"},

    // --- sessions refused or dropped as a whole -------------------------------------------------------------
    {.name = "protocol_synchronization_error",
     // exim-exporter-gvengel.log
     .line = "2020-06-13 13:55:20 SMTP protocol synchronization error (next input sent too soon: pipelining was not "
             "advertised): rejected",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::unknown,
     .agent_text =
         "SMTP protocol synchronization error (next input sent too soon: pipelining was not advertised): rejected"},
    {.name = "protocol_synchronization_error_zone",
     // exim-exporter-gvengel.log
     .line =
         "2020-06-13 17:55:20 +0200 SMTP protocol synchronization error (next input sent too soon: pipelining was not "
         "advertised): rejected",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::unknown,
     .agent_text =
         "SMTP protocol synchronization error (next input sent too soon: pipelining was not advertised): rejected"},
    {.name = "protocol_error_in_auth",
     // mixed-sshguard.log
     .line =
         R"~(2018-06-03 13:16:08 SMTP protocol error in "AUTH LOGIN" H=(mail.example.com) [123.24.161.123] AUTH command used when not advertised: 1 Time(s))~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .agent_text =
         R"~(SMTP protocol error in "AUTH LOGIN" H=(mail.example.com) [123.24.161.123] AUTH command used when not advertised: 1 Time(s))~"},
    {.name = "dropped_too_many_errors",
     // exim-ossec-wazuh.log
     .line =
         R"~(2017-01-24 05:36:23 SMTP call from (000000) [::1]:39480 dropped: too many syntax or protocol errors (last command was "123"))~",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::unknown,
     .agent_text = R"~(dropped: too many syntax or protocol errors (last command was "123"))~"},
    {.name = "dropped_too_many_nonmail_with_pid",
     // exim-fail2ban.log (smtp_in.c TOO_MANY_NONMAIL_CMD answers "554 Too many nonmail commands": permanent)
     .line =
         R"~(2013-06-02 09:22:05 [19591] SMTP call from pc012-6201.spo.scu.edu.tw [163.14.21.161]:3767 I=[1.2.3.4]:25 dropped: too many nonmail commands (last was "RSET"))~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::unknown,
     .agent_text = R"~(dropped: too many nonmail commands (last was "RSET"))~"},
    {.name = "dropped_by_connect_acl",
     // exim-fail2ban.log
     .line = "2022-04-03 21:53:54 H=[192.0.2.101]:62839 dropped by 'connect' ACL: Country is banned",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .agent_text = "dropped by 'connect' ACL: Country is banned"},

    // --- Exim via syslog --------------------------------------------------------------------------------------
    {.name = "syslog_exim_auth_failure",
     // exim-crowdsec.log
     .line =
         "Jun 29 16:04:19 server exim[1234]: dovecot_login authenticator failed for ([1.2.3.5]) [1.2.3.4]:55379: 535 "
         "Incorrect authentication data (set_id=abuse@test.com)",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Incorrect authentication data",
     .mechanism = "LOGIN"},
    {.name = "syslog_exim_temporarily_rejected_connection",
     // exim-crowdsec.log
     .line =
         R"~(Jun 29 14:33:43 server exim[1234]: H=test.sa.com [1.2.3.4]:18146 temporarily rejected connection in "connect" ACL: "Host is ratelimited (1.9/1h max:1.2)")~",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .agent_text = "Host is ratelimited (1.9/1h max:1.2)"},
    {.name = "syslog_exim4_rejected_rcpt",
     // exim-crowdsec.log line, program renamed to Debian's "exim4"
     .line =
         "Jun 29 14:34:58 server exim4[1234]: H=imfo.test.biz [1.2.3.4]:35328 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 "
         "CV=no F=<jack@test.biz> rejected RCPT <sales@toto.com.au>: No Such User Here",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .agent_text = "No Such User Here"},
    {.name = "syslog_with_embedded_exim_timestamp",
     // exim-fail2ban.log; the sample lacks the syslog timestamp, "Jul 17 23:20:49 " was added in front
     .line =
         "Jul 17 23:20:49 mail.example.com exim[3751842]: 2021-07-17 23:20:49 plain_server authenticator failed for "
         "([192.0.2.17]) [192.0.2.27]: 535 Incorrect authentication data",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Incorrect authentication data",
     .mechanism = "PLAIN"},
    {.name = "syslog_with_embedded_timestamp_and_message_id",
     // exim-exporter-gvengel.log line behind a syslog header (Exim with syslog_timestamp=true)
     .line =
         R"~(Jun 19 06:26:02 mail exim4[2345]: 2020-06-19 06:26:02 1jmH1s-000AVD-5t => dave@foo.corp R=dnslookup T=remote_smtp H=mail.foo.corp [1.1.1.1] C="250 2.0.0 Ok: queued")~",
     .status = Status::sent,
     .direction = Direction::outbound,
     .stage = Stage::unknown,
     .reply = "250 2.0.0 Ok: queued",
     .remote_host = "mail.foo.corp"},

    // --- forms read from Exim's sources (src/src/deliver.c, verify.c, smtp_in.c, daemon.c, receive.c,
    // transports/smtp.c, tls-*.c); lines from its test suite (test/log, test/msglog at the mirrored commit) -------
    {.name = "cutthrough_delivery",
     // test/log/5400 (">>": delivered during the SMTP session, verify.c cutthrough_finaldot)
     .line =
         R"~(1999-03-02 09:44:33 10HmaX-000000005vi-0000 >> userx@domain.com P=<CALLER@myhost.test.ex> R=all T=smtp H=127.0.0.1 [127.0.0.1] C="250 OK")~",
     .status = Status::sent,
     .direction = Direction::outbound,
     .reply = "250 OK",
     .remote_host = "127.0.0.1"},
    {.name = "confirmation_with_escaped_quote_and_delivery_time",
     // deliver.c delivery_log: '"' in C= is written '\"', DT= follows; shape of exim-exporter-gvengel.log
     .line =
         R"~(2020-06-19 06:26:02 1jmH1s-000AVD-5t => dave@foo.corp R=dnslookup T=remote_smtp H=mail.foo.corp [1.1.1.1] C="250 2.0.0 Ok: queued as \"A1B2\"" QT=1s DT=0.4s)~",
     .status = Status::sent,
     .direction = Direction::outbound,
     .reply = R"~(250 2.0.0 Ok: queued as \"A1B2\")~",
     .remote_host = "mail.foo.corp"},
    {.name = "blackhole_is_local",
     // test/log/0001-style ":blackhole:" redirect, no transport
     .line = "1999-03-02 09:44:33 10HmaY-000000005vi-0000 => :blackhole: <CALLER@test.ex> R=null",
     .status = Status::sent,
     .direction = Direction::local,
     .agent_text = "delivered"},
    {.name = "failure_with_delivery_time_after_message",
     // deliver.c failure_log: " : <message>" then " DT=<time>" (log_selector +deliver_time)
     .line = "1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** userx@test.ex R=all T=smtp H=127.0.0.1 [127.0.0.1] : "
             "SMTP error from remote mail server after RCPT TO:<userx@test.ex>: 550 Unknown user DT=0s",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::rcpt,
     .reply = "550 Unknown user",
     .remote_host = "127.0.0.1"},
    {.name = "prdr_error_after_data",
     // exim-testsuite-mainlog.log (transports/smtp.c: "PRDR error after DATA: ...", a per-recipient reply)
     .line = "1999-03-02 09:44:33 10HmbA-000000005vi-0000 ** userq@test.ex R=r0 T=t1 H=127.0.0.1 [127.0.0.1] : PRDR "
             "error after DATA: 550 second rcpt does not like content",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::end_of_data,
     .reply = "550 second rcpt does not like content",
     .remote_host = "127.0.0.1"},
    {.name = "bounce_without_router_has_unknown_direction",
     // exim-exporter-gvengel.log (nothing on the line says where the mail was going)
     .line = "2020-06-19 04:54:02 1jmFYj-00039V-QX ** bob@null.corp: retry timeout exceeded",
     .status = Status::bounced,
     .direction = Direction::unknown,
     .agent_text = "retry timeout exceeded"},
    {.name = "site_named_router_has_unknown_direction",
     // exim-testsuite-mainlog.log (a redirect router's :fail:)
     .line = "1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** unknown@test.ex <forwarder@test.ex> R=unknown : Address "
             "unknown (:fail:)",
     .status = Status::bounced,
     .direction = Direction::unknown,
     .agent_text = "Address unknown (:fail:)"},
    {.name = "host_lookup_deferral_is_outbound",
     // exim-testsuite-mainlog.log
     .line = "1999-03-02 09:44:33 10HmaY-000000005vi-0000 == delay@test.again.dns R=r2 defer (-1): host lookup did not "
             "complete",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .agent_text = "host lookup did not complete"},
    {.name = "all_hosts_failing_is_outbound",
     // exim-testsuite-mainlog.log (transport named t1, but only remote hosts fail)
     .line = "1999-03-02 09:44:33 10HmbA-000000005vi-0000 ** userx@test.ex R=r1 T=t1 : all hosts for 'test.ex' have "
             "been failing for a long time (and retry time not reached)",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .agent_text = "all hosts for 'test.ex' have been failing for a long time (and retry time not reached)"},
    {.name = "client_authenticator_failed",
     // exim-testsuite-mainlog.log (transports/smtp.c: our client's AUTH refused by the remote server)
     .line = "1999-03-02 09:44:33 10HmaY-000000005vi-0000 spa authenticator failed H=127.0.0.1 [127.0.0.1] 535 "
             "Incorrect authentication data",
     .direction = Direction::outbound,
     .stage = Stage::auth,
     .reply = "535 Incorrect authentication data",
     .remote_host = "127.0.0.1"},
    {.name = "client_authenticator_failed_without_code",
     // transports/smtp.c format with a reply that has no code (a broken server)
     .line = "1999-03-02 09:44:33 10HmaY-000000005vi-0000 plain authenticator failed H=mx.example.net [192.0.2.7] "
             "Authentication failed",
     .direction = Direction::outbound,
     .stage = Stage::auth,
     .agent_text = "plain authenticator failed H=mx.example.net [192.0.2.7] Authentication failed",
     .remote_host = "mx.example.net"},
    {.name = "cutthrough_temporary_reject_after_data",
     // exim-testsuite-mainlog.log (verify.c: the target's 4xx passed on to the client)
     .line =
         R"~(1999-03-02 09:44:33 10HmbA-000000005vi-0000 U=CALLER usere@domain.com F=<CALLER@myhost.test.ex> P=<CALLER@myhost.test.ex> tmp-reject from cutthrough after DATA: R=all T=smtp H=127.0.0.1 [127.0.0.1] C="459 content reject")~",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .reply = "459 content reject"},
    {.name = "cutthrough_reject_after_data",
     // verify.c cutthrough_finaldot: delivery_log(..., "rejected after DATA:") for a 5xx, same shape as above
     .line =
         R"~(1999-03-02 09:44:33 10HmbA-000000005vi-0000 H=(tester) [127.0.0.1] userf@domain.com F=<CALLER@myhost.test.ex> rejected after DATA: R=all T=smtp H=127.0.0.1 [127.0.0.1] C="550 content rejected")~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .reply = "550 content rejected"},
    {.name = "callout_reply_quoted_in_reject",
     // exim-testsuite-mainlog.log (verify.c: a recipient callout's refusal, quoted in our reject)
     .line = "1999-03-02 09:44:33 H=(test) [V4NET.0.0.3] U=root F=<uncheckable@localhost1> rejected RCPT "
             "<z@remote.domain>: 127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after RCPT "
             "TO:<z@remote.domain>: 550 Recipient not liked",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "550 Recipient not liked"},
    {.name = "too_many_messages_in_one_connection",
     // exim-testsuite-mainlog.log (smtp_in.c answers "421 too many messages in this connection")
     .line = "1999-03-02 09:44:33 rejected MAIL command U=CALLER: too many messages in one connection",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .agent_text = "rejected MAIL command U=CALLER: too many messages in one connection"},
    {.name = "temporarily_refused_connection",
     // smtp_in.c (answered "421 <host>: Too many concurrent SMTP connections; please try again later")
     .line = "1999-03-02 09:44:33 temporarily refused connection from [127.0.0.1]: not in reserve list: connected=1 "
             "max=1 reserve=0",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "421 Too many concurrent SMTP connections; please try again later"},
    {.name = "temporarily_refused_connection_for_load",
     // smtp_in.c (answered "421 <host>: Too much load; please try again later")
     .line =
         "1999-03-02 09:44:33 temporarily refused connection from [127.0.0.1]: not in reserve list and load average "
         "= 12.50",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "421 Too much load; please try again later"},
    {.name = "smtp_command_timeout",
     // exim-testsuite-mainlog.log (smtp_in.c smtp_command_timeout_exit(): "421 <host>: SMTP command timeout - closing
     // connection")
     .line = "1999-03-02 09:44:33 SMTP command timeout on TLS connection from [127.0.0.1] D=qqs",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .reply = "421 SMTP command timeout - closing connection"},
    {.name = "smtp_data_timeout",
     // exim-testsuite-mainlog.log (smtp_in.c smtp_data_timeout_exit(), receive.c receive_bomb_out(): "421 <host> SMTP
     // incoming data timeout - closing connection.")
     .line = "1999-03-02 09:44:33 10HmbC-000000005vi-0000 SMTP data timeout (message abandoned) on connection from "
             "(tester) [127.0.0.1] F=<someone4@some.domain> D=qqs",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::data,
     .reply = "421 SMTP incoming data timeout - closing connection."},
    {.name = "lost_while_reading_message_data",
     // exim-testsuite-mainlog.log (receive.c: "421 Lost incoming connection")
     .line = "1999-03-02 09:44:33 10HmbD-000000005vi-0000 SMTP connection from (tester) [127.0.0.1] lost while "
             "reading message data",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::data,
     .agent_text = "SMTP connection from (tester) [127.0.0.1] lost while reading message data"},
    {.name = "unexpected_disconnection",
     // exim-testsuite-mainlog.log (smtp_in.c: "421 <host> lost input connection")
     .line = "1999-03-02 09:44:33 unexpected disconnection while reading SMTP command from (test) [127.0.0.1] D=qqs",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .agent_text = "unexpected disconnection while reading SMTP command from (test) [127.0.0.1] D=qqs"},
    {.name = "connection_refused_too_many",
     // daemon.c ("421 Too many concurrent SMTP connections; please try again later.")
     .line = "2024-03-02 09:44:33 Connection from [192.0.2.9]:51234 refused: too many connections",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "421 Too many concurrent SMTP connections; please try again later."},
    {.name = "connection_refused_too_many_from_that_address",
     // daemon.c ("421 Too many concurrent SMTP connections from this IP address; please try again later.")
     .line = "2024-03-02 09:44:33 Connection from [192.0.2.9]:51234 refused: too many connections from that IP address",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "421 Too many concurrent SMTP connections from this IP address; please try again later."},
    {.name = "connection_refused_load_average",
     // daemon.c ("421 Too much load; please try again later.")
     .line = "2024-03-02 09:44:33 Connection from [192.0.2.9] refused: load average = 12.50",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .reply = "421 Too much load; please try again later."},
    {.name = "smtp_syntax_error",
     // exim-testsuite-mainlog.log (smtp_in.c synprot_error: answered 501)
     .line = "1999-03-02 09:44:33 SMTP syntax error in \"auth a%b\" U=CALLER invalid character in authentication "
             "mechanism name",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::auth,  // the command as the client typed it, lowercase: SMTP verbs are case-insensitive
     .agent_text = "SMTP syntax error in \"auth a%b\" U=CALLER invalid character in authentication mechanism name"},
    {.name = "lmtp_reply_in_older_wording_stays_local",
     // exim-testsuite-mainlog.log (an LMTP transport's refusal, "SMTP error from remote mailer" without H= in the
     // message is not a remote server)
     .line = "1999-03-02 09:44:33 10HmbC-000000005vi-0000 ** userx@myhost.test.ex F=<CALLER@myhost.test.ex> "
             "R=smartuser T=lmtp H=127.0.0.1 [127.0.0.1] : SMTP error from remote mailer after RCPT "
             "TO:<userx@myhost.test.ex>: "
             "550 Receiver BAD",
     .status = Status::bounced,
     .direction = Direction::local,
     .stage = Stage::rcpt,
     .reply = "550 Receiver BAD",
     .remote_host = "127.0.0.1"},
    {.name = "remote_error_without_host_is_outbound",
     // exim-testsuite-mainlog.log (older wording: the host named inside the message, transport t1)
     .line = "1999-03-02 09:44:33 10HmaY-0005vi-00 == ok@no.delay R=r1 T=t1 defer (-45): SMTP error from remote mail "
             "server after MAIL FROM:<CALLER@test.ex> SIZE=1325: host 127.0.0.1 [127.0.0.1]: 421 myhost.test.ex: SMTP "
             "command timeout - closing connection",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::mail,
     .reply = "421 myhost.test.ex: SMTP command timeout - closing connection",
     .remote_host = "127.0.0.1"},
    {.name = "tls_error_on_incoming_connection",
     // exim-testsuite-mainlog.log (smtp_in.c: after a failed handshake every command gets "554 Security failure")
     .line = "1999-03-02 09:44:33 TLS error on connection from (rhu7.barb) [ip4.ip4.ip4.ip4] (certificate "
             "verification failed): certificate revoked",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::starttls,
     .agent_text = "TLS error on connection from (rhu7.barb) [ip4.ip4.ip4.ip4] (certificate verification failed): "
                   "certificate revoked"},

    // --- forms of the spec's chapter "Log files" (doc/doc-docbook/spec.xfpt: "Log line flags", "Reducing or
    // increasing what is logged") and of smtp_in.c, receive.c, tls-*.c, transports/smtp.c at Exim/exim@13835a3c;
    // lines from its test suite (test/log, in exim-testsuite-mainlog.log) ------------------------------------------
    {.name = "too_many_recipients_message_rejected",
     // smtp_in.c: past recipients_max with recipients_max_reject set, "552 too many recipients" and
     // log_write(..., "too many recipients: message rejected: sender=<%s> %s", ...); shaped as the test suite's
     // "too many recipients: excess temporarily rejected: sender=<x@y> U=CALLER" (exim-testsuite-mainlog.log)
     .line = "1999-03-02 09:44:33 too many recipients: message rejected: sender=<x@y> U=CALLER",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .agent_text = "too many recipients: message rejected: sender=<x@y> U=CALLER"},
    {.name = "dropped_too_many_nonmail_is_permanent",
     // exim-testsuite-mainlog.log (smtp_in.c: "554 Too many nonmail commands")
     .line = R"~(1999-03-02 09:44:33 SMTP call from CALLER dropped: too many nonmail commands (last was "rset"))~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .agent_text = R"~(dropped: too many nonmail commands (last was "rset"))~"},
    {.name = "prdr_refusal_of_one_recipient",
     // exim-testsuite-mainlog.log (test/log/4550; receive.c: the data_prdr ACL's deny, sent to the client as "550
     // PRDR R=<a> refusal" for that recipient after the data)
     .line = "1999-03-02 09:44:33 10HmaY-000000005vi-0000 PRDR R=<userz@test.ex> refusal",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .agent_text = "PRDR R=<userz@test.ex> refusal"},
    {.name = "prdr_temporary_refusal_of_one_recipient",
     // exim-testsuite-mainlog.log (receive.c: DEFER, "450 PRDR R=<a> temporary refusal")
     .line = "1999-03-02 09:44:33 10HmaY-000000005vi-0000 PRDR R=<usery@test.ex> temporary refusal",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .agent_text = "PRDR R=<usery@test.ex> temporary refusal"},
    {.name = "fakereject_arrival",
     // exim-testsuite-mainlog.log (test/log/0555; spec "Log line flags": "(=" message fakereject; receive.c writes
     // "(= " when control=fakereject answered the client 550 after the data)
     .line = "1999-03-02 09:44:33 10HmbC-000000005vi-0000 (= b2@dump.ex H=localhost (myhost.test.ex) [127.0.0.1] "
             "P=esmtp S=sss for rmt_fakereject@test.ex",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .agent_text = "(= b2@dump.ex"},
    {.name = "fakereject_arrival_with_message_id_header",
     // exim-testsuite-mainlog.log (-bs input; the Message-ID after id= is the sender's to choose)
     .line = "1999-03-02 09:44:33 10HmaY-000000005vi-0000 (= CALLER@myhost.test.ex U=CALLER P=local-esmtp S=sss "
             "id=41C2F849.3060203@projectile.test.ex",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .agent_text = "(= CALLER@myhost.test.ex"},
    {.name = "tls_handshake_failure_is_temporary",
     // exim-testsuite-mainlog.log (tls-gnu.c tls_server_start: a failed gnutls_handshake closes the connection; no
     // SMTP reply reaches the client)
     .line = "1999-03-02 09:44:33 TLS error on connection from (rhu.barb) [ip4.ip4.ip4.ip4] (gnutls_handshake): The "
             "peer did not send any certificate.",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::starttls,
     .agent_text = "TLS error on connection from (rhu.barb) [ip4.ip4.ip4.ip4] (gnutls_handshake): The peer did not "
                   "send any certificate."},
    {.name = "tls_connection_closed_by_peer_is_temporary",
     // exim-testsuite-mainlog.log (tls-openssl.c: SSL_ERROR_SYSCALL with errno 0)
     .line = "2017-07-30 18:51:05.712 TLS error on connection from [127.0.0.1] (tls lib accept fn): TCP connection "
             "closed by peer",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::starttls,
     .agent_text = "TLS error on connection from [127.0.0.1] (tls lib accept fn): TCP connection closed by peer"},
    {.name = "tls_certificate_refused_with_port",
     // tls-gnu.c "certificate verification failed" after the handshake, then "554 Security failure" (smtp_in.c); the
     // exim-testsuite-mainlog.log line with log_selector +incoming_port and a real address
     .line = "1999-03-02 09:44:33 TLS error on connection from (rhu7.barb) [192.0.2.7]:50123 (certificate "
             "verification failed): certificate revoked",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::starttls,
     .agent_text = "TLS error on connection from (rhu7.barb) [192.0.2.7]:50123 (certificate verification failed): "
                   "certificate revoked"},
    {.name = "synchronization_error_before_greeting",
     // exim-testsuite-mainlog.log (smtp_in.c: "554 SMTP synchronization error" to a client that spoke first)
     .line =
         R"~(1999-03-02 09:44:33 SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[127.0.0.1] input="QUIT\r\n")~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::connect,
     .agent_text =
         R"~(SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[127.0.0.1] input="QUIT\r\n")~"},
    {.name = "synchronization_error_names_command",
     // exim-testsuite-mainlog.log (the command sent too soon, as the client typed it)
     .line =
         R"~(1999-03-02 09:44:33 SMTP protocol synchronization error (next input sent too soon: pipelining was not advertised): rejected "mail from:<userx@test.ex>" H=(abcd) [127.0.0.1] next input="rcpt to<suppressed>)~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .agent_text =
         R"~(SMTP protocol synchronization error (next input sent too soon: pipelining was not advertised): rejected "mail from:<userx@test.ex>" H=(abcd) [127.0.0.1] next input="rcpt to<suppressed>)~"},
    {.name = "protocol_error_lowercase_command",
     // exim-testsuite-mainlog.log (+smtp_protocol_error; smtp_in.c synprot_error, "503 sender not yet given")
     .line = R"~(1999-03-02 09:44:33 SMTP protocol error in "rcpt to:<a@b>" U=CALLER sender not yet given)~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .agent_text = R"~(SMTP protocol error in "rcpt to:<a@b>" U=CALLER sender not yet given)~"},
    {.name = "message_too_big_after_data",
     // exim-testsuite-mainlog.log (receive.c END_SIZE: "rejected from <%s>%s%s%s%s: message too big: ...", answered
     // "552 Message size exceeds maximum permitted" after the data)
     .line = "1999-03-02 09:44:33 10HmaX-000000005vi-0000 rejected from <CALLER@myhost.test.ex> U=CALLER: message too "
             "big: read=225 max=100",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .agent_text = "message too big: read=225 max=100"},
    {.name = "local_scan_reject",
     // exim-testsuite-mainlog.log (receive.c: "%Y %srejected by local_scan(): %.256s" after the data)
     .line = "1999-03-02 09:44:33 10HmaY-0005vi-00 F=test-local-scan@y H=(foobar) [127.0.0.1] P=esmtp rejected by "
             "local_scan(): Administrative prohibition",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .agent_text = "Administrative prohibition"},
    {.name = "local_scan_timeout",
     // exim-testsuite-mainlog.log (receive.c: "451 ... local verification problem" after the data)
     .line = "1999-03-02 09:44:33 10HmbH-0005vi-00 local_scan() function timed out - message temporarily rejected "
             "(size 29)",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::end_of_data,
     .agent_text = "local_scan() function timed out - message temporarily rejected (size 29)"},
    {.name = "outgoing_interface_not_available_is_outbound",
     // exim-testsuite-mainlog.log (EADDRNOTAVAIL binding the smtp transport's interface, which test/runtest writes
     // "Netwk addr not available"; the transport is named t1)
     .line = "1999-03-02 09:44:33 10HmaX-000000005vi-0000 == userx@test.ex R=r1 T=t1 defer (EEE): Netwk addr not "
             "available",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .agent_text = "Netwk addr not available"},
    {.name = "host_address_lookup_failure_is_outbound",
     // exim-testsuite-mainlog.log (transports/smtp.c ERRNO_UNKNOWNHOST; the transport is named "all")
     .line = "1999-03-02 09:44:33 10HmaX-000000005vi-0000 == bad_a@nonexistent.test.ex <bad_A@nonexistent.test.ex> "
             "R=all T=all defer (-32): failed to lookup IP address for nonexistent.test.ex",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .agent_text = "failed to lookup IP address for nonexistent.test.ex"},
    {.name = "lines_too_long_for_smtp_transport_is_outbound",
     // exim-testsuite-mainlog.log (transports/smtp.c; the transport is named send_to_server)
     .line = "2017-07-30 18:51:05.712 10HmaY-000000005vi-0000 ** bad@test.ex F=<CALLER@test.ex> R=smtp_try "
             "T=send_to_server : message has lines too long for transport (received 999, limit 998)",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .agent_text = "message has lines too long for transport (received 999, limit 998)"},
    {.name = "deferral_with_selectors_zone_and_pid",
     // spec "Reducing or increasing what is logged": +pid, log_timezone, +outgoing_port, +incoming_interface (I= on
     // == lines), +dnssec (DS), +deliver_time (DT= after the message, deliver.c); the exim-testsuite-mainlog.log
     // deferral "== ... defer (-44) H=...: SMTP error from remote mail server after RCPT TO:<...>: 451 ..."
     .line = "2026-12-06 10:00:00 +0100 [4711] 1tF3xK-0003Ab-7Q == a@example.net R=dnslookup T=remote_smtp defer (-44) "
             "H=mx.example.net [192.0.2.1]:25 I=[192.0.2.9]:41234 DS: SMTP error from remote mail server after RCPT "
             "TO:<a@example.net>: 451 4.7.1 Greylisted DT=2.1s",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::rcpt,
     .reply = "451 4.7.1 Greylisted",
     .remote_host = "mx.example.net"},
    {.name = "delivery_with_all_optional_fields",
     // spec "Summary of Fields in Log Lines" and the selectors that add them to => lines: +millisec, +pid,
     // +sender_on_delivery F=, +return_path_on_delivery P=, +delivery_size S=, +outgoing_port, "*" for a further
     // message down one connection, I=, X= CV= SNI= DN=, +pipelining L, K (CHUNKING), C=, QT=, DT=
     .line =
         R"~(2026-12-06 10:00:00.123 +0100 [4711] 1tF3xK-0003Ab-7Q => a@example.net F=<s@example.org> P=<s@example.org> R=dnslookup T=remote_smtp S=1234 H=mx.example.net [192.0.2.1]:25* I=[192.0.2.9]:41234 X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes SNI=mx.example.net DN="CN=mx.example.net" L K C="250 2.0.0 OK id=1" QT=3s DT=1.2s)~",
     .status = Status::sent,
     .direction = Direction::outbound,
     .reply = "250 2.0.0 OK id=1",
     .remote_host = "mx.example.net"},

    // --- the message log (spool/msglog/<id>): delivery lines without message id or flag (deliver.c) -----------
    {.name = "msglog_deferral",
     // test/msglog (userx@domain1.com, "defer (dd)" is the test suite's munged errno)
     .line = "1999-03-02 09:44:33 userx@domain1.com R=all T=smtp defer (dd): Connection timed out H=127.0.0.1 "
             "[127.0.0.1]: SMTP timeout after EHLO myhost.test.ex",
     .status = Status::deferred,
     .direction = Direction::outbound,
     .stage = Stage::helo,
     .agent_text = "Connection timed out H=127.0.0.1 [127.0.0.1]: SMTP timeout after EHLO myhost.test.ex",
     .remote_host = "127.0.0.1"},
    {.name = "msglog_local_deferral_mailbox_full",
     // test/msglog
     .line = "1999-03-02 09:44:33 usery@myhost.test.ex R=usery T=appendfile2 defer (-22): mailbox is full (MTA-imposed "
             "quota exceeded while writing to TESTSUITE/test-mail/usery)",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "mailbox is full (MTA-imposed quota exceeded while writing to TESTSUITE/test-mail/usery)"},
    {.name = "msglog_failure_with_remote_reply",
     // test/msglog
     .line = "1999-03-02 09:44:33 fail.transport@test.ex R=fail_transport T=fail H=127.0.0.1 [127.0.0.1] : SMTP error "
             "from remote mail server after RCPT TO:<fail.transport@test.ex>: 550 Recipient refused",
     .status = Status::bounced,
     .direction = Direction::outbound,
     .stage = Stage::rcpt,
     .reply = "550 Recipient refused",
     .remote_host = "127.0.0.1"},
    {.name = "msglog_routing_failed",
     // test/msglog (deliver.c failure_log: "routing failed for" when no router is named)
     .line = "1999-03-02 09:44:33 routing failed for userx@myhost.test.ex : Too many \"Received\" headers - suspected "
             "mail loop",
     .status = Status::bounced,
     .direction = Direction::unknown,
     .agent_text = "Too many \"Received\" headers - suspected mail loop"},
    {.name = "msglog_router_failure",
     // test/msglog
     .line = "1999-03-02 09:44:33 fail.route@unknown.domain R=fail_remote_domains : unrouteable mail domain "
             "\"unknown.domain\"",
     .status = Status::bounced,
     .direction = Direction::unknown,
     .agent_text = "unrouteable mail domain \"unknown.domain\""},
    {.name = "msglog_transport_succeeded",
     // test/msglog (deliver.c: "<addr> <parent>: <transport> transport succeeded")
     .line = "1999-03-02 09:44:33 acopy@test.ex <acopy@test.ex>: appendfile transport succeeded",
     .status = Status::sent,
     .direction = Direction::local,
     .agent_text = "delivered"},
    {.name = "msglog_smtp_transport_succeeded",
     // deliver.c, the same line for a remote transport (test/msglog shape "ok@no.delay: t1 transport succeeded")
     .line = "1999-03-02 09:44:33 ok@example.net: remote_smtp transport succeeded",
     .status = Status::sent,
     .direction = Direction::outbound,
     .agent_text = "delivered"},
};

INSTANTIATE_TEST_SUITE_P(Lines, EximEventTest, ::testing::ValuesIn(kEventCases), test::CaseName());

// --- replies to a callout or to one host of several: no decision yet (status none) ----------------------------

struct HostReplyCase {
  const char* name;
  std::string_view line;
  Stage stage;
  std::string_view reply;
};

void PrintTo(const HostReplyCase& c, std::ostream* os) { *os << c.name; }

class EximHostReplyTest : public ::testing::TestWithParam<HostReplyCase> {};

// With a message id, "H=host [ip]: SMTP error ..." is Exim's host-level copy of the reply that the
// message's ==/** lines carry per recipient (seen with the real exim4 in tests/integration): an attempt, described
// but not counted twice. Without a message id (a callout during an SMTP session) it is the only record of the reply.
TEST_P(EximHostReplyTest, HostLevelCopiesAreAttemptsCalloutsCounted) {
  const HostReplyCase& c = GetParam();
  SmtpEvent event;
  ASSERT_EQ(parse_log_line(c.line, event), ParseOutcome::attempt) << c.line;
  EXPECT_EQ(event.direction, Direction::outbound);
  EXPECT_EQ(event.stage, c.stage);
  EXPECT_EQ(event.reply, c.reply);
  EXPECT_EQ(event.implied_class, 4);
  std::string without_id(c.line);
  const std::size_t id = without_id.find("10Hm");
  ASSERT_NE(id, std::string::npos);
  without_id.erase(id, without_id.find(' ', id) + 1 - id);
  ASSERT_EQ(parse_log_line(without_id, event), ParseOutcome::event) << without_id;
  EXPECT_EQ(event.mta, Mta::exim);
  EXPECT_EQ(event.status, Status::none);
  EXPECT_EQ(event.direction, Direction::outbound);
  EXPECT_EQ(event.stage, c.stage);
  EXPECT_EQ(event.reply, c.reply);
  EXPECT_EQ(event.agent_text, "");
}

const HostReplyCase kHostReplies[] = {
    {"initial_connection",
     // exim-testsuite-mainlog.log
     "1999-03-02 09:44:33 10HmaX-000000005vi-0000 H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after "
     "initial connection: 451 Temporary local problem - please try later",
     Stage::connect, "451 Temporary local problem - please try later"},
    {"helo",
     // exim-testsuite-mainlog.log
     "1999-03-02 09:44:33 10HmaX-000000005vi-0000 H=localhost4.test.ex [127.0.0.1]: SMTP error from remote mail "
     "server after HELO the.local.host.name: 450 I'm busy",
     Stage::helo, "450 I'm busy"},
    {"starttls",
     // exim-testsuite-mainlog.log
     "1999-03-02 09:44:33 10HmaX-000000005vi-0000 H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after "
     "STARTTLS: 450 temp problem",
     Stage::starttls, "450 temp problem"},
    {"rcpt_without_colon_after_host",
     // exim-testsuite-mainlog.log
     "1999-03-02 09:44:33 10HmaX-000000005vi-0000 H=127.0.0.1 [127.0.0.1] SMTP error from remote mail server after "
     "RCPT TO:<usery@myhost.test.ex>: 451 Temporary local problem - please try later",
     Stage::rcpt, "451 Temporary local problem - please try later"},
    {"pipelined_end_of_data_millisecond_timestamp",
     // exim-testsuite-mainlog.log
     "2017-07-30 18:51:05.712 10HmaZ-000000005vi-0000 H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server "
     "after pipelined end of data: 451 Service not available",
     Stage::end_of_data, "451 Service not available"},
};

INSTANTIATE_TEST_SUITE_P(Lines, EximHostReplyTest, ::testing::ValuesIn(kHostReplies), test::CaseName());

// --- lines without an SMTP outcome ------------------------------------------------------------------------------

class EximIgnoredTest : public ::testing::TestWithParam<IgnoredCase> {};

TEST_P(EximIgnoredTest, IgnoresLine) {
  SmtpEvent event;
  EXPECT_EQ(parse_log_line(GetParam().line, event), ParseOutcome::ignored) << GetParam().line;
}

const IgnoredCase kIgnored[] = {
    // exim-exporter-gvengel.log
    {"arrival_with_pid",
     "2020-06-19 04:51:49 [123] 1jmFYj-00039V-QX <= noreply@test.corp H=(test.corp) [2.2.2.2] "
     "P=smtp S=7386"},
    // exim-exporter-gvengel.log
    {"bounce_arrival",
     "2020-06-20 03:32:57 +0200 1jmKsr-00040h-1G <= <> R=1jmKso-0009d4-Uf U=Debian-exim P=local "
     "S=9521"},
    // exim-exporter-gvengel.log
    {"completed_with_pid", "2020-06-19 04:54:02 [456] 1jmFYj-00039V-QX Completed"},
    // exim-testsuite-mainlog.log
    {"suppressed_delivery", "1999-03-02 09:44:33 10HmaY-000000005vi-0000 *> accept <accept@y> R=accept T=appendfile"},
    // exim-exporter-gvengel.log
    {"dkim_signing_failed", "2020-05-26 15:01:40 +0200 1jdghf-00034W-No DKIM: signing failed: RSA_LONG_LINE"},
    // exim-ossec-wazuh.log
    {"smtp_connection", "2017-01-24 03:09:46 SMTP connection from [10.101.1.10]:55010 (TCP/IP connection count = 1)"},
    // test/log/0001 ("*>": delivery suppressed by -N, nothing sent; deliver.c)
    {"suppressed_delivery_with_confirmation",
     R"~(1999-03-02 09:44:33 10HmaX-000000005vi-0000 *> a@test.ex P=<a@aa> R=r1 T=t1 H=127.0.0.1 [127.0.0.1] C="delivery bypassed by -N option")~"},
    // exim-testsuite-mainlog.log (a bracketed address is no pid: not a "->" delivery)
    {"bracketed_address_before_arrow", "1999-03-02 09:44:33 [127.0.0.1] -> 'TESTSUITE/aux-fixed/4040/acme-response'"},
    // exim-testsuite-mainlog.log (after the final dot the message is taken; the connection loss changes nothing)
    {"connection_lost_after_final_dot",
     "1999-03-02 09:44:33 10HmaX-000000005vi-0000 SMTP connection lost after final dot H=(abcd) [127.0.0.1] P=esmtp"},
    // test/msglog lines without an outcome
    {"msglog_children_complete", "1999-03-02 09:44:33 acopy@test.ex: children all complete"},
    {"msglog_received", "1999-03-02 09:44:33 Received from CALLER@test.ex U=CALLER P=local S=sss"},
    {"msglog_frozen", "1999-03-02 09:44:33 frozen by ACL"},
    // exim-testsuite-mainlog.log (receive.c: the data_prdr ACL accepted this recipient, "250 PRDR R=<a> acceptance")
    {"prdr_acceptance", "1999-03-02 09:44:33 10HmaY-000000005vi-0000 PRDR R=<okuser@test.ex> acceptance"},
    // spec "Other log entries" and log_selector skip_delivery: no delivery was attempted, no server answered
    {"spool_file_locked",
     "1999-03-02 09:44:33 10HmaX-000000005vi-0000 Spool file is locked (another process is "
     "handling this message)"},
    // exim-testsuite-mainlog.log
    {"message_is_frozen", "1999-03-02 09:44:33 10HmbA-000000005vi-0000 Message is frozen"},
    {"unfrozen_by_forced_delivery", "1999-03-02 09:44:33 10HmbA-000000005vi-0000 Unfrozen by forced delivery"},
    {"frozen_bounce", "1999-03-02 09:44:33 10HmbA-000000005vi-0000 Frozen (delivery error message)"},
    // exim-testsuite-mainlog.log ("error ignored" follows the ** line of a failure that is discarded)
    {"error_ignored", "1999-03-02 09:44:33 10HmbA-000000005vi-0000 b@known.ex: error ignored"},
    // a recipient whose quoted local part holds a verdict: the verdict is the line's last word
    {"prdr_acceptance_of_hostile_address",
     R"~(1999-03-02 09:44:33 10HmaY-000000005vi-0000 PRDR R=<"a> refusal"@example.net> acceptance)~"},
    // spec "Log files" (log_timezone example)
    {"queue_run_start_with_zone", "2003-04-25 11:17:07 +0100 Start queue run: pid=12762"},
};

INSTANTIATE_TEST_SUITE_P(Lines, EximIgnoredTest, ::testing::ValuesIn(kIgnored), test::CaseName());

// --- program names and the log-line shape -------------------------------------------------------------------------

TEST(EximProgram, ClaimsEximAndExim4Only) {
  EXPECT_TRUE(is_exim_program("exim"));
  EXPECT_TRUE(is_exim_program("exim4"));
  EXPECT_FALSE(is_exim_program("postfix/smtpd"));
  EXPECT_FALSE(is_exim_program("eximstats"));
  EXPECT_FALSE(is_exim_program("sm-mta"));
}

TEST(EximLogLine, RecognisesTimestampVariants) {
  // exim-exporter-gvengel.log, exim-fail2ban.log
  EXPECT_TRUE(is_exim_log_line("2020-06-19 04:54:02 1jmFYj-00039V-QX ** bob@null.corp: retry timeout exceeded"));
  EXPECT_TRUE(is_exim_log_line("2020-06-13 17:55:20 +0200 SMTP protocol synchronization error"));
  EXPECT_TRUE(is_exim_log_line("2023-05-30 06:10:13.345 login authenticator failed for millis.example.org"));
  // postfix-pixelpark-2023-03-15.log (RFC 3339 syslog, not Exim's format)
  EXPECT_FALSE(is_exim_log_line("2023-03-16T02:27:29.827273+01:00 helga postfix/smtp[505058]: 4PcV4K5FPLz3tBr: "));
  // exim-crowdsec.log
  EXPECT_FALSE(is_exim_log_line("Jun 29 16:04:19 server exim[1234]: dovecot_login authenticator failed"));
  EXPECT_FALSE(is_exim_log_line("2020-06-19"));
}

TEST(EximLogLine, RecognisesALineQuotedWithoutItsDate) {
  // A message id and a flag of Exim's "Log line flags" (spec.xfpt), as bug reports quote a line.
  EXPECT_TRUE(is_exim_log_line("1raAO7-0094KF-7u ** rudy@foo.corp R=dnslookup T=remote_smtp: retry timeout exceeded"));
  EXPECT_TRUE(
      is_exim_log_line("1rZTNF-00000000Z3E-2mXo == a@b.example R=dnslookup defer (-53): retry time not reached"));
  EXPECT_TRUE(is_exim_log_line("1raAO7-0094KF-7u => a@b.example R=dnslookup T=remote_smtp H=mx.b.example [192.0.2.1]"));
  EXPECT_TRUE(is_exim_log_line("1raAO7-0094KF-7u (= a@b.example U=x P=local S=300"));
  // An id without a flag, or a flag after another word, is not enough.
  EXPECT_FALSE(is_exim_log_line("1raAO7-0094KF-7u Completed"));
  EXPECT_FALSE(is_exim_log_line("1raAO7-0094KF-7u H=mx [192.0.2.1] SMTP error from remote mail server"));
  EXPECT_FALSE(is_exim_log_line("D3F5A1A0F8: ** a@b.example"));
  EXPECT_FALSE(is_exim_log_line("1raAO7-0094KF-7u **"));
  // Words with dashes where an id's are, before a flag-like token, are no id (6-6-2 or 6-11-4 only).
  EXPECT_FALSE(is_exim_log_line("server-side-ok => 550 5.7.1 rejected"));
  EXPECT_FALSE(is_exim_log_line("worker-pool-ab -> 451 4.3.0 try later"));
  EXPECT_FALSE(is_exim_log_line("1raAO7-0094KF-7uX ** a@b.example: retry timeout exceeded"));

  SmtpEvent event;
  ASSERT_EQ(parse_log_line("1raAO7-0094KF-7u ** a@b.example R=dnslookup T=remote_smtp H=mx.b.example [192.0.2.1]: "
                           "SMTP error from remote mail server after RCPT TO:<a@b.example>: 550 5.1.1 User unknown",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.mta, Mta::exim);
  EXPECT_EQ(event.direction, Direction::outbound);
  EXPECT_EQ(event.status, Status::bounced);
  EXPECT_EQ(event.reply, "550 5.1.1 User unknown");
}

TEST(EximLogLine, ParseEximLogLineMatchesDispatch) {
  // exim-exporter-gvengel.log
  constexpr std::string_view line =
      "2020-06-24 00:13:06 1raAO7-0094KF-7u ** rudy@foo.corp R=dnslookup T=remote_smtp H=(relay.test.corp) [4.4.4.4]: "
      "SMTP error from remote mail server after RCPT TO:<rudy@test.corp>: 540 5.7.1 <rudy@test.corp>: recipient "
      "address rejected: Blocked";
  SmtpEvent direct;
  SmtpEvent dispatched;
  ASSERT_EQ(parse_exim_log_line(line, direct), ParseOutcome::event);
  ASSERT_EQ(parse_log_line(line, dispatched), ParseOutcome::event);
  EXPECT_EQ(direct.reply, "540 5.7.1 <rudy@test.corp>: recipient address rejected: Blocked");
  EXPECT_EQ(direct.stage, Stage::rcpt);
  EXPECT_EQ(dispatched.reply, direct.reply);
  EXPECT_EQ(dispatched.status, Status::bounced);
}

TEST(EximRecord, ParsesMessageOfSyslogRecord) {
  // exim-crowdsec.log, message part of "May 30 06:10:14 server exim[1234]: ..."
  SyslogRecord record;
  record.program = "exim";
  record.message =
      "login authenticator failed for no-port.example.org [192.0.2.13]: 535 Incorrect authentication data "
      "(set_id=user)";
  SmtpEvent event;
  ASSERT_EQ(parse_exim(record, event), ParseOutcome::event);
  EXPECT_EQ(event.status, Status::auth_failed);
  EXPECT_EQ(event.mechanism, "LOGIN");
  EXPECT_EQ(event.reply, "535 Incorrect authentication data");
}

TEST(EximRecord, ResetsEventBetweenLines) {
  SmtpEvent event;
  // exim-exporter-gvengel.log
  ASSERT_EQ(
      parse_log_line(
          R"~(2020-06-19 06:26:02 1jmH1s-000AVD-5t => dave@foo.corp R=dnslookup T=remote_smtp H=mail.foo.corp [1.1.1.1] C="250 2.0.0 Ok: queued")~",
          event),
      ParseOutcome::event);
  // exim-logstash-patterns-core.log
  ASSERT_EQ(parse_log_line("2020-02-11 17:09:47 1j1Z2g-00Faoy-Uh ** admin@example.net R=virtual_aliases: No such "
                           "person at this address.",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.reply, "");
  EXPECT_EQ(event.remote_host, "");
  EXPECT_EQ(event.status, Status::bounced);
}

// --- multi-line replies reach the classifier joined ----------------------------------------------------------------

TEST(EximMultiLineReply, ClassifierSeesGmailDmarcLinesJoined) {
  // Gmail's DMARC rejection from smtp-replies-sisimai-bounce-bodies.txt (line 43), with its lines separated by
  // the literal "\n" Exim writes between the lines of a multi-line reply (as in exim-testsuite-mainlog.log
  // "LMTP error after DATA: 550-I don't like this user\n550 Bad user"); the rest of the line is the "** molly@..."
  // line of exim-exporter-gvengel.log with the address and host changed to Gmail.
  constexpr std::string_view line =
      R"~(2020-06-19 10:32:57 1jmKso-0009d4-Uf ** molly@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [64.233.189.27] X=TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256 CV=yes: SMTP error from remote mail server after end of data: 550-5.7.26 Unauthenticated email from libsisimai.org is not accepted due to\n550-5.7.26 domain's DMARC policy. Please contact the administrator of\n550-5.7.26 libsisimai.org domain if this was a legitimate mail. Please visit\n550-5.7.26  https://support.google.com/mail/answer/2451690 to learn about the\n550 5.7.26 DMARC initiative. z2si1584129pfn.61 - gsmtp)~";
  SmtpEvent event;
  ASSERT_EQ(parse_log_line(line, event), ParseOutcome::event);
  EXPECT_EQ(event.status, Status::bounced);
  EXPECT_EQ(event.stage, Stage::end_of_data);
  EXPECT_EQ(event.remote_host, "gmail-smtp-in.l.google.com");
  ASSERT_TRUE(event.reply.starts_with("550-5.7.26 Unauthenticated email"));
  ASSERT_NE(event.reply.find(R"~(\n550-5.7.26)~"), std::string_view::npos);

  Classifier classifier;
  const Verdict verdict = classifier.classify(event);
  EXPECT_EQ(verdict.cause, Cause::dmarc);
  EXPECT_EQ(verdict.klass, 5);
  EXPECT_EQ(verdict.basic, 550);
  const std::string exim_text(classifier.normalized_text());
  EXPECT_EQ(exim_text.find('\\'), std::string::npos) << exim_text;
  EXPECT_EQ(exim_text.find("550-5.7.26"), std::string::npos) << exim_text;
  EXPECT_NE(exim_text.find("is not accepted due to domain's dmarc policy"), std::string::npos) << exim_text;

  // The same reply as Postfix logs it (lines joined by spaces) normalizes to the same text.
  SmtpEvent joined = event;
  joined.reply =
      "550-5.7.26 Unauthenticated email from libsisimai.org is not accepted due to 550-5.7.26 domain's DMARC policy. "
      "Please contact the administrator of 550-5.7.26 libsisimai.org domain if this was a legitimate mail. Please "
      "visit 550-5.7.26  https://support.google.com/mail/answer/2451690 to learn about the 550 5.7.26 DMARC "
      "initiative. z2si1584129pfn.61 - gsmtp";
  const Verdict joined_verdict = classifier.classify(joined);
  EXPECT_EQ(joined_verdict.cause, Cause::dmarc);
  EXPECT_EQ(std::string(classifier.normalized_text()), exim_text);
}

// --- bugs ------------------------------------------------------------------------------------------------------------

// Regression (exim.cpp, parse_session_refusal, fixed): for "SMTP protocol error in " at the very end of the message the
// parser calls text.substr(pos + marker.size() + 1), one past the end, and std::string_view::substr throws
// std::out_of_range. In `serve` the exception ends the whole log source ("source stopped"). The line is
// mixed-sshguard.log's "SMTP protocol error in "AUTH LOGIN" ..." cut after "in " (as a line cut at
// max_line_length or a truncated syslog message can be).
TEST(EximBug, ProtocolErrorAtEndOfLineDoesNotThrow) {
  SmtpEvent event;
  ParseOutcome outcome = ParseOutcome::ignored;
  EXPECT_NO_THROW(outcome = parse_log_line("2018-06-03 13:16:08 SMTP protocol error in ", event));
  EXPECT_EQ(outcome, ParseOutcome::event);
  EXPECT_EQ(event.status, Status::rejected);
  EXPECT_NO_THROW(parse_log_line("Jun  3 13:16:08 mail exim[1234]: SMTP protocol error in ", event));
}

// Regression (exim.cpp, read_failure_text / delivery_direction, fixed): Exim releases before 4.9x, and the production
// log exim-ddgrey-mainlog.log (2020), write the remote host inside the message ("SMTP error from remote mail server
// after end of data: host mta5.am0.yahoodns.net [67.195.204.72]: 554 ...") instead of as H=. The parser keeps
// "host ... [ip]: " in the reply (so basic_code(reply) is 0 and the 554 is lost), leaves remote_host empty and,
// without H=, calls the delivery local. read_bare_reply() already strips this prefix for the same text.
TEST(EximBug, HostInsideMessageIsNotPartOfReply) {
  struct Case {
    std::string_view line;
    Status status;
    Stage stage;
    std::string_view reply;
    std::string_view host;
  };
  const Case cases[] = {
      // exim-ddgrey-mainlog.log
      {"2020-02-22 07:09:24 1j5NyY-0004Xp-NZ ** ronnienorcross@yahoo.com R=dnslookup T=remote_smtp: SMTP error from "
       "remote mail server after end of data: host mta5.am0.yahoodns.net [67.195.204.72]: 554 delivery error: dd This "
       "user doesn't have a yahoo.com account (ronnienorcross@yahoo.com) [-9] - mta4420.mail.bf1.yahoo.com",
       Status::bounced, Stage::end_of_data,
       "554 delivery error: dd This user doesn't have a yahoo.com account (ronnienorcross@yahoo.com) [-9] - "
       "mta4420.mail.bf1.yahoo.com",
       "mta5.am0.yahoodns.net"},
      // exim-ddgrey-mainlog.log
      {"2020-02-22 08:47:17 1j5PVL-00068g-Vf ** wwyc@sbcglobal.net R=dnslookup T=remote_smtp: SMTP error from remote "
       "mail server after MAIL FROM:<noreply@pilgrimbrevet.se>: host ff-ip4-mx-vip2.prodigy.net [144.160.159.22]: 550 "
       "5.7.1 Connections not accepted from servers without a valid sender domain.flph831 Fix reverse DNS for "
       "95.142.170.63",
       Status::bounced, Stage::mail,
       "550 5.7.1 Connections not accepted from servers without a valid sender domain.flph831 Fix reverse DNS for "
       "95.142.170.63",
       "ff-ip4-mx-vip2.prodigy.net"},
      // exim-testsuite-mainlog.log (older test-suite output, with SIZE= after MAIL FROM)
      {"1999-03-02 09:44:33 10HmaY-0005vi-00 == ok@no.delay R=r1 T=t1 defer (-45): SMTP error from remote mail server "
       "after MAIL FROM:<CALLER@test.ex> SIZE=1325: host 127.0.0.1 [127.0.0.1]: 421 myhost.test.ex: SMTP command "
       "timeout - closing connection",
       Status::deferred, Stage::mail, "421 myhost.test.ex: SMTP command timeout - closing connection", "127.0.0.1"},
  };
  for (const Case& c : cases) {
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(c.line, event), ParseOutcome::event) << c.line;
    EXPECT_EQ(event.status, c.status);
    EXPECT_EQ(event.stage, c.stage);
    EXPECT_EQ(event.reply, c.reply);
    EXPECT_EQ(event.remote_host, c.host);
    EXPECT_EQ(event.direction, Direction::outbound);
  }
}

// Regression (exim.cpp, stage_after / reject_stage, fixed): "DATA" is mapped to Stage::end_of_data. Exim says "after
// DATA" for the answer to the DATA command itself and "after end of data" for the answer after the final dot (smtp.c
// sets smtp_command = "end of data" only after the message was sent); "rejected DATA" is the predata ACL, run at the
// DATA command, while "rejected after DATA" is the DATA ACL. The answer to DATA is Stage::data, as Postfix's
// "(in reply to DATA command)" and read_bare_reply() on the same Exim text give.
TEST(EximBug, ReplyToDataCommandIsDataStage) {
  struct Case {
    std::string_view line;
    Status status;
  };
  const Case cases[] = {
      // exim-testsuite-mainlog.log
      {"1999-03-02 09:44:33 10HmbI-000000005vi-0000 ** r@test.ex R=client T=send_to_server H=127.0.0.1 [127.0.0.1] : "
       "SMTP error from remote mail server after pipelined DATA: 503 Sorry perm data error",
       Status::bounced},
      // exim-testsuite-mainlog.log
      {"1999-03-02 09:44:33 H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after "
       "DATA: 452 temporary error",
       Status::none},
      // exim-testsuite-mainlog.log
      {"1999-03-02 09:44:33 U=CALLER rejected DATA: Not today", Status::rejected},
  };
  for (const Case& c : cases) {
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(c.line, event), ParseOutcome::event) << c.line;
    EXPECT_EQ(event.status, c.status);
    EXPECT_EQ(event.stage, Stage::data) << c.line;
  }
}

// Regression (exim.cpp, parse_message, fixed): a reply to a callout or to one host of several ("H=host [ip]: SMTP error
// from remote mail server after ...") leaves remote_host empty although H= names the host; ** and == lines take it from
// H=, so the provider label is lost only here.
TEST(EximBug, HostReplyTakesRemoteHostFromH) {
  SmtpEvent event;
  // exim-testsuite-mainlog.log, message id removed (a callout)
  ASSERT_EQ(parse_log_line("1999-03-02 09:44:33 H=localhost4.test.ex [127.0.0.1]: SMTP error "
                           "from remote mail server after HELO the.local.host.name: 450 I'm busy",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.remote_host, "localhost4.test.ex");
}

}  // namespace
}  // namespace mta

// --- hostile local parts and subjects ----------------------------------------------------------------------------
// Exim logs an address as the client wrote it, a local part with specials in quotes ("<\"x y\"@example.net>"),
// and quotes what else a line cites (C="...", DN="...", T="subject"). Its keywords (=>, **, ==, H=, R=, T=,
// "rejected RCPT", "authenticator failed", "SMTP error from remote mail server after") are read outside quotes,
// the message of a failure after Exim's fields. Whatever the addresses hold, a line yields its clean twin's event.

namespace mta {
namespace {

using test::HostileAddressCase;

const HostileAddressCase kHostileAddresses[] = {
    {"rejected_rcpt", R"~("x rejected RCPT <y@example.com>: 250 ok"@example.net)~"},
    {"local_router_and_transport", R"~("a R=local_user T=local_delivery: 250 ok"@example.net)~"},
    {"host_and_confirmation", R"~("b H=evil.example [203.0.113.9] C=\"250 ok\""@example.net)~"},
    {"remote_error", R"~("c: SMTP error from remote mail server after RCPT TO:<d>: 250 ok"@example.net)~"},
    {"temporarily_rejected", R"~("e temporarily rejected connection in \"connect\" ACL"@example.net)~"},
    {"session_refusals", R"~("f SMTP protocol error in dropped: too many closed by DROP in ACL"@example.net)~"},
    {"authenticator", R"~("g authenticator failed for (h) [192.0.2.1]: 535 no"@example.net)~"},
    {"reply_code", R"~("i: 550 5.7.1 blocked using zen.spamhaus.org"@example.net)~"},
    {"escaped_quote", R"~("j\" rejected RCPT <k>: 550 x"@example.net)~"},
};

// The lines of each kind, with the address of the case as recipient (%r) and sender (%s).
constexpr std::string_view kHostileLines[] = {
    // exim-exporter-gvengel.log
    R"~(2020-06-19 06:26:02 1jmH1s-000AVD-5t => %r R=dnslookup T=remote_smtp H=mail.foo.corp [1.1.1.1] C="250 2.0.0 Ok: queued")~",
    // exim-testsuite-mainlog.log, with parent and sender
    R"~(1999-03-02 09:44:33 10HmaX-000000005vi-0000 => %r <%r> F=<%s> R=localuser T=local_delivery)~",
    // exim-exporter-gvengel.log
    R"~(2020-06-20 01:32:57 +0200 [789] 1jmKso-0009d4-Uf ** %r <%r> F=<%s> R=dnslookup T=remote_smtp H=mail.zee.corp [3.3.3.3] X=TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256 CV=yes DN="C=US,ST=Fake,L=Lost,O=Zee Corp,CN=mail.zee.corp": SMTP error from remote mail server after end of data: 554 5.2.0 Recipient Mailbox Full)~",
    // exim-testsuite-mainlog.log shape, the recipient quoted in the remote error's command
    R"~(1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** %r R=all T=smtp H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<%r>: 550 5.1.1 Unknown user)~",
    // exim-testsuite-mainlog.log, "defer (-44)" before the host
    R"~(1999-03-02 09:44:33 10HmaX-000000005vi-0000 == %r R=all T=smtp defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after MAIL FROM:<> SIZE=1234: 451 Temporary local problem)~",
    // exim-testsuite-mainlog.log, errno text before the host
    R"~(1999-03-02 09:44:33 10HmaX-000000005vi-0000 == %r R=all T=smtp defer (dd): Connection timed out H=127.0.0.1 [127.0.0.1]: SMTP timeout after EHLO myhost.test.ex)~",
    // exim-logstash-patterns-core.log
    R"~(2020-02-11 17:09:47 1j1Z2g-00Faoy-Uh ** %r R=virtual_aliases: No such person at this address.)~",
    // exim-crowdsec.log
    R"~(2022-06-29 14:34:58 H=imfo.test.biz [1.2.3.4]:35328 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no F=<%s> rejected RCPT <%r>: No Such User Here)~",
    // exim-testsuite-mainlog.log
    R"~(1999-03-02 09:44:33 U=CALLER F=<%s> temporarily rejected RCPT <%r>: 451 4.7.1 greylisted)~",
    // exim-fail2ban.log, with the sender in brackets
    R"~(2013-06-15 11:20:36 [2516] 1Unmew-0000ea-SE H=egeftech.static.otenet.gr [83.235.177.148]:32706 I=[1.2.3.4]:25 F=<%s> rejected after DATA: This message contains a virus (Sanesecurity.Junk.39934.UNOFFICIAL).)~",
    // exim-testsuite-mainlog.log, with a sender
    R"~(1999-03-02 09:44:33 H=[10.9.8.8] U=CALLER rejected MAIL <%s>: 550 5.7.1 sender blocked)~",
    // test/log/5400 cutthrough delivery
    R"~(1999-03-02 09:44:33 10HmaX-000000005vi-0000 >> %r P=<%s> R=all T=smtp H=127.0.0.1 [127.0.0.1] C="250 OK")~",
    // exim-testsuite-mainlog.log cutthrough 4xx after DATA
    R"~(1999-03-02 09:44:33 10HmbA-000000005vi-0000 U=CALLER %r F=<%s> P=<%s> tmp-reject from cutthrough after DATA: R=all T=smtp H=127.0.0.1 [127.0.0.1] C="459 content reject")~",
    // verify.c cutthrough 5xx after DATA
    R"~(1999-03-02 09:44:33 10HmbA-000000005vi-0000 H=(tester) [127.0.0.1] %r F=<%s> rejected after DATA: R=all T=smtp H=127.0.0.1 [127.0.0.1] C="550 content rejected")~",
    // exim-testsuite-mainlog.log callout refusal quoted in our reject
    R"~(1999-03-02 09:44:33 H=(test) [V4NET.0.0.3] U=root F=<%s> rejected RCPT <%r>: 127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after RCPT TO:<%r>: 550 Recipient not liked)~",
    // exim-testsuite-mainlog.log data timeout, with the sender
    R"~(1999-03-02 09:44:33 SMTP data timeout (message abandoned) on connection from (abcd) [127.0.0.1] F=<%s> D=qqs)~",
    // test/msglog deferral, failure, routing failure and success, the address first
    R"~(1999-03-02 09:44:33 %r R=all T=smtp defer (dd): Connection timed out H=127.0.0.1 [127.0.0.1]: SMTP timeout after EHLO myhost.test.ex)~",
    R"~(1999-03-02 09:44:33 %r R=fail_transport T=fail H=127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after RCPT TO:<%r>: 550 Recipient refused)~",
    R"~(1999-03-02 09:44:33 routing failed for %r : Unrouteable address)~",
    R"~(1999-03-02 09:44:33 %r <%s>: appendfile transport succeeded)~",
};

std::string with_address(std::string_view line, std::string_view rcpt, std::string_view sender) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '%' && i + 1 < line.size() && (line[i + 1] == 'r' || line[i + 1] == 's')) {
      out += line[++i] == 'r' ? rcpt : sender;
    } else {
      out += line[i];
    }
  }
  return out;
}

class EximHostileAddressTest : public ::testing::TestWithParam<HostileAddressCase> {};

TEST_P(EximHostileAddressTest, AddressesChangeNothing) {
  for (std::string_view line : kHostileLines) {
    const std::string clean_line = with_address(line, "user@example.net", "sender@example.org");
    SCOPED_TRACE(clean_line);
    SmtpEvent clean;
    ASSERT_EQ(parse_log_line(clean_line, clean), ParseOutcome::event);
    for (const bool as_sender : {false, true}) {
      const std::string hostile_line = as_sender ? with_address(line, "user@example.net", GetParam().value)
                                                 : with_address(line, GetParam().value, "sender@example.org");
      SmtpEvent hostile;
      ASSERT_EQ(parse_log_line(hostile_line, hostile), ParseOutcome::event) << hostile_line;
      EXPECT_EQ(hostile.status, clean.status) << hostile_line;
      EXPECT_EQ(hostile.direction, clean.direction) << hostile_line;
      EXPECT_EQ(hostile.stage, clean.stage) << hostile_line;
      EXPECT_EQ(hostile.reply, clean.reply) << hostile_line;
      EXPECT_EQ(hostile.remote_host, clean.remote_host) << hostile_line;
      EXPECT_EQ(hostile.mechanism, clean.mechanism) << hostile_line;
      // A reject without a reason keeps the line, addresses and all, as its evidence.
      if (clean.agent_text.find("user@example.net") == std::string_view::npos) {
        EXPECT_EQ(hostile.agent_text, clean.agent_text) << hostile_line;
      }
    }
  }
}

// Lines without an outcome, with keywords of one only in the client's fields.
constexpr std::string_view kQuietLines[] = {
    // exim-exporter-gvengel.log arrival, with a subject (T="..."), a message id and a sender
    R"~(2020-06-19 04:51:49 [123] 1jmFYj-00039V-QX <= %s H=(test.corp) [2.2.2.2] P=esmtp S=1234 id=<%r> T="%r rejected RCPT <x>: 550 no" from <%s> for %r)~",
    // exim-testsuite-mainlog.log sender verification, which precedes its own reject line
    R"~(1999-03-02 09:44:33 H=(test) [10.0.0.2] U=CALLER sender verify fail for <%s>: Unrouteable address)~",
    // exim-testsuite-mainlog.log
    R"~(1999-03-02 09:44:33 10HmaX-000000005vi-0000 %r: error ignored: RFC 3461 DSN, failure notify not requested)~",
    // test/msglog lines without an outcome, the address first
    R"~(1999-03-02 09:44:33 %r: children all complete)~",
    R"~(1999-03-02 09:44:33 Received from %s H=(client.test.ex) [127.0.0.1] P=smtp S=sss)~",
};

TEST_P(EximHostileAddressTest, KeywordsOnlyInAddressesMakeNoEvent) {
  for (std::string_view line : kQuietLines) {
    const std::string hostile_line = with_address(line, GetParam().value, GetParam().value);
    SmtpEvent event;
    EXPECT_NE(parse_log_line(hostile_line, event), ParseOutcome::event) << hostile_line;
  }
}

INSTANTIATE_TEST_SUITE_P(Addresses, EximHostileAddressTest, ::testing::ValuesIn(kHostileAddresses), test::CaseName());

// exim-testsuite-mainlog.log: the event hook's log of a delivery failure quotes the remote reply, whose words
// ("rejected but is being kept") made an inbound reject before keywords were read outside quotes; the ** line
// before it carries the failure.
TEST(EximHostileQuoteTest, QuotedEventDataIsNoReject) {
  SmtpEvent event;
  EXPECT_EQ(
      parse_log_line(
          R"~(1999-03-02 09:44:33 10HmbB-000000005vi-0000 event msg:fail:delivery data "SMTP error from remote mail server after end of data: 550-Your message has been rejected but is being kept for evaluation.\n550-If it was a legitimate message, it may still be delivered to the target\n550 recipient(s).")~",
          event),
      ParseOutcome::ignored);
}

// Exim refuses a HELO name that is no host name before its ACLs run, and logs the name after its reason.
TEST(EximHostileHeloTest, RefusedHeloNameChangesNothingButItsEcho) {
  for (std::string_view helo : {"bad_helo", R"~(x" rejected RCPT <y>: 250 ok)~", "SMTP protocol error in \"x\"",
                                "a: 250 2.0.0 Ok H=evil [203.0.113.9]", "dropped: too many (last command was \""}) {
    SCOPED_TRACE(helo);
    // exim-testsuite-mainlog.log
    const std::string line =
        "1999-03-02 09:44:33 rejected HELO from [192.0.2.1]: syntactically invalid argument(s): " + std::string(helo);
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(line, event), ParseOutcome::event);
    EXPECT_EQ(event.status, Status::rejected);
    EXPECT_EQ(event.direction, Direction::inbound);
    EXPECT_EQ(event.stage, Stage::helo);
    EXPECT_EQ(event.reply, "");
    EXPECT_EQ(event.agent_text, "syntactically invalid argument(s): " + std::string(helo));
  }
}

// Exim splits a log line it sends to syslog at each newline and after 870 characters, each part led by "[n/m] " or
// "[n\m] " (spec "Logging to syslog", whose example lines these are, with a syslog header added). The first part is
// read; later parts continue a line or are header lines of the reject log, which the sender writes.
TEST(EximSyslogParts, FirstPartIsReadLaterPartsAreNot) {
  SmtpEvent event;
  ASSERT_EQ(parse_log_line("Sep 16 16:09:43 xxxxx exim[1234]: [1/5] 2002-09-16 16:09:43 16RdAL-0006pc-00 rejected from",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.status, Status::rejected);
  EXPECT_EQ(event.direction, Direction::inbound);
  EXPECT_EQ(parse_log_line("Sep 16 16:09:43 xxxxx exim[1234]: [2/5]  [127.0.0.1] (ph10): syntax error in 'From' header",
                           event),
            ParseOutcome::ignored);
  // a header line of the reject log, its Subject written to look like a reject
  EXPECT_EQ(parse_log_line("Sep 16 16:09:43 xxxxx exim[1234]: [13\\18]   Subject: x rejected RCPT <a@b>: 550 5.7.1 "
                           "blocked using zen.spamhaus.org",
                           event),
            ParseOutcome::ignored);
  EXPECT_EQ(parse_log_line("Sep 16 16:09:43 xxxxx exim[1234]: [12\\18] F From: <> H=x [1.2.3.4] dropped by 'connect' "
                           "ACL",
                           event),
            ParseOutcome::ignored);
  // a whole line that needed no split, with Exim's pid (+pid) after its timestamp
  ASSERT_EQ(parse_log_line("Sep 16 16:09:43 xxxxx exim[1234]: 2002-09-16 16:09:43 [1234] H=(test) [192.0.2.1] "
                           "F=<a@b> rejected RCPT <c@d>: relay not permitted",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.stage, Stage::rcpt);
}

// A HELO name holding the text of a refused client certificate (only with helo_accept_junk_hosts) does not make a
// failed handshake a permanent refusal: the error follows the client's address.
TEST(EximHostileHeloTest, CertificateTextInHeloNameIsNoCertificateRefusal) {
  SmtpEvent event;
  // exim-testsuite-mainlog.log, the HELO name changed
  ASSERT_EQ(parse_log_line("1999-03-02 09:44:33 TLS error on connection from (x (certificate verification failed)) "
                           "[192.0.2.1] (gnutls_handshake): The peer did not send any certificate.",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.status, Status::rejected_temporarily);
  EXPECT_EQ(event.stage, Stage::starttls);
}

}  // namespace
}  // namespace mta

// --- who the outcome concerns: the recipient of a delivery, the client of a refusal (report's tables) -------------

namespace mta {
namespace {

using test::WhoCase;

class EximWhoTest : public ::testing::TestWithParam<WhoCase> {};

TEST_P(EximWhoTest, ReadsRecipientAndClient) { test::expect_whom(GetParam()); }

const WhoCase kWhoCases[] = {
    // exim-exporter-gvengel.log
    {"bounce_recipient",
     R"~(2020-06-20 01:32:57 +0200 [789] 1jmKso-0009d4-Uf ** molly@zee.corp R=dnslookup T=remote_smtp H=mail.zee.corp [3.3.3.3] X=TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256 CV=yes DN="C=US,ST=Fake,L=Lost,O=Zee Corp,CN=mail.zee.corp": SMTP error from remote mail server after end of data: 554 5.2.0 mKr3jsd25ZIfXmKr4jFD2w Recipient Mailbox Full [504])~",
     "molly@zee.corp", ""},
    // exim-exporter-gvengel.log (the H= value is cut short before its ']': the remote host, no client)
    {"deferral_recipient",
     R"~(2020-06-24 00:20:20 1raAV4-009jr4-9x == jack@test.corp R=dnslookup T=remote_smtp defer (-44) H=(relay.test.corp) [4.4.4.4: SMTP error from remote mail server after RCPT TO:<jack@test.corp>: 450 4.7.1 <jack@test.corp>: Recipient address rejected: Recipient not available)~",
     "jack@test.corp", ""},
    // exim-ddgrey-mainlog.log: a routing failure, the address ended by ':'
    {"unrouteable_recipient", "2020-02-22 01:41:08 1j4ZTB-0001Sv-P4 ** noreply@pilgrimbrevet.se: Unrouteable address",
     "noreply@pilgrimbrevet.se", ""},
    // exim-ddgrey-mainlog.log: the first address, not its parent
    {"delivery_with_parent",
     "2020-02-22 01:02:05 1j5IF1-0006A7-Ub => per@rosnix.net <root@edward.rosnix.net> R=dnslookup_vpn "
     "T=remote_smtp_smarthost H=dront.rosnix [192.168.120.5]",
     "per@rosnix.net", ""},
    // exim-testsuite-mainlog.log: routed to :blackhole:, the address in brackets
    {"blackhole_gives_parent",
     "1999-03-02 09:44:33 10HmaX-000000005vi-0000 => :blackhole: <blackhole@the.local.host.name> R=system_aliases",
     "blackhole@the.local.host.name", ""},
    // exim-testsuite-mainlog.log: no address at all
    {"discarded_without_address",
     "1999-03-02 09:44:33 10HmaY-000000005vi-0000 => blackhole (RCPT ACL discarded recipients)", "", ""},
    // exim-ddgrey-mainlog.log: a HELO name in brackets before the client's address
    {"reject_helo_in_brackets",
     "2020-02-22 00:48:43 H=([185.143.223.163]) [185.143.223.168] F=<fhlon4qcwjl2f1m@mirdifphysiorehab.com> rejected "
     "RCPT <explain@dissonantia.se>: Unrouteable address",
     "explain@dissonantia.se", "[185.143.223.168]"},
    // exim-crowdsec.log: the port after the address is left off
    {"reject_with_port",
     "2022-06-29 14:34:58 H=imfo.test.biz [1.2.3.4]:35328 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no "
     "F=<jack@test.biz> rejected RCPT <sales@toto.com.au>: No Such User Here",
     "sales@toto.com.au", "imfo.test.biz [1.2.3.4]"},
    // exim-testsuite-mainlog.log: a local SMTP session has no client host
    {"local_session_without_client",
     "1999-03-02 09:44:33 U=CALLER F=<> temporarily rejected RCPT <user8@test.ex>: 499 4.12.343 Main and extended code",
     "user8@test.ex", ""},
    // exim-crowdsec.log
    {"auth_failure_client",
     "2022-06-29 16:07:05 dovecot_login authenticator failed for ppp-1-2-3-4.test.test.co.th ([127.0.0.1]) "
     "[1.2.3.4]:51451: 535 Incorrect authentication data (set_id=info@test.com)",
     "", "[1.2.3.4]"},
    // exim-testsuite-mainlog.log
    {"auth_failure_client_with_h",
     "1999-03-02 09:44:33 spa authenticator failed for H=(xxxx) [127.0.0.1]: 535 Incorrect authentication data", "",
     "[127.0.0.1]"},
    // exim-testsuite-mainlog.log: smtp_in.c names the client after the command
    {"rejected_mail_from_client",
     "1999-03-02 09:44:33 rejected MAIL from miss.ehlo.after.xclient (anotherhelo) [127.0.0.3]:10001: no HELO/EHLO "
     "given",
     "", "[127.0.0.3]"},
    // exim-fail2ban.log
    {"session_dropped_client",
     "2013-06-02 09:22:05 [19591] SMTP call from pc012-6201.spo.scu.edu.tw [163.14.21.161]:3767 I=[1.2.3.4]:25 "
     "dropped: too many nonmail commands (last was \"RSET\")",
     "", "pc012-6201.spo.scu.edu.tw [163.14.21.161]"},
    // exim-fail2ban.log
    {"drop_in_acl_client",
     "2016-03-21 04:07:49 [25874] 1ahr79-0006jK-G9 SMTP connection from (voyeur.webair.com) [174.137.147.204]:44884 "
     "I=[172.89.0.6]:25 closed by DROP in ACL",
     "", "[174.137.147.204]"},
    // exim-testsuite-mainlog.log
    {"refused_connection_client", "1999-03-02 09:44:33 refused connection from [127.0.0.1] (host_reject_connection)",
     "", "[127.0.0.1]"},
    // exim-ddgrey-mainlog.log
    {"session_end_client",
     "2020-02-22 00:48:43 unexpected disconnection while reading SMTP command from ([185.143.223.163]) "
     "[185.143.223.168]",
     "", "[185.143.223.168]"},
    // exim-testsuite-mainlog.log: the data_prdr ACL's verdict on one recipient
    {"prdr_recipient", "2017-07-30 18:51:05.712 10HmaX-000000005vi-0000 PRDR R=<bad1@test.ex> refusal", "bad1@test.ex",
     ""},
    // --- hostile (exim-crowdsec.log, exim-ddgrey-mainlog.log and exim-testsuite-mainlog.log lines, changed): a quoted
    // local part with blanks and '>', brackets that do not close, a sender quoting a client, a HELO name with '='
    {"quoted_recipient_with_blank_and_bracket",
     R"~(2022-06-29 14:34:58 H=imfo.test.biz [1.2.3.4] F=<jack@test.biz> rejected RCPT <"x> y rejected"@toto.com.au>: No Such User Here)~",
     R"~("x> y rejected"@toto.com.au)~", "imfo.test.biz [1.2.3.4]"},
    {"quoted_bounce_recipient",
     R"~(2020-02-22 01:41:08 1j4ZTB-0001Sv-P4 ** "a b: R=x"@pilgrimbrevet.se R=dnslookup T=remote_smtp: retry timeout exceeded)~",
     R"~("a b: R=x"@pilgrimbrevet.se)~", ""},
    {"recipient_without_closing_bracket",
     "2022-06-29 14:34:58 H=imfo.test.biz [1.2.3.4 F=<jack@test.biz> rejected RCPT <sales@toto.com.au: No Such User",
     "", ""},
    {"sender_quoting_a_client",
     R"~(1999-03-02 09:44:33 U=CALLER F=<"x H=(evil) [203.0.113.9]"@y> rejected RCPT <userx@test.ex>: relay not permitted)~",
     "userx@test.ex", ""},
    {"helo_with_field_keyword",
     "1999-03-02 09:44:33 H=(x=[203.0.113.9]) [192.0.2.1] F=<a@b> rejected RCPT <c@d>: relay not permitted", "c@d", ""},
};

INSTANTIATE_TEST_SUITE_P(Lines, EximWhoTest, ::testing::ValuesIn(kWhoCases), test::CaseName());

}  // namespace
}  // namespace mta
