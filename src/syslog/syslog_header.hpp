#pragma once
// Splits a syslog line into header fields and message. Understands classic BSD syslog
// ("Mar  4 00:00:00 host prog[pid]: msg", optionally <PRI>-prefixed), RFC 3339 timestamps as
// rsyslog writes them ("2026-11-24T10:16:01.448812+00:00 host prog[pid]: msg") and RFC 5424.

#include <cstddef>
#include <string_view>

namespace mta {

struct SyslogRecord {
  std::string_view timestamp;
  std::string_view host;
  std::string_view program;  // the whole tag, e.g. "postfix-out/submission/smtpd"
  std::string_view pid;
  std::string_view message;
};

// Returns false when the line has no recognisable syslog header.
bool parse_syslog_line(std::string_view line, SyslogRecord& record);

// A header a copy left out in part: "prog[pid]: msg", "host prog[pid]: msg" or a date without 'T'
// ("2024-01-01 00:00:00 host prog[pid]: msg"). Any text with a colon has such a tag: the caller decides whether
// the program is one it knows.
bool parse_partial_syslog_line(std::string_view line, SyslogRecord& record);

// The parsers ask for these several times a line, of a tag a few characters long: inline loops of their own, where
// a call of memchr cost more than the scan.

// Last path component of a program tag: "postfix/submission/smtpd" -> "smtpd".
inline std::string_view daemon_name(std::string_view program) {
  std::size_t start = program.size();
  while (start > 0 && program[start - 1] != '/') --start;
  return program.substr(start);
}

// First path component: "postfix-out/smtp" -> "postfix-out".
inline std::string_view program_family(std::string_view program) {
  std::size_t end = 0;
  while (end < program.size() && program[end] != '/') ++end;
  return program.substr(0, end);
}

}  // namespace mta
