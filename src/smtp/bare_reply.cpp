#include "smtp/bare_reply.hpp"

#include "smtp/ascii.hpp"
#include "smtp/remote_error.hpp"
#include "smtp/reply.hpp"
#include "smtp/utf8.hpp"

namespace mta {

using namespace std::string_view_literals;
namespace {

std::string_view trim_left(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

// Drops "Diagnostic-Code:" and a diagnostic type ("smtp;", "X-Postfix;"), or Sendmail's "Deferred: " (its stat=
// text for EX_TEMPFAIL before the server's saved 4xx reply, "Deferred: 421 4.4.2 ...", giveresponse() in
// contrib/sendmail/src/deliver.c, freebsd/freebsd-src@2f3342e8).
std::string_view strip_dsn_prefix(std::string_view text) {
  text = trim_left(text);
  if (starts_with_ignoring_case(text, "diagnostic-code:")) text = trim_left(text.substr(16));
  for (std::string_view type : {"smtp;", "x-postfix;", "x-unix;", "deferred: "}) {
    if (starts_with_ignoring_case(text, type)) return trim_left(text.substr(type.size()));
  }
  return text;
}

// Postfix's bounce report names each recipient before its diagnostic, "<%s>: %s" (bounce_recipient_log() in
// postfix/src/bounce/bounce_notify_util.c, vdukhovni/postfix@0bf8270b): drops "<recipient>: " where the text
// starts so, the recipient without blanks (an address, or a local name).
std::string_view strip_recipient(std::string_view text) {
  if (!text.starts_with('<')) return text;
  const std::size_t close = text.find(">: ");
  if (close == std::string_view::npos || close == 1 ||
      text.substr(1, close - 1).find_first_of(" \t<") != std::string_view::npos) {
    return text;
  }
  return trim_left(text.substr(close + 3));
}

// "X-Notes; ", "unknown; ", "X-Outbound-Mail-Relay; ": a DSN diagnostic type (RFC 3464 section 2.3.6,
// an atom) in front of the text. Returns the length of the prefix, 0 when there is none.
std::size_t diagnostic_type_length(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && (is_letter(text[end]) || is_digit(text[end]) || text[end] == '-' || text[end] == '_')) {
    ++end;
  }
  if (end == 0 || !is_letter(text.front()) || end >= text.size() || text[end] != ';') return 0;
  return end + 1;
}

// "Warning:", "Fatal:", "INFO:": the levels some programs log with (Dovecot's capitalised). Not "Error:", with which
// replies also start their text ("452 4.5.3 Error: too many recipients", Postfix smtpd.c).
bool is_log_level(std::string_view word) {
  for (std::string_view level :
       {"Warning", "Info", "Fatal", "Panic", "Debug", "Notice", "INFO", "WARN", "CRIT", "NOTE"}) {
    if (word == level) return true;
  }
  return false;
}

// Whether `text` starts with a letter of an alphabet other than ASCII's in UTF-8, or with Spanish's opening ¡ or ¿:
// Latin with diacritics and its extensions, Greek, Cyrillic, Hebrew, Arabic, the Indic and South-East Asian scripts,
// Georgian, Vietnamese (U+00C0-U+1FFF), kana, CJK ideographs and Hangul. Not the punctuation and symbols around them
// ("«", a typographic quote or dash, the ideographic space and brackets 「」【】 of U+3000-U+303F), which start no
// diagnostic, as an ASCII quote starts none.
bool starts_with_letter_outside_ascii(std::string_view text) {
  const unsigned code = leading_utf8_char(text).code;
  return code == 0xA1 || code == 0xBF || (code >= 0xC0 && code <= 0x1FFF && code != 0xD7 && code != 0xF7) ||
         (code >= 0x3040 && code <= 0x9FFF) || (code >= 0xAC00 && code <= 0xD7AF);
}

// The marks of a log line whose header no parser took, or of a log message that is no diagnostic:
// - anything but a letter (of any alphabet) or a dash in front: a stamp, a path, a bracket, a quote, a syslog
//   priority, "@" of TAI64N,
//   "**" of Exim's own lines, a JSON object (a dash starts the items of a bounce's list and VMS's message codes);
// - a syslog stamp ("Oct 14 19:45:05", ASSP's "Jul-29-16");
// - a leading label or queue ID ("warning: ", "NOQUEUE: ", "B99FE3D: ", "dovecot: ", "INFO: ", "Fatal: "), but not
//   a word a bounce labels its text with ("Reason: ", "Diagnostic: ") or an acronym naming the topic ("DNS: ");
// - a program with its process ID ("exim[3751]:") or facility ("pam_unix(dovecot:auth):");
// - Postfix's key=value fields and session notes.
// A bracketed address inside is no mark: the MTAs' own diagnostics name the server they failed with by it ("connect
// to %s[%s]:%d: %m", smtp_connect.c; "lost connection with %s while %s" and "conversation with %s timed out while
// %s" with session->namaddr "host[addr]", smtp_trouble.c; vdukhovni/postfix@17830e5c). Whether such a text is a
// diagnostic is for the text rules to tell.
bool looks_like_log_line(std::string_view text) {
  if (!is_letter(text.front()) && text.front() != '-' && !starts_with_letter_outside_ascii(text)) return true;
  for (std::string_view month : {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}) {
    if (text.starts_with(month) && text.size() > 4 && (text[3] == ' ' || text[3] == '-') &&
        (is_digit(text[4]) || text[4] == ' ')) {
      return true;
    }
  }
  const std::string_view first = text.substr(0, text.find(' '));
  if (first.size() > 1 && first.back() == ':') {
    const std::string_view token = first.substr(0, first.size() - 1);
    bool plain = true;
    bool digits = false;
    bool upper = false;
    bool lower = false;
    for (const char c : token) {
      plain = plain && (is_letter(c) || is_digit(c) || c == '_');
      digits = digits || is_digit(c);
      upper = upper || is_upper(c);
      lower = lower || is_lower(c);
    }
    // "warning:", "statistics:", "dovecot:", "NOQUEUE:", a queue ID; not "Reason:", "Diagnostic:" or an acronym
    // naming the topic ("DNS:", "SMTP:"), nor the failure's kind that Gmail's bounces wrote before the reply
    // ("Technical details of permanent failure: PERM_FAILURE: SMTP Error (state 16): 550 5.7.1 ...", TEMP_FAILURE;
    // cfortune/PHP-Bounce-Handler bounce_responses.php matches "PERM_FAILURE: DNS Error")
    const bool gmail_failure_kind = token == "PERM_FAILURE" || token == "TEMP_FAILURE";
    if (plain && !gmail_failure_kind && (digits || !upper || (!lower && token.size() >= 5) || is_log_level(token))) {
      return true;
    }
    if (token.ends_with(']') || token.ends_with(')')) return true;  // "exim[3751]:", "pam_unix(dovecot:auth):"
  }
  // "exim[3751842]: " as the first or second word: a program and its process ID
  for (std::size_t end = text.find("]: "); end != std::string_view::npos && end < 80; end = text.find("]: ", end + 1)) {
    std::size_t open = end;
    while (open > 0 && is_digit(text[open - 1])) --open;
    if (open < end && open >= 2 && text[open - 1] == '[' && is_letter(text[open - 2])) return true;
  }
  for (std::string_view field : {"from=<", "to=<", " status=", "logname="}) {
    if (text.find(field) != std::string_view::npos) return true;
  }
  for (std::string_view note : {"connect from ", "disconnect from ", "discarding EHLO keywords"}) {
    if (text.starts_with(note)) return true;
  }
  return false;
}

}  // namespace

bool read_bare_reply(std::string_view text, SmtpEvent& event) {
  text = strip_dsn_prefix(strip_recipient(text));
  // Exchange NDRs: "#550 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain ##"
  if (text.size() > 1 && text.front() == '#' && text[1] >= '2' && text[1] <= '5' && basic_code(text.substr(1)) != 0) {
    text.remove_prefix(1);
  }
  // Postfix's diagnostics in its bounces (smtp_proto.c, smtp_sasl_proto.c): "host H[ip] said: 550 ... (in reply to
  // RCPT TO command)", "host H[ip] refused to talk to me: 554 ...", "SASL authentication failed; server H[ip] said:
  // 535".
  constexpr std::string_view said = " said: ";
  constexpr std::string_view refused = " refused to talk to me: ";
  for (const std::string_view lead : {"host "sv, "SASL authentication failed; server "sv}) {
    if (!starts_with_ignoring_case(text, lead)) continue;
    const std::size_t said_at = text.find(said);
    const std::size_t refused_at = said_at == std::string_view::npos ? text.find(refused) : std::string_view::npos;
    const std::size_t pos = said_at != std::string_view::npos ? said_at : refused_at;
    if (pos == std::string_view::npos) break;
    const std::string_view host = text.substr(lead.size(), pos - lead.size());
    event.remote_host = host.substr(0, host.find('['));
    const ReplyAndStage reply =
        split_in_reply_to(text.substr(pos + (said_at != std::string_view::npos ? said : refused).size()));
    event.reply = reply.reply;
    event.stage = said_at != std::string_view::npos ? reply.stage : Stage::connect;
    return !event.reply.empty();
  }
  // Exim bounce bodies: "SMTP error from remote mail server after RCPT TO:<a>: [host h [ip]: ]550 ..."
  if (text.starts_with("SMTP error from remote") && read_exim_remote_error(text, event)) {
    return basic_code(event.reply) != 0;
  }
  const std::string_view first = text.substr(0, text.find(' '));
  if (basic_code(text) == 0 && !parse_enhanced_code(first.starts_with("#") ? first.substr(1) : first).present()) {
    return false;
  }
  event.reply = text;
  return true;
}

ParenthesisedCodeReply read_parenthesised_code(std::string_view text) {
  text = trim_left(text);
  for (const std::string_view lead : {"permanent error ("sv, "transient error ("sv, "SMTP error ("sv}) {
    if (!starts_with_ignoring_case(text, lead)) continue;
    const std::string_view rest = text.substr(lead.size());
    const int code = rest.size() > 6 && rest.substr(3, 3) == "): " ? basic_code(rest.substr(0, 3)) : 0;
    if (code == 0) return {};
    return {code, rest.substr(6)};
  }
  return {};
}

std::string_view codeless_diagnostic(std::string_view text) {
  // A line that starts with a blank continues an entry (a folded header, a panic log's detail).
  if (text.empty() || text.front() == ' ' || text.front() == '\t') return {};
  text = strip_recipient(text);
  if (starts_with_ignoring_case(text, "diagnostic-code:")) text = trim_left(text.substr(16));
  const std::size_t typed = diagnostic_type_length(text);
  text = trim_left(text.substr(typed));
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return {};
  // A diagnostic type tells a bounce's Diagnostic-Code; without one the text must not read as a log line.
  // Sendmail's own "Deferred: " prefix (its stat= text for EX_TEMPFAIL, e.g. "Deferred: DNS failure: CNAME
  // loop for %.100s", contrib/sendmail/src/domain.c, freebsd/freebsd-src@125167ce) is no log label either.
  if (typed == 0 && !starts_with_ignoring_case(text, "deferred: ") && looks_like_log_line(text)) {
    return {};
  }
  return text;
}

}  // namespace mta
