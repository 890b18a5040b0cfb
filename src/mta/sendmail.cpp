#include "mta/sendmail.hpp"

#include <algorithm>
#include <charconv>

#include "mta/log_fields.hpp"
#include "mta/mta_parsers.hpp"
#include "smtp/ascii.hpp"
#include "smtp/reply.hpp"

namespace mta {
namespace {

// "12:34:45" or "1+02:03:04" (days+hh:mm:ss).
double parse_delay(std::string_view text) {
  double days = 0;
  if (const std::size_t plus = text.find('+'); plus != std::string_view::npos) {
    int value = 0;
    std::from_chars(text.data(), text.data() + plus, value);
    days = value;
    text.remove_prefix(plus + 1);
  }
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return -1;
  const auto number = [&](std::size_t pos) { return (text[pos] - '0') * 10 + (text[pos + 1] - '0'); };
  for (std::size_t pos : {0u, 3u, 6u}) {
    if (!is_digit(text[pos]) || !is_digit(text[pos + 1])) return -1;
  }
  return days * 86400 + number(0) * 3600 + number(3) * 60 + number(6);
}

bool is_local_mailer(std::string_view mailer) {
  return mailer == "local" || mailer == "prog" || mailer == "procmail" || mailer == "cyrus" || mailer == "cyrusv2" ||
         mailer == "lmtp" || mailer == "mail.local" || mailer == "*file*" || mailer == "*include*";
}

std::string_view strip_queue_id(std::string_view message) {
  const std::size_t colon = message.find(": ");
  if (colon == std::string_view::npos || colon > 20) return message;
  const std::string_view id = message.substr(0, colon);
  for (char c : id) {
    if (!is_digit(c) && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z')) return message;
  }
  return message.substr(colon + 2);
}

// "to=<a>,<b>, ctladdr=.., delay=.., xdelay=.., mailer=.., pri=.., relay=.., dsn=.., [reply=.., ]stat=..."
// (deliver.c logdelivery). The recipients are the sender's to choose; their list ends at the first ", " outside
// quotes. stat= comes last and holds text with ", " of its own.
ParseOutcome parse_delivery(std::string_view body, SmtpEvent& event) {
  const std::size_t to_end = find_unquoted(body, ", ");
  // A recipient cut short to fit the syslog buffer leaves a quote open: stat= is then the last one.
  const std::size_t stat_pos =
      to_end != std::string_view::npos ? find_unquoted(body, ", stat=", to_end) : body.rfind(", stat=");
  if (stat_pos == std::string_view::npos || stat_pos + 7 == body.size()) return ParseOutcome::unmatched;
  std::string_view stat = body.substr(stat_pos + 7);
  const std::string_view fields = body.substr(0, stat_pos).substr(std::min(to_end, stat_pos));
  // "stat=queued": the message waits for a later queue run (queue-only delivery mode, or the load
  // average over QueueLA); nothing was tried yet, so there is no outcome to count.
  if (stat == "queued") return ParseOutcome::ignored;
  event.dsn = comma_field(fields, "dsn");
  const EnhancedCode dsn = parse_enhanced_code(event.dsn);
  if (stat.starts_with("Sent")) {
    event.status = Status::sent;
  } else if (stat.starts_with("Deferred")) {
    event.status = Status::deferred;
  } else if (dsn.klass == 4) {
    event.status = Status::deferred;
  } else if (dsn.klass == 2) {
    event.status = Status::sent;
  } else {
    event.status = Status::bounced;
  }
  const std::string_view mailer = comma_field(fields, "mailer");
  event.direction = is_local_mailer(mailer) ? Direction::local : Direction::outbound;
  const std::string_view relay = comma_field(fields, "relay");
  event.remote_host = relay.substr(0, relay.find(' '));
  if (event.remote_host.ends_with('.')) event.remote_host.remove_suffix(1);
  if (event.remote_host.starts_with("[")) event.remote_host = {};
  event.delay_seconds = parse_delay(comma_field(fields, "delay"));
  if (stat.starts_with("Deferred: ")) stat.remove_prefix(10);
  if (stat.starts_with("Sent (")) {
    stat = stat.substr(6, stat.size() > 7 ? stat.size() - 7 : 0);
    if (basic_code(stat) == 0) stat = "Sent";  // "Sent (<queue id> Message accepted for delivery)"
  }
  // Sendmail 8.16+ logs the remote reply in reply=, just before stat= (which then holds its own summary).
  if (const std::size_t reply = find_unquoted(fields, ", reply="); reply != std::string_view::npos) {
    const std::string_view text = fields.substr(reply + 8);
    if (basic_code(text) != 0) {
      event.reply = text;
      return ParseOutcome::event;
    }
  }
  if (basic_code(stat) != 0) {
    event.reply = stat;
  } else {
    event.agent_text = stat;
  }
  return ParseOutcome::event;
}

Stage ruleset_stage(std::string_view ruleset) {
  if (ruleset == "check_relay") return Stage::connect;
  if (ruleset == "check_mail") return Stage::mail;
  if (ruleset == "check_rcpt") return Stage::rcpt;
  if (ruleset == "check_data" || ruleset == "check_eoh" || ruleset == "check_eom") return Stage::end_of_data;
  return Stage::unknown;
}

// "ruleset=check_rcpt, arg1=<a>, relay=h [ip], reject=550 5.7.1 <a>... Relaying denied"
// "Milter: to=<a>, reject=550 5.7.1 ...", "Milter: data, reject=554 5.7.1 ..."
// reject= comes last; the arguments before it are the client's.
ParseOutcome parse_reject(std::string_view body, std::size_t pos, SmtpEvent& event) {
  event.reply = body.substr(pos + 9);
  event.status = basic_code(event.reply) / 100 == 4 ? Status::rejected_temporarily : Status::rejected;
  event.direction = Direction::inbound;
  const std::string_view ruleset = comma_field(body, "ruleset");
  event.stage = ruleset_stage(ruleset);
  if (body.starts_with("Milter: ")) {
    const std::string_view what = body.substr(8);
    event.stage = what.starts_with("to=") ? Stage::rcpt : what.starts_with("from=") ? Stage::mail : Stage::end_of_data;
  }
  return ParseOutcome::event;
}

}  // namespace

bool is_sendmail_program(std::string_view program) {
  const std::string_view name = daemon_name(program);
  return name == "sendmail" || name.starts_with("sm-");
}

ParseOutcome parse_sendmail(const SyslogRecord& record, SmtpEvent& event) {
  event = {};
  event.mta = Mta::sendmail;
  const std::string_view body = strip_queue_id(record.message);
  if (body.starts_with("to=")) return parse_delivery(body, event);
  // "ruleset=check_rcpt, arg1=<a>, relay=.., reject=550 ...", "Milter: to=<a>, reject=..", "milter=m, action=..,
  // reject=.." (srvrsmtp.c, milter.c).
  if (body.starts_with("ruleset=") || body.starts_with("Milter: ") || body.starts_with("milter=")) {
    if (const std::size_t pos = find_unquoted(body, ", reject="); pos != std::string_view::npos) {
      return parse_reject(body, pos, event);
    }
  }
  if (body.starts_with("<")) {
    // "<a@example.com>... User unknown": a recipient refused during the SMTP session.
    if (const std::size_t end = find_unquoted(body, ">... "); end != std::string_view::npos) {
      event.status = Status::rejected;
      event.direction = Direction::inbound;
      event.stage = Stage::rcpt;
      event.agent_text = body.substr(end + 5);
      return ParseOutcome::event;
    }
  }
  if (body.starts_with("rejecting commands from ")) {
    event.status = Status::rejected;
    event.direction = Direction::inbound;
    event.stage = Stage::connect;
    event.agent_text = body;
    return ParseOutcome::event;
  }
  if (body.starts_with("AUTH failure (")) {
    // "AUTH failure (LOGIN): authentication failure (-13) SASL(-13): ..., relay=[192.0.2.1]"
    const std::size_t close = body.find(')');
    event.mechanism = body.substr(14, close == std::string_view::npos ? 0 : close - 14);
    event.status = Status::auth_failed;
    event.direction = Direction::inbound;
    event.stage = Stage::auth;
    event.reply = "535 5.7.0 authentication failed";  // sendmail's reply (srvrsmtp.c); not logged
    return ParseOutcome::event;
  }
  return looks_like_smtp_outcome(body) || body.find("stat=") != std::string_view::npos ? ParseOutcome::unmatched
                                                                                       : ParseOutcome::ignored;
}

}  // namespace mta
