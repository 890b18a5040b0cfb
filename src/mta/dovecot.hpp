#pragma once
// Dovecot as the local delivery agent (LMTP and LDA): "lmtp(user): msgid=<..>: saved mail to INBOX",
// "save failed to INBOX: Quota exceeded ...", "rejected: Quota exceeded (mailbox for user is full)", sieve's
// "stored mail into mailbox 'X'", "failed to store into mailbox 'INBOX': ..." and "rejected message from <a>
// (reject)", the LDA's "Fatal:" errors (it exits EX_TEMPFAIL), LMTP's failed recipient lookups and initialisations
// ("Failed to lookup user ...", answered 451 4.3.0), its proxy loops (554 5.4.6) and its proxy's "Sent message to <a>
// at host:port: <reply>" lines; Dovecot 1.0's "save failed to INBOX" without a reason and 1.1's early "Rejected: ...";
// in every process prefix ("deliver(user):", "lda(user):", "lda:", "lmtp(pid, user):", "lmtp(user)<pid><session>:",
// through syslog or as the tag of Dovecot's own log, with 1.x's timestamp after the prefix); and failed logins to its
// SMTP submission service. IMAP and POP3 logins are not SMTP and are ignored.

#include <string_view>

#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {

// "dovecot", or Dovecot's own log format where the process ("lmtp(user)<pid><session>") is the tag.
bool is_dovecot_program(std::string_view program);
ParseOutcome parse_dovecot(const SyslogRecord& record, SmtpEvent& event);

}  // namespace mta
