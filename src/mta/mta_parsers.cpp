#include "mta/mta_parsers.hpp"

#include "mta/postfix.hpp"

namespace mta {
namespace {

constexpr MtaParser kParsers[] = {
    {is_postfix_program, parse_postfix},
};

}  // namespace

ParseOutcome parse_mta_record(const SyslogRecord& record, SmtpEvent& event) {
  for (const MtaParser& parser : kParsers) {
    if (parser.claims(record.program)) return parser.parse(record, event);
  }
  return ParseOutcome::ignored;
}

ParseOutcome parse_log_line(std::string_view line, SmtpEvent& event) {
  SyslogRecord record;
  if (!parse_syslog_line(line, record)) return ParseOutcome::ignored;
  return parse_mta_record(record, event);
}

}  // namespace mta
