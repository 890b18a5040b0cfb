#pragma once
// Exim: its own mainlog / rejectlog format ("2026-11-24 12:00:01 1tF3xK-0003Ab-7Q ** ...", with or
// without the pid and message id) and the same lines arriving through syslog (program exim or exim4).
// Deliveries (=>, ->, >> cutthrough), failures (**), deferrals (==), remote replies after "SMTP error from remote
// mail server after ...", ACL rejects (rejected / temporarily rejected, cutthrough rejects after DATA, PRDR refusals
// of single recipients, the "(=" arrival of a message answered by control=fakereject), server and client
// authenticator failures, sessions Exim ended (timeouts, lost connections, connection limits, TLS errors), and the
// delivery lines of the per-message log (msglog: no message id, no flag).

#include <string_view>

#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {

bool is_exim_program(std::string_view program);
ParseOutcome parse_exim(const SyslogRecord& record, SmtpEvent& event);

// A line in Exim's own log-file format; false when the line does not start with an Exim timestamp.
bool is_exim_log_line(std::string_view line);
ParseOutcome parse_exim_log_line(std::string_view line, SmtpEvent& event);

}  // namespace mta
