#include "mta/mta_parsers.hpp"

#include "mta/courier.hpp"
#include "mta/dovecot.hpp"
#include "mta/exim.hpp"
#include "mta/generic.hpp"
#include "mta/log_fields.hpp"
#include "mta/opensmtpd.hpp"
#include "mta/postfix.hpp"
#include "mta/sendmail.hpp"
#include "smtp/text_search.hpp"

namespace mta {
namespace {

// A line without syslog header, given its message a parser expects ("journalctl -o cat"), told by the keys its
// MTA writes itself: outside the quoted local parts of addresses, and for Sendmail's stat= before any Postfix
// ", status=" (whose remote reply may say anything).
bool sendmail_shaped(std::string_view message) {
  const std::size_t colon = message.find(": ");  // after the queue id, if any
  if (message.starts_with("ruleset=") ||
      (colon != std::string_view::npos && message.substr(colon + 2).starts_with("ruleset="))) {
    return find_unquoted(message, ", reject=") != std::string_view::npos;
  }
  const std::size_t stat = find_unquoted(message, ", stat=");
  return stat != std::string_view::npos && stat < find_unquoted(message, ", status=");
}

// OpenSMTPD's reports, and the outcome lines of its releases before 6.4 (smtp_session.c "smtp-in: Failed command
// on session %016llx: \"%s\" => %s", queue.c/mta.c/mda.c "relay: %s for %016llx: ..." and "delivery: %s for ...",
// where %s is Ok, TempFail, PermFail or Expire): their words after the prefix are OpenSMTPD's own.
bool opensmtpd_shaped(std::string_view message) {
  if (!is_opensmtpd_report(message)) {
    constexpr std::string_view kFailedCommand = "smtp-in: Failed command on session ";
    if (message.starts_with(kFailedCommand)) return true;
    for (std::string_view prefix : {std::string_view("relay: "), std::string_view("delivery: ")}) {
      if (!message.starts_with(prefix)) continue;
      const std::string_view rest = message.substr(prefix.size());
      for (std::string_view result : {"Ok for ", "TempFail for ", "PermFail for ", "Expire for "}) {
        if (rest.starts_with(result)) return true;
      }
    }
    return false;
  }
  const std::string_view what = message.substr(17);
  return what.starts_with("smtp failed-command ") || what.starts_with("smtp event=failed-command ") ||
         what.starts_with("mta delivery ") || what.starts_with("mta event=delivery ") ||
         what.starts_with("mda delivery ") || what.starts_with("mda event=delivery ");
}

bool claims_postfix(const SyslogRecord& record) { return is_postfix_program(record.program); }
bool claims_exim(const SyslogRecord& record) { return is_exim_program(record.program); }
bool claims_sendmail(const SyslogRecord& record) { return is_sendmail_program(record.program); }
bool claims_dovecot(const SyslogRecord& record) { return is_dovecot_program(record.program); }
bool claims_courier(const SyslogRecord& record) { return is_courier_program(record.program); }

constexpr MtaParser kParsers[] = {
    {claims_postfix, parse_postfix},      {claims_exim, parse_exim},       {claims_sendmail, parse_sendmail},
    {is_opensmtpd_line, parse_opensmtpd}, {claims_dovecot, parse_dovecot}, {claims_courier, parse_courier},
};

// The parser of an MTA that claims the record; none for programs without a parser of their own.
const MtaParser* claiming_parser(const SyslogRecord& record) {
  for (const MtaParser& parser : kParsers) {
    if (parser.claims(record)) return &parser;
  }
  return nullptr;
}

ParseOutcome parse_headerless(std::string_view line, SmtpEvent& event) {
  // "./smtpd_check: <queue id>: reject: ..." (a Postfix program's own output), a quoted "postfix/smtp[1]: ...";
  // before Exim's own log format, which shares the date: "2024-01-01 00:00:00 host postfix/smtp[1]: ...".
  SyslogRecord partial;
  if (parse_partial_syslog_line(line, partial)) {
    if (const MtaParser* parser = claiming_parser(partial)) return parser->parse(partial, event);
  }
  if (is_exim_log_line(line)) return parse_exim_log_line(line, event);
  SyslogRecord record;
  record.message = line;
  if (opensmtpd_shaped(line)) return parse_opensmtpd(record, event);
  if (sendmail_shaped(line)) return parse_sendmail(record, event);
  const ParseOutcome postfix = looks_like_smtp_outcome(line) || is_postfix_outcome_without_marks(line)
                                   ? parse_postfix_message({}, line, event)
                                   : ParseOutcome::ignored;
  if (postfix == ParseOutcome::event) return postfix;
  const ParseOutcome generic = parse_generic(line, event);
  return generic == ParseOutcome::event ? generic : postfix;
}

}  // namespace

bool looks_like_smtp_outcome(std::string_view text) {
  // Three marks end in ": ": one pass over the colons finds them all (a search each stopped at every colon).
  for (std::size_t colon = text.find(": "); colon != std::string_view::npos; colon = text.find(": ", colon + 1)) {
    const std::string_view before = text.substr(0, colon);
    if (before.ends_with("reject") || before.ends_with(" said") || before.ends_with(" refused to talk to me")) {
      return true;
    }
  }
  static constexpr Needle status(", status=");
  static constexpr Needle auth_failed("authentication failed");
  return status.found_in(text) || auth_failed.found_in(text);
}

ParseOutcome parse_mta_record(const SyslogRecord& record, SmtpEvent& event) {
  if (const MtaParser* parser = claiming_parser(record)) return parser->parse(record, event);
  return parse_generic(record.message, event);
}

ParseOutcome parse_log_line(std::string_view line, SmtpEvent& event) {
  SyslogRecord record;
  if (!parse_syslog_line(line, record)) return parse_headerless(line, event);
  return parse_mta_record(record, event);
}

}  // namespace mta
