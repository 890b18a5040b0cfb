#pragma once
// Postfix: delivery results (smtp, lmtp, local, virtual, pipe, error), qmgr expiry, smtpd /
// postscreen / cleanup rejects including milter rejects, and SASL authentication failures.

#include <string_view>

#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {

// True for "postfix/...", instance names such as "postfix-out/smtp", and custom syslog_name setups
// whose last component is a Postfix daemon ("mailout/smtpd").
bool is_postfix_program(std::string_view program);

ParseOutcome parse_postfix(const SyslogRecord& record, SmtpEvent& event);

// The message part alone, as journalctl -o cat prints it; an empty daemon is inferred from the text.
ParseOutcome parse_postfix_message(std::string_view daemon, std::string_view message, SmtpEvent& event);

// Postfix's own texts of an outcome that name none of an outcome's usual marks (looks_like_smtp_outcome()):
// "<queue id>: lost connection with mx[ip] while ...", the client's note of a failure with one server before it tries
// again (no delivery line reports it), and postscreen's "COMMAND COUNT LIMIT from [ip]:port after CMD" and its kin.
bool is_postfix_outcome_without_marks(std::string_view message);

}  // namespace mta
