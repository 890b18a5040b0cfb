#pragma once
// OpenSMTPD (program smtpd): the current report format ("<session> smtp failed-command
// command="RCPT TO:<a>" result="550 ..."", "<session> mta delivery ... result="TempFail" stat="..."")
// and the older "smtp-in: Failed command on session ..." and "relay: TempFail for ..." lines.

#include <string_view>

#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {

// OpenSMTPD logs as "smtpd", which is also a Postfix daemon name: only a bare "smtpd" (no
// "postfix/" or instance prefix) is claimed, and only where the message has OpenSMTPD's shape.
bool is_opensmtpd_line(const SyslogRecord& record);

// "<16 hex digits of session id> smtp|mta|mda ...": the current report format, read where it starts.
bool is_opensmtpd_report(std::string_view message);

ParseOutcome parse_opensmtpd(const SyslogRecord& record, SmtpEvent& event);

}  // namespace mta
