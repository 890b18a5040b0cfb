#pragma once
// OpenSMTPD (program smtpd): the report format of 6.4 and later ("<session> smtp failed-command
// command="RCPT TO:<a>" result="550 ..."", "<session> mta delivery ... result="TempFail" stat="..."",
// "<session> mta error reason=BANNER rejected: 421 ...", "<session> smtp bad-input result="500 ...""), 6.0's
// "event=" form of it ("<session> mta event=delivery ..."), and the older "smtp-in: Failed command on session ...",
// "smtp-in: Bad input on session ...", "smtp-out: Error on session ...", "relay: TempFail for ..." and
// "delivery: Ok for ..." lines (also "Expire for ..." of queue.c), 5.7's "smtp-in: session X: received invalid
// input: ...", and 6.7.0p1's forked-process title before the message ("smtpd[pid]: y express[pid]: ...").

#include <string_view>

#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {

// OpenSMTPD logs as "smtpd", which is also a Postfix daemon name: only a bare "smtpd" (no
// "postfix/" or instance prefix) is claimed, and only where the message has OpenSMTPD's shape. Its forked
// processes' titles ("transfer", "delivery", "smtp", "queue", "dispatcher") are claimed the same way.
bool is_opensmtpd_program(std::string_view program);
bool is_opensmtpd_line(const SyslogRecord& record);

// "<16 hex digits of session id> smtp|mta|mda ...": the current report format, read where it starts.
bool is_opensmtpd_report(std::string_view message);

ParseOutcome parse_opensmtpd(const SyslogRecord& record, SmtpEvent& event);

}  // namespace mta
