#include "mta/exim.hpp"

#include <algorithm>

#include "mta/log_fields.hpp"
#include "mta/mta_parsers.hpp"
#include "smtp/ascii.hpp"
#include "smtp/remote_error.hpp"
#include "smtp/reply.hpp"

namespace mta {
namespace {

using namespace std::string_view_literals;

bool is_alnum(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

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

// Removes the optional timestamp, "[pid]" and message id ("1j5IF1-0006A7-Ub", "1rZTNF-00000000Z3E-2mXo").
std::string_view strip_prefixes(std::string_view text, bool& has_message_id) {
  has_message_id = false;
  if (const std::size_t length = timestamp_length(text); length != 0) text = skip_spaces(text.substr(length));
  if (text.starts_with("[")) {
    const std::size_t close = text.find("] ");
    if (close != std::string_view::npos && close < 12) text = skip_spaces(text.substr(close + 2));
  }
  const std::size_t space = text.find(' ');
  const std::string_view token = text.substr(0, space);
  const std::size_t dash1 = token.find('-');
  const std::size_t dash2 = token.rfind('-');
  if (dash1 == 6 && dash2 != dash1 && token.size() - dash2 >= 3 && token.size() - dash2 <= 5 &&
      std::all_of(token.begin(), token.end(), [](char c) { return is_alnum(c) || c == '-'; })) {
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
  return value.substr(0, value.find_first_of(" :"));
}

// The explanation of a ** or == line: a remote reply after "SMTP error from remote mail server after
// X: " (or "LMTP error after X: "), else Exim's own text.
void read_failure_text(std::string_view text, SmtpEvent& event) {
  if (read_exim_remote_error(text, event)) {
    // Older releases name the host inside the message, without H=: the reply came from a remote server.
    if (text.find("SMTP error from remote") != std::string_view::npos) event.direction = Direction::outbound;
    return;
  }
  if (const std::size_t pos = text.find("SMTP timeout after "); pos != std::string_view::npos) {
    event.stage = stage_after_exim_command(text.substr(pos + 19));
  }
  event.agent_text = text;
}

// Local transports write to the mail store; a remote host, an smtp transport or a network error mean
// the mail was on its way out. `fields`: Exim's fields before the message.
Direction delivery_direction(std::string_view fields, std::string_view message, bool remote_host) {
  const std::string_view transport = field(fields, "T=");
  for (std::string_view local : {"lmtp"sv, "local"sv, "appendfile"sv, "pipe"sv, "file"sv, "maildir"sv, "mailbox"sv,
                                 "dovecot"sv, "autoreply"sv}) {
    if (transport.find(local) != std::string_view::npos) return Direction::local;
  }
  if (remote_host || transport.find("smtp") != std::string_view::npos) return Direction::outbound;
  if (transport.empty()) {
    // A routing failure: remote unless a router for local addresses (aliases, users) gave up.
    const std::string_view router = field(fields, "R=");
    if (router.empty()) return Direction::outbound;
    for (std::string_view remote : {"dnslookup"sv, "lookuphost"sv, "smarthost"sv, "remote"sv, "manualroute"sv}) {
      if (router.find(remote) != std::string_view::npos) return Direction::outbound;
    }
    return Direction::local;
  }
  for (std::string_view network : {"Connection refused"sv, "Connection timed out"sv, "Network is unreachable"sv,
                                   "No route to host"sv, "Connection reset"sv}) {
    if (message.find(network) != std::string_view::npos) return Direction::outbound;
  }
  return Direction::local;
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
  event.direction = delivery_direction(fields, message, !event.remote_host.empty());
  if (flag == "=>" || flag == "->") {
    event.status = Status::sent;
    constexpr std::string_view confirmation = " C=\"";
    if (const std::size_t pos = find_unquoted(rest, confirmation); pos != std::string_view::npos) {
      const std::string_view reply = rest.substr(pos + confirmation.size());
      event.reply = reply.substr(0, reply.find('"'));
    }
    if (event.reply.empty()) event.agent_text = "delivered";
    return ParseOutcome::event;
  }
  event.status = flag == "**" ? Status::bounced : Status::deferred;
  read_failure_text(message, event);
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
  return Stage::unknown;
}

// "H=host [ip] F=<a> rejected RCPT <b>: text", "... temporarily rejected after DATA: text".
ParseOutcome parse_reject(std::string_view text, std::size_t pos, SmtpEvent& event) {
  const bool temporarily = text.substr(0, pos).ends_with("temporarily ");
  event.status = temporarily ? Status::rejected_temporarily : Status::rejected;
  event.direction = Direction::inbound;
  const std::string_view after = text.substr(pos + 9);  // past "rejected "
  event.stage = reject_stage(after);
  // "RCPT <a> NOTIFY=NEVER: text": the command cited is the client's, its address quoted when it holds specials.
  const std::size_t colon = find_unquoted(after, ": ");
  std::string_view reason = colon == std::string_view::npos ? std::string_view{} : after.substr(colon + 2);
  if (reason.size() >= 2 && reason.front() == '"' && reason.back() == '"') reason = reason.substr(1, reason.size() - 2);
  if (basic_code(reason) != 0) {
    event.reply = reason;
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
      {"dropped: too many ", Status::rejected_temporarily, Stage::unknown},
      {"refused connection from ", Status::rejected, Stage::connect},
      {"dropped by '", Status::rejected, Stage::connect},
      {"closed by DROP in ACL", Status::rejected, Stage::connect},
      {"excess temporarily rejected", Status::rejected_temporarily, Stage::rcpt},
  };
  for (const Refusal& refusal : refusals) {
    const std::size_t pos = find_unquoted(text, refusal.marker);
    if (pos == std::string_view::npos || (end != std::string_view::npos && pos > end)) continue;
    event.status = refusal.status;
    event.direction = Direction::inbound;
    event.stage = refusal.stage;
    if (refusal.marker == "SMTP protocol error in ") {
      std::string_view command = text.substr(pos + refusal.marker.size());
      if (command.starts_with("\"")) command.remove_prefix(1);
      event.stage = stage_after_exim_command(command);
    }
    event.agent_text = text.substr(pos);
    return ParseOutcome::event;
  }
  return ParseOutcome::ignored;
}

ParseOutcome parse_message(std::string_view message, SmtpEvent& event) {
  event = {};
  event.mta = Mta::exim;
  bool has_message_id = false;
  const std::string_view text = strip_prefixes(message, has_message_id);
  const std::string_view flag = text.substr(0, 2);
  if (text.size() > 3 && text[2] == ' ' && (flag == "=>" || flag == "->" || flag == "**" || flag == "==")) {
    return parse_delivery(flag, text.substr(3), event);
  }
  if (flag == "<=" || flag == "*>" || text.starts_with("Completed")) return ParseOutcome::ignored;
  const std::size_t rejected = find_word(text, "rejected ");
  if (const ParseOutcome session = parse_session_refusal(text, rejected, event); session != ParseOutcome::ignored) {
    return session;
  }
  if (rejected != std::string_view::npos) return parse_reject(text, rejected, event);
  if (const std::size_t pos = find_unquoted(text, " authenticator failed for "); pos != std::string_view::npos) {
    return parse_auth_failure(text, pos, event);
  }
  if (find_unquoted(text, "SMTP error from remote mail server after ") != std::string_view::npos) {
    // With a message id this is the host-level copy of a reply that the message's ==/** lines carry
    // per recipient; counting it too would count the reply twice.
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

bool is_exim_log_line(std::string_view line) { return timestamp_length(line) != 0; }

ParseOutcome parse_exim_log_line(std::string_view line, SmtpEvent& event) { return parse_message(line, event); }

}  // namespace mta
