#pragma once
// Sendmail: delivery lines ("to=..., mailer=esmtp, relay=..., dsn=5.1.1, stat=User unknown"),
// policy rejects ("ruleset=check_rcpt, ..., reject=550 5.7.1 ..."), milter rejects and verdicts on the connection,
// AUTH failures, refused EXPN, sessions the server ended ("lost input channel ...", "collect: unexpected close on
// connection from ..."), refusals logged in sendmail's own words ("Too many recipients", "message size (n) exceeds
// maximum (m)", ...) and queue expiry ("<id>: DSN: Cannot send message for 5 days").

#include <string_view>

#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {

// sendmail, sm-mta, sm-msp-queue and the process titles sendmail logs under (sm-acceptingconnections).
bool is_sendmail_program(std::string_view program);
ParseOutcome parse_sendmail(const SyslogRecord& record, SmtpEvent& event);

}  // namespace mta
