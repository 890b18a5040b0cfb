// Tests for the Dovecot parser (src/mta/dovecot.hpp): local deliveries by LMTP / LDA (saved, stored by sieve,
// save failed, rejected) through syslog ("dovecot: lmtp(user): ...") and in Dovecot's own log format where the
// process is the tag ("lmtp(user)<pid><session>: Info: ..."), and failed logins to the submission service.
// Lines come from /work/shared/corpus/real (postfix-modoboa-stats.log holds the LMTP lines, dovecot-*.log the
// login lines); the corpus has no "saved mail to", "save failed" or "rejected:" line (SOURCES.md, "Gaps"), so
// those cases are a modoboa LMTP line with the outcome text Dovecot writes in place of sieve's, and say so.

#include "mta/dovecot.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <tuple>

#include "event_case.hpp"
#include "mta/mta_parsers.hpp"
#include "support/case_name.hpp"

namespace mta {
namespace {

using test::EventCase;
using test::IgnoredCase;

class DovecotEventTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(DovecotEventTest, ReadsEvent) { test::expect_event(GetParam(), Mta::dovecot); }

const EventCase kEventCases[] = {
    // --- LMTP deliveries through syslog -------------------------------------------------------------------------
    {.name = "lmtp_saved_to_inbox",
     // postfix-modoboa-stats.log LMTP line with Dovecot's plain "saved mail to INBOX" instead of sieve's text
     .line = "Nov 16 11:04:32 server dovecot: lmtp(admin@test.com): cqWOJrBiDVrVeAAABvoInA: "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: saved mail to INBOX",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "saved mail to INBOX"},
    {.name = "lmtp_sieve_stored_into_mailbox",
     // postfix-modoboa-stats.log
     .line = "Nov 16 11:00:20 server dovecot: lmtp(user@test.com): z5FOLrRhDVpddgAABvoInA: sieve: "
             "msgid=<cm.2100050552286.huticd.jyidyhxuy.y@cmail19.com>: stored mail into mailbox 'notifications'",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "stored mail into mailbox 'notifications'"},
    {.name = "lmtp_sieve_msgid_with_slashes",
     // postfix-modoboa-stats.log
     .line = "Nov 16 11:44:31 server dovecot: lmtp(admin@test.com): FmU3Hg9sDVpBCwAABvoInA: sieve: "
             "msgid=<Spicesoft/tandoori/pull/3047/c344885124@github.com>: stored mail into mailbox 'Listes.Tandoori'",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "stored mail into mailbox 'Listes.Tandoori'"},
    {.name = "lmtp_save_failed_quota",
     // postfix-modoboa-stats.log LMTP line with Dovecot's "save failed to INBOX: <reason>" outcome; LMTP answers a
     // full mailbox "552 5.2.2" (lmtp-local.c lmtp_local_rcpt_reply_overquota(), quota_full_tempfail off by default)
     .line = "Nov 16 11:04:32 server dovecot: lmtp(admin@test.com): cqWOJrBiDVrVeAAABvoInA: "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: save failed to INBOX: Quota exceeded (mailbox for "
             "user is full)",
     .status = Status::bounced,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "Quota exceeded (mailbox for user is full)"},
    {.name = "lmtp_rejected_quota",
     // postfix-modoboa-stats.log LMTP line with Dovecot's "rejected: <reason>" outcome
     .line = "Nov 16 11:04:32 server dovecot: lmtp(admin@test.com): cqWOJrBiDVrVeAAABvoInA: "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: rejected: Quota exceeded (mailbox for user is full)",
     .status = Status::bounced,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "Quota exceeded (mailbox for user is full)"},
    {.name = "lmtp_with_level_after_process",
     // postfix-modoboa-stats.log LMTP line with a log level and the save-failed outcome
     .line = "Nov 16 11:04:32 server dovecot: lmtp(admin@test.com): Error: cqWOJrBiDVrVeAAABvoInA: "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: save failed to INBOX: Quota exceeded (mailbox for "
             "user is full)",
     .status = Status::bounced,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "Quota exceeded (mailbox for user is full)"},
    {.name = "lda_saved",
     // postfix-modoboa-stats.log LMTP line, process renamed to the LDA's "lda(user)"
     .line = "Nov 16 11:04:32 server dovecot: lda(admin@test.com): msgid=<20171116100432.10564.83744@server.ngyn.org>: "
             "saved mail to INBOX",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "saved mail to INBOX"},
    {.name = "deliver_saved_with_pid_in_tag",
     // postfix-modoboa-stats.log LMTP line, process renamed to the older LDA name "deliver(user)"
     .line = "Nov 16 11:04:32 server dovecot[7508]: deliver(admin@test.com): "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: saved mail to INBOX",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "saved mail to INBOX"},

    // --- Dovecot's own log format: the process is the tag -----------------------------------------------------
    {.name = "own_format_lmtp_saved",
     // postfix-modoboa-stats.log LMTP delivery written in Dovecot's own format ("<pid><session>: Info: ")
     .line = "Nov 16 11:00:20 lmtp(user@test.com)<30301><z5FOLrRhDVpddgAABvoInA>: Info: "
             "msgid=<cm.2100050552286.huticd.jyidyhxuy.y@cmail19.com>: saved mail to INBOX",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "saved mail to INBOX"},
    {.name = "own_format_lmtp_rejected",
     // postfix-modoboa-stats.log LMTP delivery in Dovecot's own format, rejected for quota
     .line = "Nov 16 11:00:20 lmtp(user@test.com)<30301><z5FOLrRhDVpddgAABvoInA>: Info: "
             "msgid=<cm.2100050552286.huticd.jyidyhxuy.y@cmail19.com>: rejected: Quota exceeded (mailbox for user is "
             "full)",
     .status = Status::bounced,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "Quota exceeded (mailbox for user is full)"},
    {.name = "own_format_sieve_stored",
     // postfix-modoboa-stats.log sieve line in Dovecot's own format
     .line = "Nov 16 11:14:45 lmtp(admin@test.com)<32482><+NuIEBVlDVp6fQAABvoInA>: Info: sieve: "
             "msgid=<31819cf6c71e45f4569b94888ea90ead@gitlab.intra.logikap.com>: stored mail into mailbox 'INBOX'",
     .status = Status::sent,
     .direction = Direction::local,
     .stage = Stage::unknown,
     .agent_text = "stored mail into mailbox 'INBOX'"},

    // --- forms read from Dovecot's and Pigeonhole's sources (issue 10) -----------------------------------------
    {.name = "lmtp_save_failed_temporary",
     // mail-deliver.c mail_deliver_save() "save failed to %s: %s" with a storage error that is not quota
     // (MAIL_ERRSTR_CRITICAL_MSG_STAMP); LMTP answers "451 4.2.0"
     .line = "Nov 16 11:04:32 server dovecot: lmtp(admin@test.com): cqWOJrBiDVrVeAAABvoInA: "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: save failed to INBOX: Internal error occurred. "
             "Refer to server log for more information. [2017-11-16 11:04:32]",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "Internal error occurred. Refer to server log for more information. [2017-11-16 11:04:32]"},
    {.name = "lmtp_save_failed_to_open_inbox",
     // mail-deliver.c mail_deliver_save() "save failed to open mailbox %s: %s"
     .line = "Nov 16 11:04:32 server dovecot: lmtp(admin@test.com): cqWOJrBiDVrVeAAABvoInA: "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: save failed to open mailbox INBOX: Permission "
             "denied",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "Permission denied"},
    {.name = "lda_rejected_quota",
     // lda/main.c lda_do_deliver() "rejected: %s" after a full mailbox (quota_full_tempfail off)
     .line = "Nov 16 11:04:32 server dovecot: lda(admin@test.com): msgid=<20171116100432.10564.83744@server.ngyn.org>: "
             "rejected: Quota exceeded (mailbox for user is full)",
     .status = Status::bounced,
     .direction = Direction::local,
     .agent_text = "Quota exceeded (mailbox for user is full)"},
    {.name = "lda_own_format_with_pid_and_session_saved",
     // mail-deliver.c "saved mail to %s" from the LDA in Dovecot 2.3's own log format ("lda(user)<pid><session>: ")
     .line = "Nov 16 11:04:32 lda(admin@test.com)<30301><cqWOJrBiDVrVeAAABvoInA>: Info: "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: saved mail to INBOX",
     .status = Status::sent,
     .direction = Direction::local,
     .agent_text = "saved mail to INBOX"},
    {.name = "syslog_lda_with_pid_and_session_saved",
     // the line above through syslog
     .line = "Nov 16 11:04:32 server dovecot: lda(admin@test.com)<30301><cqWOJrBiDVrVeAAABvoInA>: Info: "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: saved mail to INBOX",
     .status = Status::sent,
     .direction = Direction::local,
     .agent_text = "saved mail to INBOX"},
    {.name = "lmtp_pid_user_prefix_saved",
     // Dovecot 2.2's LMTP log prefix "lmtp(pid, user): session: "
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301, admin@test.com): cqWOJrBiDVrVeAAABvoInA: "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: saved mail to INBOX",
     .status = Status::sent,
     .direction = Direction::local,
     .agent_text = "saved mail to INBOX"},
    {.name = "lda_fatal_tempfail",
     // lda/main.c: any fatal error exits EX_TEMPFAIL (failure_exit_callback()), e.g. restrict_access() failing
     .line = "Nov 16 11:04:32 server dovecot: lda(admin@test.com): Fatal: setresgid(12(mail),12(mail)) failed with "
             "euid=500: Operation not permitted",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "setresgid(12(mail),12(mail)) failed with euid=500: Operation not permitted"},
    {.name = "own_format_bare_lda_fatal",
     // lda/main.c i_fatal() before the user is known, in Dovecot's own log format ("lda: Fatal: ")
     .line = "Nov 16 11:04:32 lda: Fatal: Error reading configuration: Invalid settings: postmaster_address setting "
             "not given",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "Error reading configuration: Invalid settings: postmaster_address setting not given"},
    {.name = "syslog_bare_lda_fatal",
     // the line above through syslog
     .line = "Nov 16 11:04:32 server dovecot: lda: Fatal: Error reading configuration: Invalid settings: "
             "postmaster_address setting not given",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "Error reading configuration: Invalid settings: postmaster_address setting not given"},
    {.name = "lmtp_failed_to_lookup_user",
     // lmtp-local.c lmtp_local_rcpt() e_error "Failed to lookup user %s: %s", answered "451 4.3.0" at RCPT
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301): Error: cqWOJrBiDVrVeAAABvoInA: Failed to lookup user "
             "admin@test.com: Internal error occurred. Refer to server log for more information.",
     .status = Status::deferred,
     .direction = Direction::local,
     .stage = Stage::rcpt,
     .agent_text =
         "Failed to lookup user admin@test.com: Internal error occurred. Refer to server log for more information."},
    {.name = "lmtp_2_3_failed_to_lookup_user_after_event_prefixes",
     // the line above with the log prefixes lib-smtp's events append since 2.3 (smtp-server-connection.c
     // "%s-server: ", smtp-server-recipient.c "rcpt %s: ")
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301): Error: lmtp-server: rcpt admin@test.com: Failed to lookup "
             "user admin@test.com: Internal error occurred. Refer to server log for more information.",
     .status = Status::deferred,
     .direction = Direction::local,
     .stage = Stage::rcpt,
     .agent_text =
         "Failed to lookup user admin@test.com: Internal error occurred. Refer to server log for more information."},
    {.name = "own_format_lmtp_failed_to_initialize_user",
     // lmtp-local.c lmtp_local_rcpt_check_quota() e_error "Failed to initialize user %s: %s", answered "451 4.3.0"
     .line = "Nov 16 11:04:32 lmtp(30301): Error: Failed to initialize user admin@test.com: Namespace '': "
             "Permission denied",
     .status = Status::deferred,
     .direction = Direction::local,
     .stage = Stage::rcpt,
     .agent_text = "Failed to initialize user admin@test.com: Namespace '': Permission denied"},
    {.name = "lmtp_over_quota_check_failed",
     // lmtp-local.c lmtp_local_rcpt_check_quota(): e_error "mailbox_get_status(%s, STATUS_CHECK_OVER_QUOTA) failed:
     // %s", answered "451 4.3.0" at RCPT
     .line = "Nov 16 11:04:32 server dovecot: lmtp(admin@test.com): Error: cqWOJrBiDVrVeAAABvoInA: "
             "mailbox_get_status(INBOX, STATUS_CHECK_OVER_QUOTA) failed: Internal error occurred.",
     .status = Status::deferred,
     .direction = Direction::local,
     .stage = Stage::rcpt,
     .agent_text = "mailbox_get_status(INBOX, STATUS_CHECK_OVER_QUOTA) failed: Internal error occurred."},
    {.name = "lmtp_proxy_sent",
     // lmtp-proxy.c lmtp_proxy_data_cb(): "<%s>: " session, "Sent message to <%s> at %s:%u: %s (%u/%u at %lld ms)"
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301): <cqWOJrBiDVrVeAAABvoInA>: Sent message to "
             "<admin@test.com> at 10.0.0.2:24: 250 2.0.0 <admin@test.com> cqWOJrBiDVrVeAAABvoInA Saved (1/1 at 21 ms)",
     .status = Status::sent,
     .direction = Direction::local,
     .reply = "250 2.0.0 <admin@test.com> cqWOJrBiDVrVeAAABvoInA Saved"},
    {.name = "lmtp_proxy_failed_quota",
     // lmtp-proxy.c "Failed to send message to ..." with the backend's over-quota reply
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301): <cqWOJrBiDVrVeAAABvoInA>: Failed to send message to "
             "<admin@test.com> at 10.0.0.2:24: 552 5.2.2 <admin@test.com> Quota exceeded (mailbox for user is full) "
             "(1/1 at 21 ms)",
     .status = Status::bounced,
     .direction = Direction::local,
     .reply = "552 5.2.2 <admin@test.com> Quota exceeded (mailbox for user is full)"},
    {.name = "lmtp_proxy_sent_after_event_prefixes",
     // the "lmtp_proxy_sent" line with lib-smtp's event log prefixes (2.3 and later)
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301): lmtp-server: rcpt admin@test.com: "
             "<cqWOJrBiDVrVeAAABvoInA>: Sent message to <admin@test.com> at 10.0.0.2:24: 250 2.0.0 <admin@test.com> "
             "cqWOJrBiDVrVeAAABvoInA Saved (1/1 at 21 ms)",
     .status = Status::sent,
     .direction = Direction::local,
     .reply = "250 2.0.0 <admin@test.com> cqWOJrBiDVrVeAAABvoInA Saved"},
    {.name = "lmtp_proxy_2_2_failed_temporary",
     // Dovecot 2.2 lmtp-proxy.c: "%s: Failed to send message to <%s> at %s:%u: %s (%u/%u at %u ms)", an error
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301): Error: cqWOJrBiDVrVeAAABvoInA: Failed to send message to "
             "<admin@test.com> at 10.0.0.2:24: 451 4.3.0 <admin@test.com> Temporary internal error (1/2 at 30012 ms)",
     .status = Status::deferred,
     .direction = Direction::local,
     .reply = "451 4.3.0 <admin@test.com> Temporary internal error"},
    {.name = "sieve_reject",
     // pigeonhole ext-reject.c act_reject_commit() "rejected message from <%s> (%s)", the
     // postfix-modoboa-stats.log sieve line's message
     .line = "Nov 16 11:06:51 server dovecot: lmtp(admin@test.com): wUc3LDtjDVrkeQAABvoInA: sieve: "
             "msgid=<201711161006.vAGA6jpH019527@main.nope.org.es>: rejected message from <sender@nope.org.es> "
             "(reject)",
     .status = Status::bounced,
     .direction = Direction::local,
     .agent_text = "rejected message from <sender@nope.org.es> (reject)"},
    {.name = "sieve_aborted_temporary_failure",
     // pigeonhole lda-sieve-plugin.c lda_sieve_handle_exec_status() SIEVE_EXEC_TEMP_FAILURE
     .line = "Nov 16 11:06:51 server dovecot: lmtp(admin@test.com): Error: wUc3LDtjDVrkeQAABvoInA: sieve: Execution "
             "of script /var/vmail/test.com/admin/.dovecot.sieve was aborted due to temporary failure",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "Execution of script /var/vmail/test.com/admin/.dovecot.sieve was aborted due to temporary failure"},
    {.name = "own_format_sieve_ereject",
     // the line above from ereject, in Dovecot's own log format
     .line = "Nov 16 11:06:51 lmtp(admin@test.com)<30301><wUc3LDtjDVrkeQAABvoInA>: Info: sieve: "
             "msgid=<201711161006.vAGA6jpH019527@main.nope.org.es>: rejected message from <sender@nope.org.es> "
             "(ereject)",
     .status = Status::bounced,
     .direction = Direction::local,
     .agent_text = "rejected message from <sender@nope.org.es> (ereject)"},

    // --- every version's outcome forms (issue 10 follow-up): Dovecot core 1.0 to 2.4, Pigeonhole 0.1 to 2.4 -----
    {.name = "deliver_1_0_save_failed_without_reason",
     // Dovecot 1.0 src/deliver/deliver.c deliver_save(): i_info("msgid=%s: save failed to %s") names no error; a
     // non-temporary error (quota) is then rejected by deliver itself (mail_send_rejection()), unlogged
     .line = "Jun 10 11:22:33 mx dovecot: deliver(bob): msgid=<abc@x>: save failed to INBOX",
     .status = Status::bounced,
     .direction = Direction::local,
     .agent_text = "save failed to INBOX"},
    {.name = "deliver_1_1_beta_rejected_capitalised",
     // Dovecot 1.1.alpha1-1.1.beta11 src/deliver/deliver.c main(): i_info("msgid=%s: Rejected: %s") after a full
     // mailbox (MAIL_ERROR_NOSPACE, quota plugin "Quota exceeded")
     .line = "Jun 10 11:22:33 mx dovecot: deliver(bob): msgid=<abc@x>: Rejected: Quota exceeded",
     .status = Status::bounced,
     .direction = Direction::local,
     .agent_text = "Quota exceeded"},
    {.name = "deliver_1_2_rejected_quota",
     // Dovecot 1.1.beta12-1.2 src/deliver/deliver.c main(): deliver_log(mail, "rejected: %s") with the default
     // deliver_log_format "msgid=%m: %$"
     .line = "Jun 10 11:22:33 mx dovecot: deliver(bob): msgid=<abc@x>: rejected: Quota exceeded (mailbox for user is "
             "full)",
     .status = Status::bounced,
     .direction = Direction::local,
     .agent_text = "Quota exceeded (mailbox for user is full)"},
    {.name = "deliver_1_2_save_failed_temporary",
     // Dovecot 1.2 src/deliver/deliver.c deliver_save() "save failed to %s: %s" with an error that is not
     // MAIL_ERROR_NOSPACE: deliver exits EX_TEMPFAIL
     .line = "Jun 10 11:22:33 mx dovecot: deliver(bob): msgid=<abc@x>: save failed to INBOX: Internal error occurred. "
             "Refer to server log for more information. [2009-06-10 11:22:33]",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "Internal error occurred. Refer to server log for more information. [2009-06-10 11:22:33]"},
    {.name = "lmtp_2_2_save_failed_not_enough_disk_space",
     // Dovecot 2.0-2.2.13 src/lib-lda/mail-deliver.c "save failed to %s: %s" with MAIL_ERRSTR_NO_SPACE
     // (MAIL_ERROR_NOSPACE, ENOSPC or EDQUOT); src/lmtp/commands.c answers it "552 5.2.2" like quota
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301, admin@test.com): cqWOJrBiDVrVeAAABvoInA: "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: save failed to INBOX: Not enough disk space",
     .status = Status::bounced,
     .direction = Direction::local,
     .agent_text = "Not enough disk space"},
    {.name = "lmtp_2_3_save_failed_not_enough_disk_quota",
     // Dovecot 2.2.14-2.4 MAIL_ERRSTR_NO_QUOTA (EDQUOT, MAIL_ERROR_NOQUOTA): lmtp-local.c answers "552 5.2.2"
     .line = "Nov 16 11:04:32 lmtp(admin@test.com)<30301><cqWOJrBiDVrVeAAABvoInA>: Info: "
             "msgid=<20171116100432.10564.83744@server.ngyn.org>: save failed to INBOX: Not enough disk quota",
     .status = Status::bounced,
     .direction = Direction::local,
     .agent_text = "Not enough disk quota"},
    {.name = "lmtp_sieve_failed_to_store_into_inbox_quota",
     // pigeonhole 0.2-2.4 sieve-actions.c act_store_log_status() "failed to store into mailbox %s: %s" (the name
     // quoted); the failed keep marks tried_default_save, so lib-lda mail_do_deliver() saves nothing more and
     // lmtp-local.c answers "552 5.2.2"
     .line = "Nov 16 11:06:51 server dovecot: lmtp(admin@test.com): wUc3LDtjDVrkeQAABvoInA: sieve: "
             "msgid=<201711161006.vAGA6jpH019527@main.nope.org.es>: failed to store into mailbox 'INBOX': Quota "
             "exceeded (mailbox for user is full)",
     .status = Status::bounced,
     .direction = Direction::local,
     .agent_text = "Quota exceeded (mailbox for user is full)"},
    {.name = "lmtp_sieve_failed_to_store_into_inbox_temporary",
     // the line above with a storage error that is not quota, logged as an error: lmtp-local.c answers "451 4.2.0"
     .line = "Nov 16 11:06:51 lmtp(admin@test.com)<30301><wUc3LDtjDVrkeQAABvoInA>: Error: sieve: "
             "msgid=<201711161006.vAGA6jpH019527@main.nope.org.es>: failed to store into mailbox 'INBOX' (Inbox): "
             "Internal error occurred. Refer to server log for more information. [2017-11-16 11:06:51]",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "Internal error occurred. Refer to server log for more information. [2017-11-16 11:06:51]"},
    {.name = "lda_sieve_failed_to_store_into_inbox_temporary",
     // the line above from the LDA, which exits EX_TEMPFAIL (lda/main.c lda_do_deliver())
     .line = "Nov 16 11:06:51 server dovecot: lda(admin@test.com): Error: sieve: "
             "msgid=<201711161006.vAGA6jpH019527@main.nope.org.es>: failed to store into mailbox 'INBOX': Internal "
             "error occurred. Refer to server log for more information. [2017-11-16 11:06:51]",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "Internal error occurred. Refer to server log for more information. [2017-11-16 11:06:51]"},
    {.name = "lmtp_2_3_failed_to_initialize_user_at_data",
     // Dovecot 2.3.0 src/lmtp/lmtp-local.c lmtp_local_deliver(): prefix "lmtp(%s, %s): ", i_error("Failed to
     // initialize user: %s"), answered "451 4.3.0 <rcpt> Temporary internal error" after the message
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301, admin@test.com): Error: Failed to initialize user: "
             "Namespace '': mkdir(/var/vmail/test.com/admin) failed: Permission denied",
     .status = Status::deferred,
     .direction = Direction::local,
     .stage = Stage::end_of_data,
     .agent_text = "Failed to initialize user: Namespace '': mkdir(/var/vmail/test.com/admin) failed: Permission "
                   "denied"},
    {.name = "lmtp_2_3_failed_to_expand_settings",
     // Dovecot 2.3 src/lmtp/lmtp-local.c lmtp_local_deliver(): e_error("Failed to expand settings: %s"), answered
     // "451 4.3.0 Temporary internal error"
     .line = "Nov 16 11:04:32 lmtp(admin@test.com)<30301><cqWOJrBiDVrVeAAABvoInA>: Error: Failed to expand settings: "
             "Unknown variable '%{userdb:home}'",
     .status = Status::deferred,
     .direction = Direction::local,
     .stage = Stage::end_of_data,
     .agent_text = "Failed to expand settings: Unknown variable '%{userdb:home}'"},
    {.name = "lmtp_2_0_user_initialization_failed",
     // Dovecot 2.0-2.2 src/lib-storage/mail-storage-service.c i_error("user %s: Initialization failed: %s"); LMTP
     // answers "451 4.3.0 <rcpt> Temporary internal error" (src/lmtp/commands.c client_deliver())
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301, admin@test.com): Error: user admin@test.com: Initialization "
             "failed: Namespace '': Permission denied",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "Initialization failed: Namespace '': Permission denied"},
    {.name = "lmtp_2_2_16_user_initialization_failed",
     // Dovecot 2.2.16-2.2.36 src/lib-storage/mail-storage-service.c i_error("User initialization failed: %s") with
     // the user's log prefix; LMTP answers "451 4.3.0 <rcpt> Temporary internal error"
     .line = "Nov 16 11:04:32 server dovecot: lmtp(admin@test.com): Error: cqWOJrBiDVrVeAAABvoInA: User initialization "
             "failed: Namespace '': Permission denied",
     .status = Status::deferred,
     .direction = Direction::local,
     .agent_text = "User initialization failed: Namespace '': Permission denied"},
    {.name = "lmtp_proxy_loops_to_itself",
     // Dovecot 2.3-2.4 src/lmtp/lmtp-proxy.c e_error("Proxying to <%s> loops to itself"), answered "554 5.4.6
     // Proxying loops to itself" at RCPT (2.0-2.2 src/lmtp/commands.c the same)
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301): Error: lmtp-server: rcpt admin@test.com: Proxying to "
             "<admin@test.com> loops to itself",
     .status = Status::bounced,
     .direction = Direction::local,
     .stage = Stage::rcpt,
     .reply = "554 5.4.6 Proxying loops to itself",
     .agent_text = "Proxying to <admin@test.com> loops to itself"},
    {.name = "lmtp_2_2_proxy_ttl_looping",
     // Dovecot 2.2 src/lmtp/commands.c i_error("Proxying to <%s> appears to be looping (TTL=0)"), answered
     // "554 5.4.6 <user> Proxying appears to be looping (TTL=0)"
     .line = "Nov 16 11:04:32 server dovecot: lmtp(30301): Error: cqWOJrBiDVrVeAAABvoInA: Proxying to "
             "<admin@test.com> appears to be looping (TTL=0)",
     .status = Status::bounced,
     .direction = Direction::local,
     .stage = Stage::rcpt,
     .reply = "554 5.4.6 Proxying appears to be looping (TTL=0)",
     .agent_text = "Proxying to <admin@test.com> appears to be looping (TTL=0)"},

    // --- failed logins to the submission service: an SMTP AUTH failure ---------------------------------------
    {.name = "submission_login_auth_failed_login",
     // dovecot-fail2ban.log
     .line = "Aug 29 03:17:18 server dovecot: submission-login: Client has quit the connection (auth failed, 1 "
             "attempts in 2 secs): user=<user1>, method=LOGIN, rip=192.0.2.133, lip=0.0.0.0",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 5.7.8 Authentication failed",
     .mechanism = "LOGIN"},
    {.name = "submission_login_auth_failed_plain",
     // dovecot-fail2ban.log
     .line = "Aug 29 03:53:52 server dovecot: submission-login: Remote closed connection (auth failed, 1 attempts in 2 "
             "secs): user=<user4>, method=PLAIN, rip=192.0.2.169, lip=0.0.0.0",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 5.7.8 Authentication failed",
     .mechanism = "PLAIN"},
    {.name = "own_format_submission_login_with_level",
     // dovecot-fail2ban.log imap-login line in Dovecot's own format, process changed to submission-login
     .line = "Aug 30 00:11:05 submission-login: Info: Login aborted: Connection closed (auth failed, 3 attempts in 16 "
             "secs) (auth_failed): user=<info@example.com>, method=PLAIN, rip=192.0.2.110, lip=0.0.0.0, TLS, "
             "session=<CvN+E95Uf4e7eEnj>",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 5.7.8 Authentication failed",
     .mechanism = "PLAIN"},
    {.name = "submission_login_without_method",
     // dovecot-crowdsec.log imap-login line (no method=), process changed to submission-login
     .line = "Oct 12 15:53:32 canyon dovecot: submission-login: Info: Disconnected: Too many invalid commands (auth "
             "failed, 1 attempts in 0 secs): user=<hess@testnew.fr>, rip=172.17.0.1, lip=172.17.0.2, "
             "session=<5Tfu2CnO3pKsEQAB>",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 5.7.8 Authentication failed",
     .mechanism = ""},
};

INSTANTIATE_TEST_SUITE_P(Lines, DovecotEventTest, ::testing::ValuesIn(kEventCases), test::CaseName());

// --- lines that are not SMTP outcomes -------------------------------------------------------------------------------

class DovecotIgnoredTest : public ::testing::TestWithParam<IgnoredCase> {};

TEST_P(DovecotIgnoredTest, IgnoresLine) {
  SmtpEvent event;
  EXPECT_EQ(parse_log_line(GetParam().line, event), ParseOutcome::ignored) << GetParam().line;
}

const IgnoredCase kIgnored[] = {
    // dovecot-crowdsec.log
    {"imap_login_auth_failed",
     "Sep 8 07:16:27 canyon dovecot[7508]: imap-login: Disconnected (auth failed, 1 attempts "
     "in 6 secs): user=<toto@toto.com>, method=PLAIN, rip=1.1.1.1, lip=7.7.7.7, TLS, "
     "session=<azdaDADSqqsvf-za>"},
    // dovecot-crowdsec.log
    {"pop3_login_auth_failed",
     "Oct 12 15:44:43 canyon dovecot: pop3-login: Info: Disconnected: Connection closed (auth "
     "failed, 2 attempts in 30 secs): user=<hess@lol.fr>, method=PLAIN, rip=172.17.0.1, "
     "lip=172.17.0.2, TLS: Connection closed, session=<oEOptynOHNasEQAB>"},
    // dovecot-fail2ban.log
    {"managesieve_login_auth_failed",
     "Jun 13 16:35:56 mx dovecot[241]: managesieve-login: Login aborted: Logged out "
     "(auth failed, 1 attempts in 10 secs) (auth_failed): user=<user@domain>, "
     "method=PLAIN, rip=192.0.2.241, lip=203.0.113.104, TLS, "
     "session=<Dp8j1Ho3suQYdo+k>"},
    // dovecot-crowdsec.log
    {"auth_worker_password_mismatch",
     "Sep 8 07:16:29 canyon dovecot: auth-worker(24058): pam(toto,1.1.1.1,<youpi>): "
     "pam_authenticate() failed: Authentication failure (password mismatch?)"},
    // dovecot-crowdsec.log
    {"auth_unknown_user",
     "2025-01-01T17:05:06.533969+01:00 mail2 dovecot: auth: passwd-file(karen@co.uk,192.168.1.1): "
     "unknown user (SHA1 of given password: 21bd12)"},
    // dovecot-fail2ban.log (Dovecot's own format)
    {"own_format_pop3_login",
     "Jan 29 09:33:58 pop3-login: Info: Aborted login (auth failed, 1 attempts in 2 secs): "
     "user=<grace>, method=PLAIN, rip=212.9.180.3"},
    // dovecot-fail2ban.log (Dovecot's own format)
    {"own_format_imap_login",
     "Aug 30 00:11:05 imap-login: Info: Login aborted: Connection closed (auth failed, 3 "
     "attempts in 16 secs) (auth_failed): user=<info@example.com>, method=PLAIN, "
     "rip=192.0.2.110, lip=0.0.0.0, TLS, session=<CvN+E95Uf4e7eEnj>"},
    // dovecot-fail2ban.log (Dovecot's own format)
    {"own_format_auth_worker",
     "Jan 29 13:54:06 auth-worker(22401): Info: sql(admin@example.de,192.0.2.5,"
     "<n4JLdHNVngZGpV2j>): unknown user"},
    // postfix-modoboa-stats.log
    {"lmtp_connect", "Nov 16 11:00:20 server dovecot: lmtp(30301): Connect from local"},
    // postfix-modoboa-stats.log
    {"lmtp_disconnect", "Nov 16 11:00:20 server dovecot: lmtp(30301): Disconnect from local: Successful quit"},
    // postfix-modoboa-stats.log
    {"sieve_not_sending_reject",
     "Nov 16 11:06:51 server dovecot: lmtp(admin@test.com): wUc3LDtjDVrkeQAABvoInA: sieve: "
     "msgid=<201711161006.vAGA6jpH019527@main.nope.org.es>: not sending reject message to "
     "<>"},
    // postfix-modoboa-stats.log
    {"managesieve_quota_debug",
     "Nov 16 11:16:01 server dovecot: managesieve(admin@test.com): Debug: Quota root: "
     "name=User quota backend=dict args=:proxy::quota"},
    // mail-deliver.c: a failed save into another mailbox is retried into INBOX (mail_do_deliver())
    {"lmtp_save_failed_to_other_mailbox",
     "Nov 16 11:04:32 server dovecot: lmtp(admin@test.com): cqWOJrBiDVrVeAAABvoInA: "
     "msgid=<20171116100432.10564.83744@server.ngyn.org>: save failed to open mailbox Junk: Mailbox doesn't exist: "
     "Junk"},
    // lda/main.c logs "rejected: <error>" next for a full mailbox, which is the one counted
    {"lda_save_failed_quota",
     "Nov 16 11:04:32 server dovecot: lda(admin@test.com): msgid=<20171116100432.10564.83744@server.ngyn.org>: "
     "save failed to INBOX: Quota exceeded (mailbox for user is full)"},
    // pigeonhole cmd-redirect.c: the message is relayed by the MTA, which logs its delivery
    {"sieve_forwarded",
     "Nov 16 11:06:51 server dovecot: lmtp(admin@test.com): wUc3LDtjDVrkeQAABvoInA: sieve: "
     "msgid=<201711161006.vAGA6jpH019527@main.nope.org.es>: forwarded to <other@example.org>"},
    // pigeonhole lda-sieve-plugin.c: the default save that follows logs the outcome
    {"sieve_unsuccessful_implicit_keep",
     "Nov 16 11:06:51 server dovecot: lmtp(admin@test.com): Info: wUc3LDtjDVrkeQAABvoInA: sieve: Execution of "
     "script /var/vmail/test.com/admin/.dovecot.sieve failed with unsuccessful implicit keep"},
    // pigeonhole sieve-actions.c act_store_log_status(): a failed fileinto into another mailbox is followed by the
    // implicit keep, which logs the outcome
    {"sieve_failed_to_store_into_other_mailbox",
     "Nov 16 11:06:51 server dovecot: lmtp(admin@test.com): wUc3LDtjDVrkeQAABvoInA: sieve: "
     "msgid=<201711161006.vAGA6jpH019527@main.nope.org.es>: failed to store into mailbox 'Junk': Quota exceeded "
     "(mailbox for user is full)"},
    // the same into INBOX from the LDA: lda/main.c lda_do_deliver() logs "rejected: <error>" next, counted there
    {"lda_sieve_failed_to_store_into_inbox_quota",
     "Nov 16 11:06:51 server dovecot: lda(admin@test.com): sieve: "
     "msgid=<201711161006.vAGA6jpH019527@main.nope.org.es>: failed to store into mailbox 'INBOX': Quota exceeded "
     "(mailbox for user is full)"},
    // Dovecot 1.1-2.2.13 MAIL_ERRSTR_NO_SPACE is a full mailbox (MAIL_ERROR_NOSPACE): the LDA logs "rejected:" next
    {"lda_2_2_save_failed_not_enough_disk_space",
     "Nov 16 11:04:32 server dovecot: lda(admin@test.com): msgid=<20171116100432.10564.83744@server.ngyn.org>: "
     "save failed to INBOX: Not enough disk space"},
    // pigeonhole cmd-discard.c act_discard_execute() (0.5, 2.4): the message is delivered nowhere by choice; LMTP
    // answers 250 and nothing failed
    {"sieve_marked_discarded",
     "Nov 16 11:06:51 server dovecot: lmtp(admin@test.com): wUc3LDtjDVrkeQAABvoInA: sieve: "
     "msgid=<201711161006.vAGA6jpH019527@main.nope.org.es>: Marked message to be discarded if not explicitly "
     "delivered (discard action)"},
    // Dovecot 2.0-2.4 lib-lda/mail-send.c mail_send_rejection(): follows the LDA's "rejected: <error>", counted there
    {"lda_rejection_return_path_missing",
     "Nov 16 11:04:32 server dovecot: lda(admin@test.com): msgid=<20171116100432.10564.83744@server.ngyn.org>: "
     "Return-Path missing, rejection reason: Quota exceeded (mailbox for user is full)"},
    {"lda_rejection_auto_submitted_discarded",
     "Nov 16 11:04:32 server dovecot: lda(admin@test.com): msgid=<20171116100432.10564.83744@server.ngyn.org>: "
     "Auto-submitted message discarded: Quota exceeded (mailbox for user is full)"},
    // Dovecot 2.3-2.4 lib-lda/mail-deliver.c mail_deliver(): the debug twin of the outcome line logged before it
    {"lmtp_debug_local_delivery_failed",
     "Nov 16 11:04:32 lmtp(admin@test.com)<30301><cqWOJrBiDVrVeAAABvoInA>: Debug: Local delivery failed: Quota "
     "exceeded (mailbox for user is full)"},
    // lmtp-local.c lmtp_local_rcpt_anvil_cb(): "Invalid reply from anvil" is followed by the delivery as usual
    {"lmtp_invalid_anvil_reply",
     "Nov 16 11:04:32 server dovecot: lmtp(30301): Error: lmtp-server: rcpt admin@test.com: Invalid reply from "
     "anvil: x"},
    // pigeonhole sieve-actions.c
    {"sieve_discarded_duplicate_forward",
     "Nov 16 11:06:51 server dovecot: lmtp(admin@test.com): wUc3LDtjDVrkeQAABvoInA: sieve: "
     "msgid=<201711161006.vAGA6jpH019527@main.nope.org.es>: discarded duplicate forward to <other@example.org>"},
    // lmtp-local.c lmtp_local_rcpt_anvil_cb(): the limit is skipped, the recipient goes on
    {"lmtp_error_not_an_outcome",
     "Nov 16 11:04:32 server dovecot: lmtp(30301): Error: cqWOJrBiDVrVeAAABvoInA: "
     "lmtp_user_concurrency_limit lookup failed - skipping: Connection refused"},
    // dovecot-fail2ban.log (no auth attempt: nothing failed)
    {"submission_login_no_auth_attempts",
     "Jun 13 20:48:11 platypus dovecot: submission-login: Disconnected (no auth "
     "attempts): rip=121.44.24.254, lip=113.212.99.194, TLS: Disconnected"},
};

INSTANTIATE_TEST_SUITE_P(Lines, DovecotIgnoredTest, ::testing::ValuesIn(kIgnored), test::CaseName());

TEST(DovecotProgram, ClaimsDovecotDeliveryProcessesAndSubmissionLogin) {
  EXPECT_TRUE(is_dovecot_program("dovecot"));
  EXPECT_TRUE(is_dovecot_program("lmtp(user@test.com)<30301><z5FOLrRhDVpddgAABvoInA>"));
  EXPECT_TRUE(is_dovecot_program("lda(admin@test.com)"));
  EXPECT_TRUE(is_dovecot_program("deliver(admin@test.com)"));
  EXPECT_TRUE(is_dovecot_program("dovecot-lda(admin@test.com)"));
  EXPECT_TRUE(is_dovecot_program("submission-login"));
  EXPECT_TRUE(is_dovecot_program("lda"));
  EXPECT_TRUE(is_dovecot_program("lda(admin@test.com)<30301><cqWOJrBiDVrVeAAABvoInA>"));
  EXPECT_FALSE(is_dovecot_program("imap-login"));
  EXPECT_FALSE(is_dovecot_program("pop3-login"));
  EXPECT_FALSE(is_dovecot_program("auth-worker(22401)"));
  EXPECT_FALSE(is_dovecot_program("postfix/lmtp"));
}

TEST(DovecotRecord, OwnFormatTagIsTheProgram) {
  // the "own_format_lmtp_saved" line
  SyslogRecord record;
  ASSERT_TRUE(
      parse_syslog_line("Nov 16 11:00:20 lmtp(user@test.com)<30301><z5FOLrRhDVpddgAABvoInA>: Info: "
                        "msgid=<cm.2100050552286.huticd.jyidyhxuy.y@cmail19.com>: saved mail to INBOX",
                        record));
  EXPECT_EQ(record.program, "lmtp(user@test.com)<30301><z5FOLrRhDVpddgAABvoInA>");
  SmtpEvent event;
  ASSERT_EQ(parse_dovecot(record, event), ParseOutcome::event);
  EXPECT_EQ(event.status, Status::sent);
  EXPECT_EQ(event.agent_text, "saved mail to INBOX");
}

TEST(DovecotRecord, Dovecot1OwnLogFileStampAfterPrefix) {
  // Dovecot 1.x src/lib/failures.c log_prefix_add(): the log file's prefix "deliver(%s): ", then log_timestamp
  // (default "%b %d %H:%M:%S "), then the level; deliver.c deliver_log() "msgid=%m: %$"
  for (std::string_view message : {"Jun 10 11:22:33 Info: msgid=<abc@x>: rejected: Quota exceeded (mailbox for user "
                                   "is full)",
                                   "2009-06-10 11:22:33 Info: msgid=<abc@x>: rejected: Quota exceeded (mailbox for "
                                   "user is full)"}) {
    SyslogRecord record;
    record.program = "deliver(bob)";
    record.message = message;
    SmtpEvent event;
    ASSERT_EQ(parse_dovecot(record, event), ParseOutcome::event) << message;
    EXPECT_EQ(event.status, Status::bounced);
    EXPECT_EQ(event.direction, Direction::local);
    EXPECT_EQ(event.agent_text, "Quota exceeded (mailbox for user is full)");
  }
  // and a fatal error, after which deliver exits EX_TEMPFAIL
  SyslogRecord record;
  record.program = "deliver(bob)";
  record.message = "Jun 10 11:22:33 Fatal: Namespace initialization failed";
  SmtpEvent event;
  ASSERT_EQ(parse_dovecot(record, event), ParseOutcome::event);
  EXPECT_EQ(event.status, Status::deferred);
  EXPECT_EQ(event.agent_text, "Namespace initialization failed");
}

TEST(DovecotRecord, TemporaryFailureIsDeferred) {
  // postfix-modoboa-stats.log LMTP line with a temporary failure instead of the sieve outcome
  SyslogRecord record;
  record.program = "dovecot";
  record.message = "lmtp(admin@test.com): Error: cqWOJrBiDVrVeAAABvoInA: Temporary failure in user lookup";
  SmtpEvent event;
  ASSERT_EQ(parse_dovecot(record, event), ParseOutcome::event);
  EXPECT_EQ(event.status, Status::deferred);
  EXPECT_EQ(event.direction, Direction::local);
  EXPECT_EQ(event.agent_text, "Temporary failure in user lookup");
}

}  // namespace
}  // namespace mta

// --- hostile Message-IDs, subjects and user names ------------------------------------------------------------------
// The outcome ends the line (deliver_log_format "msgid=%{msgid}: %{message}"); the Message-ID before it is the
// sender's, and so are Subject and From when a site logs them. Whatever they hold, a line yields the event of its
// clean twin. Dovecot writes a Message-ID as <id-left@id-right>, an id-left from a quoted string unquoted.

namespace mta {
namespace {

using HostileFieldCase = test::HostileValueCase;

const HostileFieldCase kHostileMessageIds[] = {
    // issue 9: a quota failure whose Message-ID says "saved mail to" was counted as delivered
    {"saved_without_colon", "x saved mail to INBOX@example.org"},
    {"saved", "a: saved mail to INBOX@example.org"},
    {"closing_bracket_and_saved", "a>: saved mail to INBOX@example.org"},
    {"stored", "d: stored mail into mailbox 'INBOX'@example.org"},
    {"rejected", "b: rejected: no@example.org"},
    {"save_failed", "c: save failed to INBOX: Quota exceeded@example.org"},
    {"temporary_failure", "e: Temporary failure@example.org"},
    {"every_outcome", "f: saved mail to INBOX: rejected: x>: save failed to y: Temporary failure@example.org"},
};

// The clean line's outcome, with the status it stands for from LMTP and from the LDA.
struct OutcomeCase {
  std::string_view outcome;
  Status status;
  Status lda_status;
};

constexpr OutcomeCase kOutcomes[] = {
    {"saved mail to INBOX", Status::sent, Status::sent},
    // LMTP answers 552 5.2.2; the LDA logs "rejected: ..." next
    {"save failed to INBOX: Quota exceeded (mailbox for user is full)", Status::bounced, Status::none},
    {"save failed to INBOX: Internal error occurred. Refer to server log for more information.", Status::deferred,
     Status::deferred},
    {"save failed to open mailbox Junk: Mailbox doesn't exist: Junk", Status::none, Status::none},  // retried
    {"rejected: Quota exceeded (mailbox for user is full)", Status::bounced, Status::bounced},
    {"rejected message from <sender@nope.org.es> (reject)", Status::bounced, Status::bounced},  // sieve reject
    {"stored mail into mailbox 'Junk'", Status::sent, Status::sent},
    {"not sending reject message to <>", Status::none, Status::none},  // sieve: no outcome
    {"forwarded to <alias@example.org>", Status::none, Status::none},  // sieve: no outcome
    // Dovecot 1.1's alphas and betas
    {"Rejected: Quota exceeded", Status::bounced, Status::bounced},
    // sieve's failed keep: LMTP answers 552 5.2.2, the LDA logs "rejected: ..." next
    {"failed to store into mailbox 'INBOX': Quota exceeded (mailbox for user is full)", Status::bounced, Status::none},
    {"failed to store into mailbox 'Junk': Quota exceeded", Status::none, Status::none},  // implicit keep follows
    // MAIL_ERRSTR_NO_SPACE (1.1-2.2.13) is a full mailbox
    {"save failed to INBOX: Not enough disk space", Status::bounced, Status::none},
    {"Marked message to be discarded if not explicitly delivered (discard action)", Status::none, Status::none},
};

// postfix-modoboa-stats.log LMTP line with the outcome and Message-ID of the case
std::string lmtp_line(std::string_view message_id, std::string_view outcome) {
  return "Nov 16 11:04:32 server dovecot: lmtp(admin@test.com): cqWOJrBiDVrVeAAABvoInA: msgid=<" +
         std::string(message_id) + ">: " + std::string(outcome);
}

// postfix-modoboa-stats.log LMTP line in Dovecot's own format
std::string own_format_line(std::string_view message_id, std::string_view outcome) {
  return "Nov 16 11:00:20 lmtp(user@test.com)<30301><z5FOLrRhDVpddgAABvoInA>: Info: sieve: msgid=<" +
         std::string(message_id) + ">: " + std::string(outcome);
}

// deliver_log_format = msgid=%{msgid}, from=%{from}, subject="%{subject}": %{message}
std::string subject_line(std::string_view from, std::string_view subject, std::string_view outcome) {
  return "Nov 16 11:04:32 server dovecot: lda(admin@test.com): msgid=<1@example.org>, from=" + std::string(from) +
         ", subject=\"" + std::string(subject) + "\": " + std::string(outcome);
}

void expect_same_outcome(const std::string& clean_line, const std::string& hostile_line, Status status) {
  SmtpEvent clean;
  SmtpEvent hostile;
  const ParseOutcome clean_outcome = parse_log_line(clean_line, clean);
  ASSERT_EQ(clean_outcome, status == Status::none ? ParseOutcome::ignored : ParseOutcome::event) << clean_line;
  EXPECT_EQ(parse_log_line(hostile_line, hostile), clean_outcome) << hostile_line;
  EXPECT_EQ(hostile.status, status) << hostile_line;
  EXPECT_EQ(hostile.direction, clean.direction) << hostile_line;
  EXPECT_EQ(hostile.agent_text, clean.agent_text) << hostile_line;
}

class DovecotHostileMessageIdTest : public ::testing::TestWithParam<HostileFieldCase> {};

TEST_P(DovecotHostileMessageIdTest, MessageIdChangesNothing) {
  for (const OutcomeCase& outcome : kOutcomes) {
    SCOPED_TRACE(outcome.outcome);
    const std::string_view clean_id = "20171116100432.10564.83744@server.ngyn.org";
    expect_same_outcome(lmtp_line(clean_id, outcome.outcome), lmtp_line(GetParam().value, outcome.outcome),
                        outcome.status);
    expect_same_outcome(own_format_line(clean_id, outcome.outcome), own_format_line(GetParam().value, outcome.outcome),
                        outcome.status);
  }
}

TEST_P(DovecotHostileMessageIdTest, SubjectAndFromChangeNothing) {
  for (const OutcomeCase& outcome : kOutcomes) {
    SCOPED_TRACE(outcome.outcome);
    const std::string clean = subject_line("a@example.org", "Hello", outcome.outcome);
    expect_same_outcome(clean, subject_line("a@example.org", GetParam().value, outcome.outcome), outcome.lda_status);
    expect_same_outcome(clean, subject_line(GetParam().value, "Hello", outcome.outcome), outcome.lda_status);
  }
}

// Sieve's reject names the envelope sender before the action that ends the line.
TEST_P(DovecotHostileMessageIdTest, RejectedSenderChangesNothing) {
  const std::string outcome = "rejected message from <" + std::string(GetParam().value) + "> (reject)";
  const std::string line = lmtp_line("201711161006.vAGA6jpH019527@main.nope.org.es", outcome);
  SmtpEvent event;
  ASSERT_EQ(parse_log_line(line, event), ParseOutcome::event) << line;
  EXPECT_EQ(event.status, Status::bounced);
  EXPECT_EQ(event.direction, Direction::local);
  EXPECT_EQ(event.agent_text, outcome);
}

// LMTP proxying names the recipient twice: in the line, and echoed in the backend's reply. A local part with specials
// is quoted (smtp_address_encode()).
TEST_P(DovecotHostileMessageIdTest, ProxiedRecipientChangesNothing) {
  std::string quoted = "\"";
  for (char c : GetParam().value.substr(0, GetParam().value.find('@'))) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  const std::string address = "<" + quoted + "\"@example.org>";
  for (const auto& [verb, reply, status] :
       {std::tuple<std::string_view, std::string, Status>{"Sent message to", "250 2.0.0 " + address + " x Saved",
                                                          Status::sent},
        {"Failed to send message to", "552 5.2.2 " + address + " Quota exceeded (mailbox for user is full)",
         Status::bounced}}) {
    const std::string line =
        "Nov 16 11:04:32 server dovecot: lmtp(30301): <cqWOJrBiDVrVeAAABvoInA>: " + std::string(verb) + " " + address +
        " at 10.0.0.2:24: " + reply + " (1/1 at 21 ms)";
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(line, event), ParseOutcome::event) << line;
    EXPECT_EQ(event.status, status) << line;
    EXPECT_EQ(event.reply, reply) << line;
  }
}

INSTANTIATE_TEST_SUITE_P(Fields, DovecotHostileMessageIdTest, ::testing::ValuesIn(kHostileMessageIds),
                         test::CaseName());

// Since 2.3 the recipient's address comes before the message too ("rcpt <address>: "), smtp_address_encode()d: a local
// part with specials is quoted. What it holds changes no outcome.
TEST_P(DovecotHostileMessageIdTest, RecipientInLogPrefixChangesNothing) {
  std::string quoted = "\"";
  for (char c : GetParam().value.substr(0, GetParam().value.find('@'))) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  const std::string address = quoted + "\"@example.org";
  for (std::string_view fake :
       {"", ": Sent message to <a> at h:1: 550 5.1.1 no (1/1 at 1 ms)", ": Failed to lookup user x: y"}) {
    const std::string rcpt = address.substr(0, address.size() - 13) + std::string(fake) + "\"@example.org";
    const std::string prefix = "Nov 16 11:04:32 server dovecot: lmtp(30301): ";
    SmtpEvent event;
    // a proxied delivery: the backend's reply decides
    const std::string sent = prefix + "lmtp-server: rcpt " + rcpt + ": <cqWOJrBiDVrVeAAABvoInA>: Sent message to <" +
                             rcpt + "> at 10.0.0.2:24: 250 2.0.0 <" + rcpt + "> x Saved (1/1 at 21 ms)";
    ASSERT_EQ(parse_log_line(sent, event), ParseOutcome::event) << sent;
    EXPECT_EQ(event.status, Status::sent) << sent;
    EXPECT_EQ(event.reply, "250 2.0.0 <" + rcpt + "> x Saved") << sent;
    // an error that is no outcome stays none
    const std::string other = prefix + "Error: lmtp-server: rcpt " + rcpt +
                              ": lmtp_user_concurrency_limit lookup failed - skipping: Connection refused";
    EXPECT_EQ(parse_log_line(other, event), ParseOutcome::ignored) << other;
  }
}

// An outcome logged at the error level (sieve's failed keep) keeps its meaning whatever the Message-ID holds: the
// words of LMTP's failed lookups and initialisations, which come without a Message-ID, do not count after it.
TEST(DovecotHostileMessageIdAtErrorLevelTest, FailureWordsInMessageIdChangeNothing) {
  for (std::string_view message_id :
       {"x: Failed to lookup user y@example.org", "x: User initialization failed: y@example.org",
        "x: Initialization failed: y@example.org", "x: Failed to initialize user: y@example.org",
        "x: Proxying to <y> loops to itself@example.org", "x: Failed to expand settings: y@example.org"}) {
    SCOPED_TRACE(message_id);
    const std::string line =
        "Nov 16 11:06:51 lmtp(admin@test.com)<30301><wUc3LDtjDVrkeQAABvoInA>: Error: sieve: msgid=<" +
        std::string(message_id) + ">: failed to store into mailbox 'INBOX': Quota exceeded (mailbox for user is full)";
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(line, event), ParseOutcome::event) << line;
    EXPECT_EQ(event.status, Status::bounced);
    EXPECT_EQ(event.stage, Stage::unknown);
    EXPECT_EQ(event.agent_text, "Quota exceeded (mailbox for user is full)");
  }
}

// The LMTP recipient's user name follows the words that tell a failed lookup; the words alone decide.
TEST(DovecotHostileLookupTest, UserNameChangesNothing) {
  for (std::string_view user : {"x: Sent message to <a> at h:1: 250 ok (1/1 at 1 ms)", "y: saved mail to INBOX",
                                "z (reject)", "w: rejected: no"}) {
    SCOPED_TRACE(user);
    const std::string line =
        "Nov 16 11:04:32 server dovecot: lmtp(30301): Error: cqWOJrBiDVrVeAAABvoInA: Failed to lookup user " +
        std::string(user) + ": Internal error occurred.";
    SmtpEvent event;
    ASSERT_EQ(parse_log_line(line, event), ParseOutcome::event) << line;
    EXPECT_EQ(event.status, Status::deferred);
    EXPECT_EQ(event.stage, Stage::rcpt);
  }
}

// The user name is the client's; only the reason before it tells a failed login.
TEST(DovecotHostileLoginTest, UserNameChangesNothing) {
  for (std::string_view user : {"x (auth failed, 1 attempts in 2 secs)", "y>, method=XOAUTH2, rip=1.2.3.4",
                                "z): user=<w (auth failed", "(auth failed, method=CRAM-MD5"}) {
    SCOPED_TRACE(user);
    SmtpEvent event;
    EXPECT_EQ(parse_log_line("Aug 29 03:17:18 server dovecot: submission-login: Login: user=<" + std::string(user) +
                                 ">, method=PLAIN, rip=192.0.2.133, lip=0.0.0.0, mpid=4711, TLS",
                             event),
              ParseOutcome::ignored);
    const std::string failed =
        "Aug 29 03:17:18 server dovecot: submission-login: Client has quit the connection "
        "(auth failed, 1 attempts in 2 secs): user=<" +
        std::string(user) + ">, method=LOGIN, rip=192.0.2.133, lip=0.0.0.0";
    ASSERT_EQ(parse_log_line(failed, event), ParseOutcome::event);
    EXPECT_EQ(event.status, Status::auth_failed);
    EXPECT_EQ(event.mechanism, "LOGIN");
  }
}

}  // namespace
}  // namespace mta

// --- who the outcome concerns: the recipient of a delivery, the client of a refusal (report's tables) -------------

namespace mta {
namespace {

using test::WhoCase;

class DovecotWhoTest : public ::testing::TestWithParam<WhoCase> {};

TEST_P(DovecotWhoTest, ReadsRecipientAndClient) { test::expect_whom(GetParam()); }

const WhoCase kWhoCases[] = {
    // dovecot-fail2ban.log
    {"submission_login_client",
     "Aug 29 03:17:18 server dovecot: submission-login: Client has quit the connection (auth failed, 1 attempts in 2 "
     "secs): user=<user1>, method=LOGIN, rip=192.0.2.133, lip=0.0.0.0",
     "", "192.0.2.133"},
    // dovecot-fail2ban.log imap-login line in Dovecot's own format, process changed to submission-login
    {"own_format_submission_login_client",
     "Aug 30 00:11:05 submission-login: Info: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) "
     "(auth_failed): user=<info@example.com>, method=PLAIN, rip=192.0.2.110, lip=0.0.0.0, TLS, "
     "session=<CvN+E95Uf4e7eEnj>",
     "", "192.0.2.110"},
    // lmtp-proxy.c lmtp_proxy_data_cb(): the recipient the backend was sent the message for
    {"lmtp_proxy_recipient",
     "Nov 16 11:04:32 server dovecot: lmtp(30301): <cqWOJrBiDVrVeAAABvoInA>: Failed to send message to "
     "<admin@test.com> at 10.0.0.2:24: 552 5.2.2 <admin@test.com> Quota exceeded (mailbox for user is full) (1/1 at "
     "21 ms)",
     "admin@test.com", ""},
    // postfix-modoboa-stats.log: a delivery by LMTP names its user, not the envelope recipient
    {"lmtp_saved_without_recipient",
     "Nov 16 11:04:32 server dovecot: lmtp(admin@test.com): cqWOJrBiDVrVeAAABvoInA: "
     "msgid=<20171116100432.10564.83744@server.ngyn.org>: saved mail to INBOX",
     "", ""},
    // --- hostile (the lines above, changed): a user name holding a rip= of its own, a quoted recipient with "> at "
    {"user_name_with_rip",
     "Aug 29 03:17:18 server dovecot: submission-login: Client has quit the connection (auth failed, 1 attempts in 2 "
     "secs): user=<y>, method=XOAUTH2, rip=203.0.113.9>, method=LOGIN, rip=192.0.2.133, lip=0.0.0.0",
     "", "192.0.2.133"},
    {"quoted_proxy_recipient",
     R"~(Nov 16 11:04:32 server dovecot: lmtp(30301): <cqWOJrBiDVrVeAAABvoInA>: Sent message to <"a> at b: 550 x"@test.com> at 10.0.0.2:24: 250 2.0.0 <"a> at b: 550 x"@test.com> Saved (1/1 at 21 ms))~",
     R"~("a> at b: 550 x"@test.com)~", ""},
    {"login_without_rip",
     "Aug 29 03:17:18 server dovecot: submission-login: Client has quit the connection (auth failed, 1 attempts in 2 "
     "secs): user=<user1>, method=LOGIN",
     "", ""},
};

INSTANTIATE_TEST_SUITE_P(Lines, DovecotWhoTest, ::testing::ValuesIn(kWhoCases), test::CaseName());

}  // namespace
}  // namespace mta
