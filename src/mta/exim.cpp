#include "mta/exim.hpp"

#include <algorithm>
#include <array>

#include "mta/log_fields.hpp"
#include "mta/mta_parsers.hpp"
#include "smtp/ascii.hpp"
#include "smtp/remote_error.hpp"
#include "smtp/reply.hpp"
#include "smtp/text_search.hpp"

namespace mta {
namespace {

using namespace std::string_view_literals;

// "2026-11-24 12:00:01" with optional ".123" and " +0100".
std::size_t timestamp_length(std::string_view line) {
  if (line.size() < 19 || !is_digit(line[0]) || line[4] != '-' || line[7] != '-' || line[10] != ' ' ||
      line[13] != ':' || line[16] != ':' || !is_digit(line[18])) {
    return 0;
  }
  std::size_t pos = 19;
  if (pos < line.size() && line[pos] == '.') {
    ++pos;
    while (pos < line.size() && is_digit(line[pos])) ++pos;
  }
  if (pos + 6 <= line.size() && line[pos] == ' ' && (line[pos + 1] == '+' || line[pos + 1] == '-') &&
      std::all_of(line.begin() + static_cast<std::ptrdiff_t>(pos) + 2,
                  line.begin() + static_cast<std::ptrdiff_t>(pos) + 6, is_digit)) {
    pos += 6;
  }
  return pos;
}

std::string_view skip_spaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return text;
}

// A message id, "1j5IF1-0006A7-Ub" (6-6-2 base-62 digits) or, from Exim 4.97 on, "1rZTNF-00000000Z3E-2mXo" (6-11-4).
bool is_message_id(std::string_view token) {
  const bool classic = token.size() == 16 && token[6] == '-' && token[13] == '-';
  const bool long_form = token.size() == 23 && token[6] == '-' && token[18] == '-';
  return (classic || long_form) &&
         std::all_of(token.begin(), token.end(), [](char c) { return is_alnum(c) || c == '-'; }) &&
         std::count(token.begin(), token.end(), '-') == 2;
}

// Removes the optional timestamp, "[pid]" and message id ("1j5IF1-0006A7-Ub", "1rZTNF-00000000Z3E-2mXo").
std::string_view strip_prefixes(std::string_view text, bool& has_message_id) {
  has_message_id = false;
  if (const std::size_t length = timestamp_length(text); length != 0) text = skip_spaces(text.substr(length));
  // "[1234] ": the pid (log_selector +pid); "[127.0.0.1] ..." is no pid.
  if (text.starts_with("[")) {
    const std::size_t close = text.find("] ");
    if (close != std::string_view::npos && close > 1 && close < 12 &&
        std::all_of(text.begin() + 1, text.begin() + static_cast<std::ptrdiff_t>(close), is_digit)) {
      text = skip_spaces(text.substr(close + 2));
    }
  }
  const std::size_t space = text.find(' ');
  if (is_message_id(text.substr(0, space))) {
    text = space == std::string_view::npos ? std::string_view{} : skip_spaces(text.substr(space + 1));
    has_message_id = true;
  }
  return text;
}

// `word` where it starts `text` or follows a space, outside quotes: Exim logs a local part with specials quoted,
// as the client wrote it ("<\"x rejected RCPT\"@example.net>"), and quotes what else a line cites (C="250 OK",
// DN="...", input="..."), so its keywords are read outside quotes only.
std::size_t find_word(std::string_view text, std::string_view word) {
  for (std::size_t pos = find_unquoted(text, word); pos != std::string_view::npos;
       pos = find_unquoted(text, word, pos + 1)) {
    if (pos == 0 || text[pos - 1] == ' ') return pos;
  }
  return std::string_view::npos;
}

// Value of a " K=" field up to the next space ("T=remote_smtp"); for H= the host name before " [ip]".
std::string_view field(std::string_view text, std::string_view key) {
  const std::size_t pos = find_word(text, key);
  if (pos == std::string_view::npos) return {};
  const std::string_view value = text.substr(pos + key.size());
  return value.substr(0, find_any_of(value, " :"));
}

// The client Exim names from the start of `text` on (host_and_ident(): "host [ip]", "(helo) [ip]", "host (helo) [ip]",
// "[ip]", each maybe followed by ":port"), up to the ']' of its address: the first word in brackets, since a HELO name
// in parentheses before it may hold brackets of its own ("([192.0.2.1]) [192.0.2.2]"). With a HELO name only "[ip]":
// the name is the client's to choose, and one client would count under every name it gives. Empty when no such word
// comes before the next field ('=') or the message (": "), as for "U=CALLER".
std::string_view client_address(std::string_view text) {
  bool helo = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '=' || (text[i] == ':' && i + 1 < text.size() && text[i + 1] == ' ')) return {};
    helo = helo || text[i] == '(';
    if (text[i] != '[' || (i != 0 && text[i - 1] != ' ')) continue;
    std::size_t close = i + 1;
    while (close < text.size() && text[close] != ']' && text[close] != ' ') ++close;
    if (close < text.size() && text[close] == ']') return text.substr(helo ? i : 0, close + 1 - (helo ? i : 0));
    i = close - 1;  // a word without its ']': read on from the space after it
  }
  return {};
}

// The client of an "H=host [ip]" field in `fields`, else empty.
std::string_view client_of(std::string_view fields) {
  const std::size_t pos = find_word(fields, "H=");
  return pos == std::string_view::npos ? std::string_view{} : client_address(fields.substr(pos + 2));
}

// The address that starts `text`: "<a@b>" without its brackets (empty when it does not close), else the word up to
// the first space outside quotes, without a ':' that ends it ("a@b: Unrouteable address").
std::string_view leading_address(std::string_view text) {
  if (text.starts_with('<')) {
    const std::size_t close = find_unquoted(text, ">", 1);
    return close == std::string_view::npos ? std::string_view{} : text.substr(1, close - 1);
  }
  std::string_view word = text.substr(0, find_unquoted(text, " "));
  if (word.ends_with(':')) word.remove_suffix(1);
  return word;
}

// The recipient a delivery line starts with: "a@b R=..", "a@b <parent@c> R=..", "a@b: Unrouteable address". A pipe,
// file or ":blackhole:" that an address was routed to gives way to that address, in brackets after it ("|/bin/prog
// <a@b>"). Empty when neither holds an '@' ("=> blackhole (RCPT ACL discarded recipients)").
std::string_view delivery_recipient(std::string_view rest) {
  const std::string_view first = leading_address(rest);
  if (first.find('@') != std::string_view::npos) return first;
  const std::size_t space = find_unquoted(rest, " ");
  if (space == std::string_view::npos || !rest.substr(space + 1).starts_with('<')) return {};
  const std::string_view parent = leading_address(rest.substr(space + 1));
  return parent.find('@') != std::string_view::npos ? parent : std::string_view{};
}

// The text of a quoted field value that starts `text` just past its opening quote (C="250 OK \\"x\\""), up to the
// closing quote; Exim escapes '"' and '\\' inside with a backslash (deliver.c delivery_log).
std::string_view quoted_value(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return text.substr(0, i);
    }
  }
  return text;
}

// The reply of a C="..." confirmation in `text`, else empty.
std::string_view confirmation_of(std::string_view text) {
  constexpr std::string_view confirmation = " C=\"";
  const std::size_t pos = find_unquoted(text, confirmation);
  return pos == std::string_view::npos ? std::string_view{} : quoted_value(text.substr(pos + confirmation.size()));
}

// With log_selector +deliver_time a failure line ends in " DT=<duration>" after its message (deliver.c
// failure_log): "... : 550 No such user DT=1.2s". The duration is one token ("1.2s", "1m3s").
std::string_view without_delivery_time(std::string_view message) {
  const std::size_t pos = message.rfind(" DT=");
  if (pos == std::string_view::npos) return message;
  const std::string_view duration = message.substr(pos + 4);
  if (duration.empty() || duration.size() > 16 || !is_digit(duration.front()) ||
      duration.find(' ') != std::string_view::npos) {
    return message;
  }
  return message.substr(0, pos);
}

// The explanation of a ** or == line: a remote reply after "SMTP error from remote mail server after
// X: " (or "LMTP error after X: "), else Exim's own text.
void read_failure_text(std::string_view text, SmtpEvent& event) {
  if (read_exim_remote_error(text, event)) return;
  if (const std::size_t pos = text.find("SMTP timeout after "); pos != std::string_view::npos) {
    event.stage = stage_after_exim_command(text.substr(pos + 19));
  }
  event.agent_text = text;
}

// Local transports write to the mail store; a remote host, an smtp transport or a network error mean
// the mail was on its way out. `fields`: Exim's fields before the message.
bool is_local_transport(std::string_view transport) {
  for (std::string_view local : {"lmtp"sv, "local"sv, "appendfile"sv, "pipe"sv, "file"sv, "maildir"sv, "mailbox"sv,
                                 "dovecot"sv, "autoreply"sv}) {
    if (transport.find(local) != std::string_view::npos) return true;
  }
  return false;
}

// The direction a transport named on its own shows ("appendfile", "remote_smtp", "t1"): local unless it is smtp.
Direction transport_direction(std::string_view transport) {
  if (is_local_transport(transport)) return Direction::local;
  return transport.find("smtp") != std::string_view::npos ? Direction::outbound : Direction::local;
}

// Texts of a failure that only a delivery to a remote host can have.
bool names_remote_failure(std::string_view message) {
  for (std::string_view network :
       {"Connection refused"sv, "Connection timed out"sv, "Network is unreachable"sv, "No route to host"sv,
        "Connection reset"sv, "host lookup"sv, "lookup of host "sv, "remote host address"sv,
        // older releases name the host inside the message, without H=
        "SMTP error from remote"sv, " MX"sv, "all hosts for "sv, "DANE error"sv,
        "retry time not reached for any host"sv,
        // only the smtp transport writes these (transports/smtp.c: ERRNO_UNKNOWNHOST "failed to lookup IP address
        // for %s", "message has lines too long for transport (received %d, limit %d)")
        "failed to lookup IP address for "sv, "lines too long for transport"sv,
        // EADDRNOTAVAIL binding the outgoing interface ("Cannot assign requested address" on Linux, "Can't ..." on
        // the BSDs, "Address not available" elsewhere; Exim's test suite writes "Netwk addr not available")
        "assign requested address"sv, "Address not available"sv, "Netwk addr not available"sv}) {
    if (message.find(network) != std::string_view::npos) {
      // "lowest numbered MX record points to local host": the route leads back here, to no remote host.
      return message.find("points to local host") == std::string_view::npos;
    }
  }
  return false;
}

Direction delivery_direction(std::string_view fields, std::string_view message, bool remote_host) {
  const std::string_view transport = field(fields, "T=");
  if (is_local_transport(transport)) return Direction::local;
  if (remote_host || transport.find("smtp") != std::string_view::npos) return Direction::outbound;
  if (names_remote_failure(message)) return Direction::outbound;
  if (!transport.empty()) return Direction::local;
  // A routing failure: remote when a router for remote domains gave up, local when one for local addresses
  // (users, aliases, forwards) did; a line without router ("** a@b: retry timeout exceeded", "** a@b : Unrouteable
  // address") or with a router named by the site ("R=r1", "R=bouncer : account disabled") does not tell.
  const std::string_view router = field(fields, "R=");
  for (std::string_view remote : {"dnslookup"sv, "lookuphost"sv, "smarthost"sv, "manualroute"sv, "remote_smtp"sv}) {
    if (router.find(remote) != std::string_view::npos) return Direction::outbound;
  }
  for (std::string_view local :
       {"local"sv, "alias"sv, "user"sv, "forward"sv, "virtual"sv, "procmail"sv, "mailbox"sv, "maildir"sv}) {
    if (router.find(local) != std::string_view::npos) return Direction::local;
  }
  return Direction::unknown;
}

// "=> addr ... C="250 OK id=..."", "** addr R=.. T=..: text", "== addr R=.. defer (-44) H=..: text". The
// addresses come first; Exim's fields from R=, T= or H= on, up to the ": " of the message.
ParseOutcome parse_delivery(std::string_view flag, std::string_view rest, SmtpEvent& event) {
  std::size_t fields_start = rest.size();
  for (std::string_view key : {" R="sv, " T="sv, " H="sv}) {
    fields_start = std::min(fields_start, find_unquoted(rest, key));
  }
  const std::size_t colon = find_unquoted(rest, ": ", fields_start == rest.size() ? 0 : fields_start);
  const std::string_view fields = rest.substr(0, colon);
  const std::string_view message = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 2);
  // "defer (110): Connection timed out H=host [ip]: SMTP timeout after ..." names the host after the errno.
  event.remote_host = field(rest, "H=");
  event.recipient = delivery_recipient(rest);
  event.direction = delivery_direction(fields, message, !event.remote_host.empty());
  // "=>" first address, "->" further addresses of the same delivery, ">>" a cutthrough delivery made while the
  // client waited (verify.c cutthrough_finaldot): all delivered, with the remote confirmation when logged.
  if (flag == "=>" || flag == "->" || flag == ">>") {
    event.status = Status::sent;
    // "=> :blackhole: <a> R=null", "=> discarded <a> R=filter": dropped here by a router or filter, no transport.
    if (event.direction == Direction::unknown) event.direction = Direction::local;
    event.reply = confirmation_of(rest);
    if (event.reply.empty()) event.agent_text = "delivered";
    return ParseOutcome::event;
  }
  event.status = flag == "**" ? Status::bounced : Status::deferred;
  read_failure_text(without_delivery_time(message), event);
  if (event.reply.empty() && event.agent_text.empty()) event.agent_text = rest;
  return ParseOutcome::event;
}

Stage reject_stage(std::string_view verb) {
  if (verb.starts_with("RCPT")) return Stage::rcpt;
  if (verb.starts_with("MAIL")) return Stage::mail;
  if (verb.starts_with("after DATA")) return Stage::end_of_data;
  if (verb.starts_with("DATA")) return Stage::data;
  if (verb.starts_with("connection")) return Stage::connect;
  if (verb.starts_with("EHLO") || verb.starts_with("HELO")) return Stage::helo;
  if (verb.starts_with("AUTH")) return Stage::auth;
  // receive.c rejects a message it has read: "rejected from <a> H=...: message too big: read=.. max=..", "... Too many
  // \"Received\" headers", "... Non-CRLF-terminated header, under CHUNKING", and local_scan()'s verdict, "F=<a> H=...
  // rejected by local_scan(): text"; each is answered after the data.
  if (verb.starts_with("from ") || verb.starts_with("by local_scan()")) return Stage::end_of_data;
  return Stage::unknown;
}

// "H=host [ip] F=<a> rejected RCPT <b>: text", "... temporarily rejected after DATA: text".
ParseOutcome parse_reject(std::string_view text, std::size_t pos, SmtpEvent& event) {
  const bool temporarily = text.substr(0, pos).ends_with("temporarily ");
  event.status = temporarily ? Status::rejected_temporarily : Status::rejected;
  event.direction = Direction::inbound;
  const std::string_view after = text.substr(pos + 9);  // past "rejected "
  event.stage = reject_stage(after);
  // "local_scan() function timed out - message temporarily rejected (size 29)", "... crashed with signal 11 - ...":
  // receive.c, answered "451 ... local verification problem" after the data.
  if (text.starts_with("local_scan() function ")) event.stage = Stage::end_of_data;
  // "RCPT <a> NOTIFY=NEVER: text": the command cited is the client's, its address quoted when it holds specials.
  const std::size_t colon = find_unquoted(after, ": ");
  std::string_view reason = colon == std::string_view::npos ? std::string_view{} : after.substr(colon + 2);
  // The client's H= field comes before "rejected"; what follows it may name other hosts (a callout's, a cutthrough
  // delivery's). smtp_in.c names the client after the command instead ("rejected EHLO from (helo) [ip]: ..."), and
  // receive.c after the sender ("rejected from <a> H=host [ip]: message too big: ...").
  event.client = client_of(text.substr(0, pos));
  if (event.client.empty()) {
    if (after.starts_with("from <")) {
      event.client = client_of(after.substr(0, colon));
    } else if (const std::size_t verb = after.find(' ');
               verb != std::string_view::npos && after.substr(verb).starts_with(" from ")) {
      event.client = client_address(after.substr(verb + 6));
    }
  }
  if (after.starts_with("RCPT ")) event.recipient = leading_address(after.substr(5));
  if (reason.size() >= 2 && reason.front() == '"' && reason.back() == '"') reason = reason.substr(1, reason.size() - 2);
  // A cutthrough delivery refused after DATA passes the remote reply on to the client and logs it as the
  // confirmation: "rejected after DATA: R=all T=smtp H=host [ip] C=\"550 ...\"" (verify.c cutthrough_finaldot).
  const std::string_view confirmed = reason.starts_with("R=") ? confirmation_of(reason) : std::string_view{};
  // A failed recipient callout quotes the remote reply: "rejected RCPT <a>: 127.0.0.1 [127.0.0.1] : SMTP error from
  // remote mail server after RCPT TO:<a>: 550 Recipient not liked" (verify.c); the reject is still ours.
  SmtpEvent callout;
  if (basic_code(confirmed) != 0) {
    event.reply = confirmed;
  } else if (basic_code(reason) != 0) {
    event.reply = reason;
  } else if (read_exim_remote_error(reason, callout) && basic_code(callout.reply) != 0) {
    event.reply = callout.reply;
  } else {
    // Without a reason the line's own fields ("SPF=fail", "in \"connect\" ACL") are the evidence.
    event.agent_text = reason.empty() ? text : reason;
  }
  return ParseOutcome::event;
}

// Exim authenticators carry site-chosen names ("dovecot_login", "plain_server"); the SASL
// mechanism is read from the name.
std::string_view mechanism_of(std::string_view authenticator) {
  struct Entry {
    std::string_view part;
    std::string_view mechanism;
  };
  static constexpr Entry table[] = {{"plain", "PLAIN"}, {"login", "LOGIN"},   {"cram", "CRAM-MD5"},
                                    {"ntlm", "NTLM"},   {"oauth", "XOAUTH2"}, {"gssapi", "GSSAPI"}};
  for (const Entry& entry : table) {
    if (authenticator.find(entry.part) != std::string_view::npos) return entry.mechanism;
  }
  return authenticator;
}

// "dovecot_login authenticator failed for (helo) [ip]:port: 535 Incorrect authentication data (set_id=u)"
ParseOutcome parse_auth_failure(std::string_view text, std::size_t pos, SmtpEvent& event) {
  const std::size_t space = pos == 0 ? std::string_view::npos : text.rfind(' ', pos - 1);
  const std::size_t start = space == std::string_view::npos ? 0 : space + 1;
  event.status = Status::auth_failed;
  event.direction = Direction::inbound;
  event.stage = Stage::auth;
  event.mechanism = mechanism_of(text.substr(start, pos - start));
  // "failed for (helo) [ip]:port: 535 ...", "failed for H=host [ip] U=CALLER: 535 ...".
  std::string_view client = text.substr(pos + 26);  // past " authenticator failed for "
  if (client.starts_with("H=")) client.remove_prefix(2);
  event.client = client_address(client);
  const std::string_view rest = text.substr(pos);
  for (std::size_t colon = rest.find(": "); colon != std::string_view::npos; colon = rest.find(": ", colon + 1)) {
    const std::string_view reply = rest.substr(colon + 2);
    if (basic_code(reply) != 0) {
      event.reply = reply.substr(0, reply.find(" (set_id="));
      return ParseOutcome::event;
    }
  }
  event.agent_text = rest;
  return ParseOutcome::event;
}

// The stage of a client's command as Exim quotes it ("rcpt to:<a@b>", "auth a%b", "EHLO x"): as the client typed it,
// in any case (RFC 5321 section 2.4: verbs are case-insensitive).
Stage stage_of_client_command(std::string_view command) {
  std::array<char, 16> upper{};
  const std::size_t length = std::min(command.size(), upper.size());
  for (std::size_t i = 0; i < length; ++i) {
    const char c = command[i];
    upper[i] = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  }
  const std::string_view verb(upper.data(), length);
  // stage_after_exim_command() also reads Exim's own "end of data" and "initial connection", which no client sends.
  return verb.starts_with("END OF") || verb.starts_with("INITIAL") || verb.starts_with("PIPELINED")
             ? Stage::unknown
             : stage_after_exim_command(verb);
}

// "SMTP protocol synchronization error (...): rejected \"ehlo abcd\" H=..." names the command sent too soon; "...
// (input sent without waiting for greeting): rejected connection from H=..." refuses the connection (smtp_in.c, both
// answered "554 SMTP synchronization error").
Stage synchronization_stage(std::string_view text) {
  constexpr std::string_view rejected = "): rejected ";
  const std::size_t pos = text.find(rejected);
  if (pos == std::string_view::npos) return Stage::unknown;
  const std::string_view what = text.substr(pos + rejected.size());
  if (what.starts_with("connection")) return Stage::connect;
  return what.starts_with("\"") ? stage_of_client_command(what.substr(1)) : Stage::unknown;
}

// smtp_in.c: a client turned away so that connections stay free for the reserve hosts, "temporarily refused connection
// from %s: not in reserve list: connected=...", is answered "421 %s: Too many concurrent SMTP connections; please try
// again later", and one turned away for the load, "...: not in reserve list and load average = %.2f", "421 %s: Too
// much load; please try again later" (Exim/exim@13835a3c). The client (its address and ident; no HELO yet) comes
// first, so the words are looked for from the end.
std::string_view reserve_list_reply(std::string_view text) {
  constexpr std::string_view marker = ": not in reserve list";
  const std::size_t pos = text.rfind(marker);
  if (pos == std::string_view::npos) return {};
  const std::string_view rest = text.substr(pos + marker.size());
  if (rest.starts_with(" and load average = ")) return "421 Too much load; please try again later";
  if (rest.starts_with(": connected=")) return "421 Too many concurrent SMTP connections; please try again later";
  return {};
}

// Sessions Exim refused or dropped as a whole; it answers them with 421, 503 or 554, unlogged. Only a
// marker before `end` (where an ACL reject's "rejected" stands) counts.
ParseOutcome parse_session_refusal(std::string_view text, std::size_t end, SmtpEvent& event) {
  struct Refusal {
    std::string_view marker;
    Status status;
    Stage stage;
  };
  static constexpr Refusal refusals[] = {
      {"SMTP protocol synchronization error", Status::rejected, Stage::unknown},
      {"SMTP protocol error in ", Status::rejected, Stage::unknown},
      // "SMTP syntax error in \"auth a%b\" U=CALLER invalid character ...": answered 501 (smtp_in.c synprot_error)
      {"SMTP syntax error in ", Status::rejected, Stage::unknown},
      // smtp_in.c TOO_MANY_NONMAIL_CMD: smtp_notquit_exit(US"bad-commands", US"554", US"Too many nonmail commands").
      {"dropped: too many nonmail commands", Status::rejected, Stage::unknown},
      {"dropped: too many ", Status::rejected_temporarily, Stage::unknown},
      {"refused connection from ", Status::rejected, Stage::connect},
      {"dropped by '", Status::rejected, Stage::connect},
      {"closed by DROP in ACL", Status::rejected, Stage::connect},
      {"excess temporarily rejected", Status::rejected_temporarily, Stage::rcpt},
      // "too many recipients: message rejected: sender=<a> H=...": past recipients_max with recipients_max_reject,
      // answered "552 too many recipients" (smtp_in.c); its "rejected:" is no ACL reject's "rejected ".
      {"too many recipients: message rejected", Status::rejected, Stage::rcpt},
      // "rejected MAIL command H=..: too many messages in one connection": answered "421 too many messages in this
      // connection" (smtp_in.c), unlike the ACL's "rejected MAIL <a>".
      {"rejected MAIL command ", Status::rejected_temporarily, Stage::mail},
  };
  for (const Refusal& refusal : refusals) {
    const std::size_t pos = find_unquoted(text, refusal.marker);
    if (pos == std::string_view::npos || (end != std::string_view::npos && pos > end)) continue;
    // "temporarily refused connection from [ip]: not in reserve list" is answered with 421 (smtp_in.c).
    event.status = text.substr(0, pos).ends_with("temporarily ") ? Status::rejected_temporarily : refusal.status;
    event.direction = Direction::inbound;
    event.stage = refusal.stage;
    if (refusal.marker == "SMTP protocol error in " || refusal.marker == "SMTP syntax error in ") {
      std::string_view command = text.substr(pos + refusal.marker.size());
      if (command.starts_with("\"")) command.remove_prefix(1);
      event.stage = stage_of_client_command(command);
    } else if (refusal.marker == "SMTP protocol synchronization error") {
      event.stage = synchronization_stage(text.substr(pos));
    }
    if (refusal.marker == "refused connection from " && event.status == Status::rejected_temporarily) {
      event.reply = reserve_list_reply(text.substr(pos));
    }
    if (event.reply.empty()) event.agent_text = text.substr(pos);
    // "... H=(helo) [ip] ...", or host_and_ident() without "H=" after a "from " up to the marker's end: "SMTP call
    // from (helo) [ip] dropped: ...", "SMTP connection from host [ip]:port closed by DROP in ACL", "refused connection
    // from [ip] (host_reject_connection)".
    event.client = client_of(text);
    if (event.client.empty()) {
      const std::size_t end_of_marker = pos + refusal.marker.size();
      if (const std::size_t from = find_word(text.substr(0, end_of_marker), "from "); from != std::string_view::npos) {
        event.client = client_address(text.substr(from + 5));
      }
    }
    return ParseOutcome::event;
  }
  return ParseOutcome::ignored;
}

// "TLS error on connection from (helo) [ip]:port (certificate verification failed): <reason>": the error follows the
// client's address ("[ip]" or "[ip]:port"), not the HELO name in parentheses before it.
bool tls_certificate_refused(std::string_view text) {
  constexpr std::string_view marker = " (certificate verification failed)";
  for (std::size_t pos = text.find(marker); pos != std::string_view::npos; pos = text.find(marker, pos + 1)) {
    if (pos > 0 && (text[pos - 1] == ']' || is_digit(text[pos - 1]))) return true;
  }
  return false;
}

// Sessions Exim ended on its own, each logged at the start of the line without the reply it sent (daemon.c,
// smtp_in.c, receive.c, tls-openssl.c/tls-gnu.c): timeouts and lost connections get "421 ... closing connection" or
// "421 Lost incoming connection", connection limits "421 Too many concurrent SMTP connections", and a client whose
// TLS handshake failed "554 Security failure" to every further command. Where the reply is fixed and the client still
// there to read it, the event carries it (without the host name Exim puts first): smtp_in.c
// smtp_command_timeout_exit() "421 %s: SMTP command timeout - closing connection", smtp_data_timeout_exit() through
// receive.c receive_bomb_out() "421 %s SMTP incoming data timeout - closing connection.", daemon.c "421 Too many
// concurrent SMTP connections; please try again later." ("... connections from this IP address; ..." past
// smtp_accept_max_per_host) and "421 Too much load; please try again later." (Exim/exim@13835a3c).
ParseOutcome parse_session_end(std::string_view text, SmtpEvent& event) {
  struct Ending {
    std::string_view prefix;
    std::string_view marker;  // must follow the prefix somewhere in the line; empty: the prefix alone
    Status status;
    Stage stage;
    std::string_view reply = {};  // the reply Exim sent, when fixed; else the text says what happened
  };
  static constexpr Ending endings[] = {
      {"SMTP command timeout on ", "", Status::rejected_temporarily, Stage::unknown,
       "421 SMTP command timeout - closing connection"},
      {"SMTP data timeout (message abandoned) on connection from ", "", Status::rejected_temporarily, Stage::data,
       "421 SMTP incoming data timeout - closing connection."},
      {"unexpected disconnection while reading SMTP command from ", "", Status::rejected_temporarily, Stage::unknown},
      {"unexpected EOF while reading SMTP command from ", "", Status::rejected_temporarily, Stage::unknown},
      {"SMTP connection ", " lost while reading message data", Status::rejected_temporarily, Stage::data},
      {"Connection from ", " refused: too many connections from that IP address", Status::rejected_temporarily,
       Stage::connect, "421 Too many concurrent SMTP connections from this IP address; please try again later."},
      {"Connection from ", " refused: too many connections", Status::rejected_temporarily, Stage::connect,
       "421 Too many concurrent SMTP connections; please try again later."},
      {"Connection from ", " refused: load average = ", Status::rejected_temporarily, Stage::connect,
       "421 Too much load; please try again later."},
      // A client's TLS handshake that failed (tls-gnu.c, tls-openssl.c: "(gnutls_handshake): ...", "(SSL_accept):
      // ...", "(tls lib accept fn): TCP connection closed by peer") ends the connection before any SMTP reply can reach
      // it, and a TLS set-up error on our side is answered "454 TLS currently unavailable" (smtp_in.c, rc DEFER): both
      // temporary. Only a client certificate refused after the handshake is answered, "554 Security failure" to
      // every command but QUIT (smtp_in.c, rc FAIL; tls-gnu.c "certificate verification failed").
      {"TLS error on connection from ", "", Status::rejected_temporarily, Stage::starttls},
  };
  for (const Ending& ending : endings) {
    if (!text.starts_with(ending.prefix)) continue;
    if (!ending.marker.empty() && find_unquoted(text, ending.marker, ending.prefix.size()) == std::string_view::npos) {
      continue;
    }
    event.status = ending.status;
    if (ending.prefix.starts_with("TLS error") && tls_certificate_refused(text)) event.status = Status::rejected;
    event.direction = Direction::inbound;
    event.stage = ending.stage;
    event.reply = ending.reply;
    if (event.reply.empty()) event.agent_text = text;
    // Each names the client after its first "from ": "... on connection from (helo) [ip]", "SMTP connection Ci=p1
    // from host [ip] lost ...".
    if (const std::size_t from = find_word(text, "from "); from != std::string_view::npos) {
      event.client = client_address(text.substr(from + 5));
    }
    return ParseOutcome::event;
  }
  return ParseOutcome::ignored;
}

// Our smtp transport failing to authenticate at a remote server: "plain authenticator failed H=127.0.0.1
// [127.0.0.1] 535 Incorrect authentication data" (transports/smtp.c; the server side says "failed for").
ParseOutcome parse_client_auth_failure(std::string_view text, std::size_t pos, SmtpEvent& event) {
  constexpr std::string_view marker = " authenticator failed H=";
  const std::string_view host = text.substr(pos + marker.size());
  const std::size_t close = host.find("] ");
  if (close == std::string_view::npos) return ParseOutcome::unmatched;
  event.direction = Direction::outbound;
  event.stage = Stage::auth;
  event.remote_host = host.substr(0, host.find(' '));
  const std::string_view reply = host.substr(close + 2);
  if (basic_code(reply) != 0) {
    event.reply = reply;
  } else {
    event.agent_text = text;
  }
  return ParseOutcome::event;
}

// "U=CALLER a@b F=<s> tmp-reject from cutthrough after DATA: R=all T=smtp H=h [ip] C=\"459 content reject\"": a
// cutthrough delivery's 4xx after DATA, passed on to the client (verify.c cutthrough_finaldot).
ParseOutcome parse_cutthrough_deferral(std::string_view text, std::size_t pos, SmtpEvent& event) {
  event.status = Status::rejected_temporarily;
  event.direction = Direction::inbound;
  event.stage = Stage::end_of_data;
  event.client = client_of(text.substr(0, pos));
  const std::string_view rest = text.substr(pos);
  event.reply = confirmation_of(rest);
  if (basic_code(event.reply) == 0) {
    event.reply = {};
    event.agent_text = rest;
  }
  return ParseOutcome::event;
}

// Exim's per-message log (msglog, spool/msglog/<id>) holds the delivery lines without the message id and without
// the ==/** flag (deliver.c): "a@b R=r T=t defer (-44) H=h [ip]: SMTP error ...", "a@b R=r T=t H=h [ip] : SMTP
// error ...", "routing failed for a@b : Unrouteable address", "a@b <parent>: appendfile transport succeeded".
// The address comes first and holds no '='; anything else is a main-log line without a message id.
ParseOutcome parse_msglog(std::string_view text, SmtpEvent& event) {
  for (std::string_view failed : {"routing failed for "sv, "transporting failed for "sv}) {
    if (text.starts_with(failed)) return parse_delivery("**", text.substr(failed.size()), event);
  }
  const std::size_t first_end = find_unquoted(text, " ");
  if (first_end == std::string_view::npos || first_end == 0) return ParseOutcome::ignored;
  const std::string_view address = text.substr(0, first_end);
  if (find_unquoted(address, "=") != std::string_view::npos) return ParseOutcome::ignored;
  constexpr std::string_view succeeded = " transport succeeded";
  if (text.ends_with(succeeded)) {
    const std::size_t colon = find_unquoted(text, ": ", first_end - 1);
    if (colon == std::string_view::npos || colon + 2 > text.size() - succeeded.size()) return ParseOutcome::ignored;
    const std::string_view transport = text.substr(colon + 2, text.size() - succeeded.size() - colon - 2);
    if (transport.empty() || transport.find(' ') != std::string_view::npos) return ParseOutcome::ignored;
    event.status = Status::sent;
    event.direction = transport_direction(transport);
    event.recipient = delivery_recipient(text);
    event.agent_text = "delivered";
    return ParseOutcome::event;
  }
  if (address.ends_with(":")) return ParseOutcome::ignored;
  // "defer (-44)", "defer (110)": the errno in brackets.
  if (const std::size_t defer = find_unquoted(text, " defer (", first_end); defer != std::string_view::npos) {
    const std::size_t close = text.find(')', defer + 8);
    const std::string_view before = text.substr(first_end, defer - first_end);
    if (close != std::string_view::npos && close - defer <= 16 &&
        find_unquoted(before, ": ") == std::string_view::npos) {
      return parse_delivery("==", text, event);
    }
    return ParseOutcome::ignored;
  }
  // A failure names its router (or transport) right after the address and any "<parent>".
  std::string_view rest = text.substr(first_end + 1);
  if (rest.starts_with("<")) {
    const std::size_t close = find_unquoted(rest, "> ");
    if (close == std::string_view::npos) return ParseOutcome::ignored;
    rest = rest.substr(close + 2);
  }
  if ((rest.starts_with("R=") || rest.starts_with("T=")) && find_unquoted(rest, " : ") != std::string_view::npos) {
    return parse_delivery("**", text, event);
  }
  return ParseOutcome::ignored;
}

// "PRDR R=<a@b> refusal", "PRDR R=<a@b> temporary refusal": the data_prdr ACL's verdict on one recipient, sent to
// the client after the data as that recipient's reply, "550 PRDR R=<a@b> refusal" or "450 ..." (receive.c; "acceptance"
// is the 250). When the ACL set a message Exim logs "PRDR <a@b> <message>" instead, which does not tell the verdict.
ParseOutcome parse_prdr_verdict(std::string_view text, SmtpEvent& event) {
  constexpr std::string_view prefix = "PRDR R=<";
  if (!text.starts_with(prefix)) return ParseOutcome::ignored;
  std::string_view verdict;
  if (text.ends_with("> temporary refusal")) {
    event.status = Status::rejected_temporarily;
    verdict = "> temporary refusal";
  } else if (text.ends_with("> refusal")) {
    event.status = Status::rejected;
    verdict = "> refusal";
  } else {
    return ParseOutcome::ignored;
  }
  if (text.size() >= prefix.size() + verdict.size()) {
    event.recipient = text.substr(prefix.size(), text.size() - prefix.size() - verdict.size());
  }
  event.direction = Direction::inbound;
  event.stage = Stage::end_of_data;
  event.agent_text = text;
  return ParseOutcome::event;
}

// "(= sender H=... P=esmtp S=...": the arrival of a message that an ACL's control=fakereject let in while the client
// was answered "550-Your message has been rejected but is being kept for evaluation..." after the data (the spec's
// "Log line flags": "message fakereject"; receive.c writes "(= " for it where others get "<= "). The client's outcome
// is that reject; the deliveries that follow are the message's own. The text is the flag and the sender: the rest of
// the line (subject, message id) is the sender's to choose.
ParseOutcome parse_fake_reject(std::string_view text, SmtpEvent& event) {
  event.status = Status::rejected;
  event.direction = Direction::inbound;
  event.stage = Stage::end_of_data;
  event.agent_text = text.substr(0, find_unquoted(text, " ", 3));
  event.client = client_of(text);
  return ParseOutcome::event;
}

// One server tried for a message and failed, logged with the message's id before its delivery lines (deliver.c,
// transports/smtp.c; Exim/exim@13835a3c): "H=mx.example [192.0.2.1] Connection refused", "H=mx.example [192.0.2.1]:
// SMTP timeout after EHLO me.example: Connection timed out", "H=mx.example [192.0.2.1]: SMTP error from remote mail
// server after RCPT TO:<a@b.example>: 451 ...", "mx.example [192.0.2.1] Network is unreachable" (without "H=" before
// 4.90), "DANE attempt failed; TLS connection to mx.example [192.0.2.1]: ...", the specification's "Failed to connect
// to mx.example [192.0.2.1]: Connection refused" ("Deferred deliveries"). The ==/** lines carry the last server's
// failure for each recipient, so this is an attempt; the words after the address must be one of those failures
// (an ACL's "H=client [192.0.2.1] Warning: ..." is none).
ParseOutcome parse_host_attempt(std::string_view text, SmtpEvent& event) {
  static constexpr std::string_view failures[] = {"Connection refused",
                                                  "Connection timed out",
                                                  "Connection reset by peer",
                                                  "No route to host",
                                                  "Network is unreachable",
                                                  "Host is unreachable",
                                                  "SMTP timeout after ",
                                                  "Malformed SMTP reply",
                                                  "Remote host closed connection",
                                                  "TLS error on connection",
                                                  "SMTP error from remote mail server after "};
  // Where the words before the host say what failed, the whole line is the failure.
  std::string_view host = text;
  bool whole_line = false;
  for (const std::string_view prefix : {"DANE attempt failed; TLS connection to ", "Failed to connect to "}) {
    if (text.starts_with(prefix)) {
      host = text.substr(prefix.size());
      whole_line = true;
    }
  }
  if (host.starts_with("H=")) host.remove_prefix(2);
  const std::size_t open = host.find(" [");
  const std::size_t close = host.find(']');
  if (open == std::string_view::npos || open == 0 || close == std::string_view::npos || close < open ||
      host.substr(0, open).find(' ') != std::string_view::npos) {
    return ParseOutcome::ignored;
  }
  std::string_view failure = host.substr(close + 1);
  if (failure.starts_with(':') && failure.size() > 1 && is_digit(failure[1])) {  // ":port"
    failure.remove_prefix(1);
    while (!failure.empty() && is_digit(failure.front())) failure.remove_prefix(1);
  }
  failure = failure.starts_with(": ")  ? failure.substr(2)
            : failure.starts_with(' ') ? failure.substr(1)
                                       : std::string_view{};
  if (failure.empty() ||
      (!whole_line && std::none_of(std::begin(failures), std::end(failures),
                                   [failure](std::string_view known) { return failure.starts_with(known); }))) {
    return ParseOutcome::ignored;
  }
  event.direction = Direction::outbound;
  event.remote_host = host.substr(0, open);
  event.implied_class = 4;
  read_failure_text(whole_line ? text : failure, event);
  return ParseOutcome::attempt;
}

// A client that connected and left without a transaction (smtp_in.c, log_selector smtp_no_mail: "no MAIL in [TFO ]SMTP
// connection from host [192.0.2.1] D=11s C=HELO,AUTH,QUIT"): nothing was refused, an attempt.
ParseOutcome parse_no_mail(std::string_view text, SmtpEvent& event) {
  const std::size_t from = text.find(" connection from ");
  if (from == std::string_view::npos) return ParseOutcome::ignored;
  event.direction = Direction::inbound;
  event.stage = Stage::connect;
  event.client = client_address(text.substr(from + 17));
  event.agent_text = text.substr(0, from + 11);
  event.implied_class = 4;
  return ParseOutcome::attempt;
}

// A client's sender that failed verification (acl.c: "H=client [192.0.2.1] sender verify fail for <a@b.example>:
// Unrouteable address", "... sender verify defer for ..."), logged before the refusal that names the ACL's message:
// an attempt. The rules read Exim's words, not the address, which is the client's to choose: a failure is the
// sender's refusal whatever the callout's reason ("sender verify fail", T84), a deferral is told by its reason
// ("host lookup did not complete").
ParseOutcome parse_sender_verify(std::string_view text, std::size_t pos, SmtpEvent& event) {
  constexpr std::string_view failed = "sender verify fail";
  // Exim's own line has the client's fields before the words ("H=host [192.0.2.1]:41584 U=user"); an ACL's logwrite
  // ("H=... Warning: sender verify fail for ...") has its message.
  if (text.substr(0, pos).find(": ") != std::string_view::npos) return ParseOutcome::ignored;
  event.direction = Direction::inbound;
  event.stage = Stage::mail;
  event.client = client_of(text);
  const std::string_view verdict = text.substr(pos);
  if (verdict.starts_with("sender verify fail for")) {
    event.agent_text = verdict.substr(0, failed.size());
    event.implied_class = 5;
  } else {
    const std::size_t reason = find_unquoted(verdict, ">: ");
    event.agent_text = reason == std::string_view::npos ? verdict : verdict.substr(reason + 3);
    event.implied_class = 4;
    // verify.c's callout answer "response to \"RCPT TO:<a>\" from mx.example [192.0.2.9] was: 451 ...": the reply,
    // without the name of the sender domain's server, which the client chose with its sender.
    if (const std::size_t was = find_unquoted(event.agent_text, " was: "); was != std::string_view::npos) {
      event.reply = event.agent_text.substr(was + 6);
      if (basic_code(event.reply) == 0) event.reply = {};
    }
  }
  return ParseOutcome::attempt;
}

// Exim splits what it sends to syslog at each newline and after 870 characters, each part led by "[n/m] " (split for
// length) or "[n\m] " (at a newline); the reject log's header lines, the sender's to write, come as parts too (spec
// "Logging to syslog"). Returns the part number, 0 for a message that is no part, and takes the marker off.
int syslog_part(std::string_view& message) {
  if (!message.starts_with("[")) return 0;
  std::size_t pos = 1;
  int part = 0;
  while (pos < message.size() && pos < 6 && is_digit(message[pos])) part = part * 10 + (message[pos++] - '0');
  if (pos == 1 || pos >= message.size() || (message[pos] != '/' && message[pos] != '\\')) return 0;
  const std::size_t digits = ++pos;
  while (pos < message.size() && pos < digits + 5 && is_digit(message[pos])) ++pos;
  if (pos == digits || pos + 1 >= message.size() || message[pos] != ']' || message[pos + 1] != ' ') return 0;
  message.remove_prefix(pos + 2);
  return part;
}

ParseOutcome parse_message(std::string_view message, SmtpEvent& event) {
  event = {};
  event.mta = Mta::exim;
  // A later part continues a line cut for length or is a header line of the reject log: no outcome of its own.
  if (syslog_part(message) > 1) return ParseOutcome::ignored;
  bool has_message_id = false;
  const std::string_view text = strip_prefixes(message, has_message_id);
  const std::string_view flag = text.substr(0, 2);
  if (text.size() > 3 && text[2] == ' ' &&
      (flag == "=>" || flag == "->" || flag == ">>" || flag == "**" || flag == "==")) {
    return parse_delivery(flag, text.substr(3), event);
  }
  // "*>": a delivery suppressed by -N (C="delivery bypassed by -N option"), nothing was sent.
  if (flag == "<=" || flag == "*>" || text.starts_with("Completed")) return ParseOutcome::ignored;
  if (flag == "(=" && text.size() > 3 && text[2] == ' ') return parse_fake_reject(text, event);
  if (const ParseOutcome prdr = parse_prdr_verdict(text, event); prdr != ParseOutcome::ignored) return prdr;
  // The message log's delivery lines come without message id and flag; their texts may say "rejected".
  if (!has_message_id) {
    if (const ParseOutcome msglog = parse_msglog(text, event); msglog != ParseOutcome::ignored) return msglog;
  }
  if (const ParseOutcome ended = parse_session_end(text, event); ended != ParseOutcome::ignored) return ended;
  if (const std::size_t pos = find_word(text, "tmp-reject from cutthrough after DATA: ");
      pos != std::string_view::npos) {
    return parse_cutthrough_deferral(text, pos, event);
  }
  if (has_message_id) {
    if (const ParseOutcome tried = parse_host_attempt(text, event); tried != ParseOutcome::ignored) return tried;
  }
  if (text.starts_with("no MAIL in ")) return parse_no_mail(text, event);
  // A sender verification's words may quote a callout's reply that says "rejected" ("... was: 451 4.7.1 Greylisted,
  // rejected for now"): read before the refusals. The reply of a callout logged as "SMTP error from remote mail server
  // after ..." is counted below.
  if (find_unquoted(text, "SMTP error from remote mail server after ") == std::string_view::npos) {
    for (const std::string_view verify : {"sender verify fail for <", "sender verify defer for <"}) {
      if (const std::size_t pos = find_word(text, verify); pos != std::string_view::npos) {
        return parse_sender_verify(text, pos, event);
      }
    }
  }
  const std::size_t rejected = find_word(text, "rejected ");
  if (const ParseOutcome session = parse_session_refusal(text, rejected, event); session != ParseOutcome::ignored) {
    return session;
  }
  if (rejected != std::string_view::npos) return parse_reject(text, rejected, event);
  if (const std::size_t pos = find_unquoted(text, " authenticator failed for "); pos != std::string_view::npos) {
    return parse_auth_failure(text, pos, event);
  }
  if (const std::size_t pos = find_unquoted(text, " authenticator failed H="); pos != std::string_view::npos) {
    return parse_client_auth_failure(text, pos, event);
  }
  if (find_unquoted(text, "SMTP error from remote mail server after ") != std::string_view::npos) {
    // With a message id this is the host-level copy of a reply that the message's ==/** lines carry
    // per recipient (parse_host_attempt()); counting it too would count the reply twice.
    if (has_message_id) return ParseOutcome::ignored;
    // Without one it answers a callout (sender or recipient verification) during an SMTP session.
    event.direction = Direction::outbound;
    event.remote_host = field(text, "H=");
    read_failure_text(text, event);
    return event.reply.empty() ? ParseOutcome::unmatched : ParseOutcome::event;
  }
  return looks_like_smtp_outcome(text) ? ParseOutcome::unmatched : ParseOutcome::ignored;
}

}  // namespace

bool is_exim_program(std::string_view program) {
  const std::string_view name = daemon_name(program);
  return name == "exim" || name == "exim4";
}

ParseOutcome parse_exim(const SyslogRecord& record, SmtpEvent& event) { return parse_message(record.message, event); }

// A line of Exim's own log, or one quoted without its date and time ("1rZTNF-00000000Z3E-2mXo ** a@b.c R=... : ..."):
// a message id then one of the flags that Exim's specification ("Log line flags") lists for the arrival and every
// delivery outcome.
bool is_exim_log_line(std::string_view line) {
  if (timestamp_length(line) != 0) return true;
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos || !is_message_id(line.substr(0, space))) return false;
  const std::string_view flag = line.substr(space + 1, 3);
  return flag == "<= " || flag == "(= " || flag == "=> " || flag == "-> " || flag == ">> " || flag == "*> " ||
         flag == "** " || flag == "== ";
}

ParseOutcome parse_exim_log_line(std::string_view line, SmtpEvent& event) { return parse_message(line, event); }

}  // namespace mta
