#pragma once
// Sendmail: delivery lines ("to=..., mailer=esmtp, relay=..., dsn=5.1.1, stat=User unknown"),
// policy rejects ("ruleset=check_rcpt, ..., reject=550 5.7.1 ..."), milter rejects, AUTH failures, refused EXPN,
// and sessions the server ended ("lost input channel ...", "collect: unexpected close on connection from ...").

#include <string_view>

#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {

// sendmail, sm-mta, sm-msp-queue and the process titles sendmail logs under (sm-acceptingconnections).
bool is_sendmail_program(std::string_view program);
ParseOutcome parse_sendmail(const SyslogRecord& record, SmtpEvent& event);

}  // namespace mta
