#include "mta/opensmtpd.hpp"

#include <algorithm>
#include <charconv>

#include "mta/log_fields.hpp"
#include "mta/mta_parsers.hpp"
#include "smtp/ascii.hpp"
#include "smtp/reply.hpp"
#include "smtp/text_search.hpp"

namespace mta {
namespace {

// The value of key="quoted value" or key=value.
std::string_view quoted_field(std::string_view text, std::string_view key) {
  for (std::size_t pos = text.find(key); pos != std::string_view::npos; pos = text.find(key, pos + 1)) {
    if ((pos != 0 && text[pos - 1] != ' ') || pos + key.size() >= text.size() || text[pos + key.size()] != '=')
      continue;
    std::string_view value = text.substr(pos + key.size() + 1);
    if (value.starts_with("\"")) {
      value.remove_prefix(1);
      return value.substr(0, value.find('"'));
    }
    return value.substr(0, value.find(' '));
  }
  return {};
}

// "1s", "2m3s", "1h2m3s", "1d2h".
double parse_duration(std::string_view text) {
  double seconds = 0;
  bool any = false;
  while (!text.empty()) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end == text.data() + text.size()) return any ? seconds : -1;
    const char unit = *end;
    seconds += value * (unit == 'd' ? 86400.0 : unit == 'h' ? 3600.0 : unit == 'm' ? 60.0 : unit == 's' ? 1.0 : 0.0);
    any = true;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()) + 1);
  }
  return any ? seconds : -1;
}

Status status_of_result(std::string_view result) {
  if (result == "Ok") return Status::sent;
  if (result == "TempFail") return Status::deferred;
  if (result == "PermFail") return Status::bounced;
  if (result == "Expire") return Status::expired;  // queue.c queue_log(): "Expire for ...: ... stat=Envelope expired"
  return Status::none;
}

void set_reply_or_text(std::string_view text, SmtpEvent& event) {
  if (basic_code(text) != 0) {
    event.reply = text;
  } else {
    event.agent_text = text;
  }
}

// A quoted value that ends the line ("result=" of smtp_session.c, "stat=" of mta.c): it may hold quotes of its own.
std::string_view last_quoted_value(std::string_view text, std::size_t pos, std::string_view key) {
  std::string_view value = text.substr(pos + key.size() + 3);  // past ' key="'
  if (value.ends_with('"')) value.remove_suffix(1);
  return value;
}

// "... smtp failed-command command="RCPT TO:<a>" result="550 5.1.1 Invalid recipient"". The command is what the
// client sent, quotes and all (strnvis leaves '"' alone); the result, ours, comes last: it starts at the last
// ' result="' (an echoed address is a valid one, without quotes).
ParseOutcome parse_failed_command(std::string_view text, SmtpEvent& event) {
  const std::size_t result = text.rfind(" result=\"");
  const std::size_t open = text.find(" command=\"");
  if (result == std::string_view::npos) return ParseOutcome::unmatched;
  event.reply = last_quoted_value(text, result, "result");
  if (event.reply.empty()) return ParseOutcome::unmatched;
  std::string_view command;
  if (open != std::string_view::npos && open + 10 < result) command = text.substr(open + 10, result - open - 11);
  event.direction = Direction::inbound;
  // 6.0 names the client before the command ("address=192.0.2.1 host=client.example.net command=..."); the command
  // is the client's own, so nothing after it is read.
  if (open != std::string_view::npos) event.client = quoted_field(text.substr(0, open), "address");
  // The verb and the AUTH mechanism: the words the command starts with, whatever the client sent after them.
  const auto word_end = [&command](std::size_t pos) {
    while (pos < command.size() && (is_alnum(command[pos]) || command[pos] == '-' || command[pos] == '_')) ++pos;
    return pos;
  };
  event.stage = stage_from_command(command.substr(0, word_end(0)));
  if (basic_code(event.reply) == 535) {
    // smtp_auth_failure_resume() answers a failed AUTH "535 Authentication failed"; the session is still in an AUTH
    // state, so this line carries the failure (the "smtp authentication ... result=permfail" line before it is not
    // counted again).
    event.status = Status::auth_failed;
    if (event.stage == Stage::auth) {
      const std::size_t mechanism = std::min(command.size(), word_end(0) + 1);
      event.mechanism = command.substr(mechanism, word_end(mechanism) - mechanism);
    }
    event.stage = Stage::auth;
  } else {
    event.status = basic_code(event.reply) / 100 == 4 ? Status::rejected_temporarily : Status::rejected;
  }
  return ParseOutcome::event;
}

// relay="192.0.2.1 (mx.example.com)" (mta_host_to_text(): the address, then the PTR name in parentheses), or
// relay=mx.example.com: the name, else the address.
std::string_view relay_name(std::string_view relay) {
  const std::size_t open = relay.find(" (");
  if (open != std::string_view::npos) {
    const std::size_t close = relay.find(')', open);
    if (close != std::string_view::npos) return relay.substr(open + 2, close - open - 2);
  }
  return relay.substr(0, find_any_of(relay, " ,"));
}

// "... mta delivery evpid=.. to=<a> relay="192.0.2.1 (mx.example.com)" delay=1s result="Ok" stat="250 2.0.0 Ok""
// "... mda delivery evpid=.. user=u delay=0s result="PermFail" stat="Error (...)""
// 6.0 wrote "mta event=delivery" and "mda event=delivery" with the same fields.
ParseOutcome parse_delivery(std::string_view text, bool remote, SmtpEvent& event) {
  event.status = status_of_result(quoted_field(text, "result"));
  if (event.status == Status::none) return ParseOutcome::unmatched;
  event.direction = remote ? Direction::outbound : Direction::local;
  // to= is the address delivered to (rcpt= the one the client gave, "<->" when the same).
  event.recipient = without_brackets(quoted_field(text, "to"));
  event.remote_host = relay_name(quoted_field(text, "relay"));
  event.delay_seconds = parse_duration(quoted_field(text, "delay"));
  // stat= ends the line, mta.c's quoted, mda.c's not ("stat=Error (mda exited prematurely)"). The addresses before
  // it are dot-atoms (valid_localpart), without a space to start " stat=".
  if (const std::size_t pos = text.find(" stat="); pos != std::string_view::npos && pos + 6 < text.size()) {
    set_reply_or_text(text[pos + 6] == '"' ? last_quoted_value(text, pos, "stat") : text.substr(pos + 6), event);
  }
  return ParseOutcome::event;
}

// mta_session.c mta_error(): "BANNER rejected: 421 4.3.2 System not accepting network messages", "EHLO rejected:
// 550 ...", "AUTH rejected: 535 ...": a remote server refused us; the message's envelopes are retried, so only the
// reply is counted. Errors without a reply ("Connection timeout", "IO Error: ...", "Connection closed unexpectedly")
// are followed by the delivery line of a message in flight, which counts them: an attempt.
ParseOutcome parse_mta_error(std::string_view error, SmtpEvent& event) {
  constexpr std::string_view kRejected = " rejected: ";
  const std::size_t rejected = error.find(kRejected);
  if (rejected == std::string_view::npos || rejected == 0 ||
      error.substr(0, rejected).find(' ') != std::string_view::npos) {
    // "opportunistic TLS failed, downgrading to plain": the session goes on without TLS.
    if (error.empty() || error.ends_with(", downgrading to plain")) return ParseOutcome::ignored;
    event.direction = Direction::outbound;
    event.agent_text = error;
    event.implied_class = 4;
    return ParseOutcome::attempt;
  }
  const std::string_view reply = error.substr(rejected + kRejected.size());
  if (basic_code(reply) == 0) return ParseOutcome::ignored;
  const std::string_view command = error.substr(0, rejected);
  event.direction = Direction::outbound;
  event.reply = reply;
  event.stage = command == "BANNER" ? Stage::connect : stage_from_command(command);
  return ParseOutcome::event;
}

// "smtp-out: Error on session 0123456789abcdef: <error>" (before 6.4, and with " after N message(s) sent" since):
// the error after the session id, as mta_error() wrote it.
ParseOutcome parse_old_mta_error(std::string_view text, SmtpEvent& event) {
  const std::size_t colon = text.find(": ");
  if (colon == std::string_view::npos) return ParseOutcome::ignored;
  return parse_mta_error(text.substr(colon + 2), event);
}

// Older releases: "smtp-in: Failed command on session X: "MAIL FROM:<a>" => 421 4.3.0: Temporary Error"
ParseOutcome parse_old_failed_command(std::string_view text, SmtpEvent& event) {
  const std::size_t open = text.find('"');
  const std::size_t arrow = text.rfind("\" => ");
  if (open == std::string_view::npos || arrow == std::string_view::npos || arrow < open) return ParseOutcome::unmatched;
  const std::string_view command = text.substr(open + 1, arrow - open - 1);
  event.reply = text.substr(arrow + 5);
  event.direction = Direction::inbound;
  std::size_t verb_end = 0;
  while (verb_end < command.size() && is_alnum(command[verb_end])) ++verb_end;
  event.stage = stage_from_command(command.substr(0, command.find(':')));
  if (event.stage == Stage::unknown) event.stage = stage_from_command(command.substr(0, verb_end));
  if (basic_code(event.reply) == 535) {
    // 5.4 to 5.9 log "AUTH [...]" (and 5.7 "AUTH PLAIN (...)", "AUTH LOGIN (password)"); 5.0 and 5.3 the line the
    // client sent last, which after AUTH LOGIN is the base64 password: a 535 answers AUTH whatever the line shows.
    // The mechanism, when the command names it as a word.
    event.status = Status::auth_failed;
    if (event.stage == Stage::auth) {
      std::size_t end = verb_end + 1;
      while (end < command.size() && (is_alnum(command[end]) || command[end] == '-' || command[end] == '_')) ++end;
      if (verb_end + 1 < end) event.mechanism = command.substr(verb_end + 1, end - verb_end - 1);
    }
    event.stage = Stage::auth;
    return ParseOutcome::event;
  }
  event.status = basic_code(event.reply) / 100 == 4 ? Status::rejected_temporarily : Status::rejected;
  return ParseOutcome::event;
}

// "smtp-in: Bad input on session X: 500 5.5.1 Invalid command: Pipelining not supported" (before 6.4) and
// "<session> smtp bad-input result="500 5.5.1 ..."" (smtp_session.c smtp_reply()): our reply to a line we could not
// read; the client's line is not logged.
ParseOutcome bad_input(std::string_view reply, SmtpEvent& event) {
  if (basic_code(reply) / 100 != 4 && basic_code(reply) / 100 != 5) return ParseOutcome::unmatched;
  event.reply = reply;
  event.direction = Direction::inbound;
  event.status = basic_code(reply) / 100 == 4 ? Status::rejected_temporarily : Status::rejected;
  return ParseOutcome::event;
}

// Older releases: "relay: TempFail for 1234abcd: from=<a>, to=<b>, ..., delay=2s, stat=..." (queue.c). The
// addresses may hold '=' but no space.
ParseOutcome parse_old_delivery(std::string_view text, bool remote, SmtpEvent& event) {
  const std::string_view result = text.substr(0, text.find(' '));
  event.status = status_of_result(result);
  if (event.status == Status::none) return result == "Remove" ? ParseOutcome::ignored : ParseOutcome::unmatched;
  event.direction = remote ? Direction::outbound : Direction::local;
  // "from=<a>, to=<b>, ...": the sender holds no ", " (no space) to end it early.
  if (const std::size_t to = text.find(", to="); to != std::string_view::npos) {
    const std::string_view value = text.substr(to + 5);
    event.recipient = without_brackets(value.substr(0, value.find(", ")));
  }
  const std::size_t stat = text.find(", stat=");
  if (stat != std::string_view::npos) set_reply_or_text(text.substr(stat + 7), event);
  if (remote) {
    // ", relay=192.0.2.1 (mx.example.com), delay=": mta.c's mta_host_to_text(), before stat=.
    const std::size_t relay = text.find(", relay=");
    if (relay != std::string_view::npos && relay < stat) {
      event.remote_host = relay_name(text.substr(relay + 8, stat - relay - 8));
    }
  }
  const std::size_t delay = text.find(" delay=");
  if (delay != std::string_view::npos) {
    const std::string_view value = text.substr(delay + 7);
    event.delay_seconds = parse_duration(value.substr(0, value.find(',')));
  }
  return ParseOutcome::event;
}

// 6.7.0p1 on Linux: setproctitle() overwrote the argv[0] that syslog's ident points into, so each forked process
// wrote the tail of its title and its pid before the message, after the "smtpd[pid]: " (or "journal[pid]: ") of the
// syslog header: "smtpd[19980]: y express[19980]: eebcd24b54b9d4a3 smtp connected ..." (OpenSMTPD issue #1059, the
// "pony express" process). The title's tail is read up to "[<pid>]: " and left out.
std::string_view strip_forked_title(std::string_view message) {
  const std::size_t open = message.find('[');
  if (open == 0 || open == std::string_view::npos || open > 32) return message;
  for (char c : message.substr(0, open)) {
    if (c == ':' || c == ']') return message;
  }
  std::size_t pos = open + 1;
  while (pos < message.size() && is_digit(message[pos])) ++pos;
  if (pos == open + 1 || !message.substr(pos).starts_with("]: ")) return message;
  return message.substr(pos + 3);
}

}  // namespace

bool is_opensmtpd_report(std::string_view message) {
  if (message.size() < 21 || message[16] != ' ') return false;
  for (char c : message.substr(0, 16)) {
    if (!is_digit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  const std::string_view what = message.substr(17);
  return what.starts_with("smtp ") || what.starts_with("mta ") || what.starts_with("mda ");
}

bool is_opensmtpd_program(std::string_view program) {
  // "smtpd"; and the titles of its forked processes (smtpd.c proc_title()), which some Linux builds log under
  // because setproctitle() rewrites the program name syslog was opened with: before 5.4 "smtp" (smtp-in),
  // "transfer" (mta: relay, smtp-out), "delivery" (mda) and "queue" (queue_log: Expire); since 7.0 "dispatcher".
  for (std::string_view name : {"smtpd", "transfer", "delivery", "smtp", "queue", "dispatcher"}) {
    if (program == name) return true;
  }
  return false;
}

namespace {

// bounce.c bounce_delivery(): "warn: PermFail injecting failure report on message %08x to <%s> for %zu envelope%s:
// %s" (TempFail likewise): the bounce OpenSMTPD writes for envelopes whose failure is counted from their own
// delivery lines could not be handed to its own SMTP server.
bool is_bounce_injection_failure(std::string_view message) {
  return (message.starts_with("warn: PermFail injecting failure report on message ") ||
          message.starts_with("warn: TempFail injecting failure report on message "));
}

bool has_opensmtpd_shape(std::string_view message) {
  return message.starts_with("smtp-in: ") || message.starts_with("smtp-out: ") || message.starts_with("relay: ") ||
         message.starts_with("delivery: ") || is_opensmtpd_report(message) || is_bounce_injection_failure(message);
}

}  // namespace

bool is_opensmtpd_line(const SyslogRecord& record) {
  const std::string_view message = strip_forked_title(record.message);
  // "journal[pid]: y express[pid]: ..." is issue #1059's line as syslog received it under systemd.
  if (!is_opensmtpd_program(record.program) && !(record.program == "journal" && message != record.message)) {
    return false;
  }
  return has_opensmtpd_shape(message);
}

ParseOutcome parse_opensmtpd(const SyslogRecord& record, SmtpEvent& event) {
  event = {};
  event.mta = Mta::opensmtpd;
  const std::string_view text = strip_forked_title(record.message);
  if (text.starts_with("smtp-in: Failed command")) return parse_old_failed_command(text, event);
  // "smtp-in: Authentication failed for user u on session X" and "... temporarily failed ..." (before 6.0; 5.7:
  // "smtp-in: session X: authentication failure for user u", "... authentication temporary failure ..."): the reply
  // that follows ("535 Authentication failed", "421 Temporary failure") is logged by smtp_reply() as a failed
  // command, which is counted. (5.0 and 5.3 logged only 5xx replies so: their 421 after a failing backend is lost.)
  if (text.starts_with("smtp-in: Bad input on session ")) {
    const std::size_t colon = text.find(": ", 9);
    return colon == std::string_view::npos ? ParseOutcome::unmatched : bad_input(text.substr(colon + 2), event);
  }
  // A filter refused the connection (smtp_mfa_response(), IMSG_SMTP_REQ_CONNECT): the session is closed without a
  // reply. 5.0 to 5.9: "smtp-in: Disconnecting session X: rejected by filter"; 5.7: "smtp-in: session X: connection
  // from host h [a] closed (filter rejection)".
  const auto filter_rejection = [&event](std::string_view client = {}) {
    event.client = client;
    event.status = Status::rejected;
    event.direction = Direction::inbound;
    event.stage = Stage::connect;
    event.agent_text = "rejected by filter";
    return ParseOutcome::event;
  };
  if (text.starts_with("smtp-in: Disconnecting session ") && text.ends_with(": rejected by filter")) {
    return filter_rejection();
  }
  // 5.7: "smtp-in: session X: received invalid input: 500 5.5.1 Invalid command: ..." (smtp_reply(), SF_BADINPUT).
  // Its "received invalid command: "<cmd>"" for any other 4xx or 5xx reply does not log the reply.
  if (text.starts_with("smtp-in: session ")) {
    constexpr std::string_view kInvalidInput = ": received invalid input: ";
    const std::size_t pos = text.find(kInvalidInput);
    if (pos != std::string_view::npos && pos == text.find(": ", 17)) {
      return bad_input(text.substr(pos + kInvalidInput.size()), event);
    }
    constexpr std::string_view kFrom = ": connection from host ";
    constexpr std::string_view kClosed = " closed (filter rejection)";
    if (text.ends_with(kClosed)) {
      if (const std::size_t from = text.find(kFrom); from == text.find(": ", 17)) {
        // "...: connection from host <name> [<address>] closed (filter rejection)"
        const std::size_t end = text.size() - kClosed.size();
        const bool named = from != std::string_view::npos && from + kFrom.size() <= end;
        return filter_rejection(named ? text.substr(from + kFrom.size(), end - from - kFrom.size())
                                      : std::string_view{});
      }
    }
    return ParseOutcome::ignored;
  }
  if (text.starts_with("smtp-out: Error on session ")) return parse_old_mta_error(text.substr(27), event);
  if (text.starts_with("relay: ")) return parse_old_delivery(text.substr(7), true, event);
  if (text.starts_with("delivery: ")) return parse_old_delivery(text.substr(10), false, event);
  // What a report line is stands after its session id; the client's words come later. 6.0 wrote "event=" before
  // the name ("smtp event=failed-command", "mta event=delivery", "mta event=error").
  const std::string_view what = is_opensmtpd_report(text) ? text.substr(17) : std::string_view{};
  const auto is = [&what](std::string_view process, std::string_view name) {
    if (!what.starts_with(process)) return false;
    std::string_view rest = what.substr(process.size());
    if (rest.starts_with("event=")) rest.remove_prefix(6);
    return rest.starts_with(name) && rest.size() > name.size() && rest[name.size()] == ' ';
  };
  if (is("smtp ", "failed-command")) return parse_failed_command(text, event);
  if (is("smtp ", "bad-input")) {
    const std::size_t result = text.find(" result=\"");
    return result == std::string_view::npos ? ParseOutcome::unmatched
                                            : bad_input(last_quoted_value(text, result, "result"), event);
  }
  if (is("mta ", "error")) {
    const std::size_t reason = text.find(" reason=", 17);
    return reason == std::string_view::npos ? ParseOutcome::ignored : parse_mta_error(text.substr(reason + 8), event);
  }
  if (is("mta ", "delivery")) return parse_delivery(text, true, event);
  if (is("mda ", "delivery")) return parse_delivery(text, false, event);
  // "smtp authentication user=u result=permfail" (6.0: "smtp event=authentication ... result=permfail") is followed
  // by the "smtp failed-command command="AUTH PLAIN (...)" result="535 Authentication failed"" of the reply
  // (smtp_auth_failure_resume(), still in an AUTH state), which is counted; "result=tempfail" by the failed
  // command of its "421 4.7.0 Temporary failure".
  return ParseOutcome::ignored;
}

}  // namespace mta
