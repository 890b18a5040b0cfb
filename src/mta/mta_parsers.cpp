#include "mta/mta_parsers.hpp"

#include "mta/exim.hpp"
#include "mta/postfix.hpp"

namespace mta {
namespace {

constexpr MtaParser kParsers[] = {
    {is_postfix_program, parse_postfix},
    {is_exim_program, parse_exim},
};

}  // namespace

bool looks_like_smtp_outcome(std::string_view text) {
  constexpr std::string_view marks[] = {", status=", "reject: ", " said: ", "authentication failed"};
  for (std::string_view mark : marks) {
    if (text.find(mark) != std::string_view::npos) return true;
  }
  return false;
}

ParseOutcome parse_mta_record(const SyslogRecord& record, SmtpEvent& event) {
  for (const MtaParser& parser : kParsers) {
    if (parser.claims(record.program)) return parser.parse(record, event);
  }
  return ParseOutcome::ignored;
}

ParseOutcome parse_log_line(std::string_view line, SmtpEvent& event) {
  SyslogRecord record;
  if (!parse_syslog_line(line, record)) {
    if (is_exim_log_line(line)) return parse_exim_log_line(line, event);
    // A message without its syslog header: read it when it has the shape of a Postfix outcome.
    if (!looks_like_smtp_outcome(line)) return ParseOutcome::ignored;
    return parse_postfix_message({}, line, event);
  }
  return parse_mta_record(record, event);
}

}  // namespace mta
