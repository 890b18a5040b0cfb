#pragma once
// The table of MTA parsers: each claims lines by program name and reads them into SMTP events.

#include <string_view>

#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {

struct MtaParser {
  bool (*claims)(const SyslogRecord& record);
  ParseOutcome (*parse)(const SyslogRecord& record, SmtpEvent& event);
};

// Dispatches a syslog record to the parser of its program; lines of other programs go to the
// generic fallback, which counts only lines that hold a basic and an enhanced reply code.
ParseOutcome parse_mta_record(const SyslogRecord& record, SmtpEvent& event);

// True for text with the marks of an SMTP outcome (a delivery status, a reject, a remote reply, an
// AUTH failure): such a line that no parser could read counts as unmatched, not ignored.
bool looks_like_smtp_outcome(std::string_view text);

// Reads a whole log line: syslog header, then the MTA parser.
ParseOutcome parse_log_line(std::string_view line, SmtpEvent& event);

}  // namespace mta
