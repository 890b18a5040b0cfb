#include "mta/sendmail.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>

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

// The stat= texts (libsm/strexit.c sm_sysexmsg()) of the exit statuses that sendmail's SMTP client takes from the
// remote server's reply code alone (usersmtp.c smtprcptstat(), smtpdata()): EX_NOUSER "User unknown" for any 550, 551
// or 553 to RCPT, EX_UNAVAILABLE "Service unavailable" for any other 5xx to RCPT or DATA, EX_PROTOCOL "Remote protocol
// error" for a reply of no known class, EX_TEMPFAIL "Deferred" for a 4xx. The remote's enhanced code is in dsn=
// (sendmail's own 5.1.1, 5.1.6 or 5.1.3 for a bare 550, 551 or 553) and says more than such a text ("User unknown"
// for "550 5.7.1 Relaying denied"). A local mailer's exit status is the program's own, and its dsn= is made from that
// status (deliver.c), so there the text stays evidence.
bool is_status_of_remote_reply_code(std::string_view stat) {
  return stat == "User unknown" || stat == "Service unavailable" || stat == "Remote protocol error" ||
         stat == "Deferred";
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

// The address of a "key=<a>, ..." that starts `text`, up to the first ", " outside quotes (a quoted local part may
// hold one), without its brackets; empty when `text` does not start with the key.
std::string_view leading_address(std::string_view text, std::string_view key) {
  if (!text.starts_with(key) || text.size() <= key.size() || text[key.size()] != '=') return {};
  const std::string_view value = text.substr(key.size() + 1);
  return without_brackets(value.substr(0, find_unquoted(value, ", ")));
}

// The client as sendmail names it ($_, CurSmtpClient: "host [ip]", "[ip]", "ident@host [ip]"), without the " (may be
// forged)" it adds when the host name does not lead back to the address, nor the blank before "[ip]" of a host
// without a name ("rejecting commands from  [192.0.2.1] ...").
std::string_view client_named(std::string_view client) {
  constexpr std::string_view forged = " (may be forged)";
  while (client.starts_with(' ')) client.remove_prefix(1);
  if (client.ends_with(forged)) client.remove_suffix(forged.size());
  return client;
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
  // average over QueueLA); nothing was tried yet, so there is no outcome to count. "stat=quarantined" (queue.c
  // queueup(), ", quarantine=<reason>" before it): a milter or ruleset held the message in the queue for the
  // administrator, likewise untried.
  if (stat == "queued" || stat == "quarantined") return ParseOutcome::ignored;
  // Every line deliver.c and queue.c write names the mailer. logundelrcpts() (srvrsmtp.c, deliver.c) logs the
  // recipients of a transaction that never reached delivery through logdelivery() without one ("to=<a>,
  // delay=00:00:01, pri=30345, stat=<why>"): the SMTP session aborted it ("stat=Message exceeds maximum fixed size",
  // a milter's "stat=Please try again later", whose own reject line is counted), or the client sent RSET, HELO or
  // QUIT ("stat=RSET", "stat=aborted by sender"), or a milter discarded the message ("stat=discarded"). No delivery
  // was tried, and the refusal is not counted twice.
  const std::string_view mailer = comma_field(fields, "mailer");
  if (mailer.empty()) return ParseOutcome::ignored;
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
  event.direction = is_local_mailer(mailer) ? Direction::local : Direction::outbound;
  // The first recipient of the list, which ends at the first ',' outside quotes ("to=<a>,<b>").
  if (to_end != std::string_view::npos) {
    const std::string_view list = body.substr(3, to_end - 3);
    event.recipient = without_brackets(list.substr(0, find_unquoted(list, ",")));
  }
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
  } else if (!dsn.present() || event.direction == Direction::local || !is_status_of_remote_reply_code(stat)) {
    event.agent_text = stat;
  }
  return ParseOutcome::event;
}

Stage ruleset_stage(std::string_view ruleset) {
  if (ruleset == "check_relay") return Stage::connect;
  if (ruleset == "check_mail") return Stage::mail;
  if (ruleset == "check_rcpt") return Stage::rcpt;
  if (ruleset == "check_data") return Stage::data;
  if (ruleset == "check_eoh" || ruleset == "check_eom") return Stage::end_of_data;
  if (ruleset == "tls_client") return Stage::starttls;
  if (ruleset == "trust_auth") return Stage::auth;
  return Stage::unknown;
}

// The rulesets sendmail consults when it delivers (deliver.c): check_compat (sender and recipient), tls_server (the
// remote server's certificate), tls_rcpt and try_tls. Their "reject=" refuses our own delivery, whose to= line
// follows with the same text ("stat=Deferred: 403 4.7.0 TLS handshake failed.") and is counted. The TLS rulesets'
// refusal is described as an attempt with the server; check_compat's names no server.
bool is_delivery_ruleset(std::string_view ruleset) {
  return ruleset == "check_compat" || ruleset == "tls_server" || ruleset == "tls_rcpt" || ruleset == "try_tls";
}

// What a "Milter: ..." line of srvrsmtp.c answers: MILTER_REPLY("from"/"to"/"unknown") writes "from=<a>, reject=..",
// "to=<a>, .." and "unknown=<cmd>, ..", the HELO check "helo=<name>, reject=..", the connection check "connect:
// host=h, addr=a, ...", the DATA command "cmd=data, reject=..", the end of the message "data, reject=..".
Stage milter_stage(std::string_view what) {
  if (what.starts_with("to=")) return Stage::rcpt;
  if (what.starts_with("from=")) return Stage::mail;
  if (what.starts_with("helo=")) return Stage::helo;
  if (what.starts_with("connect: ") || what.starts_with("initialization failed, ")) return Stage::connect;
  if (what.starts_with("cmd=data, ")) return Stage::data;
  if (what.starts_with("data, ")) return Stage::end_of_data;
  return Stage::unknown;
}

// "ruleset=check_rcpt, arg1=<a>, relay=h [ip], reject=550 5.7.1 <a>... Relaying denied"
// "Milter: to=<a>, reject=550 5.7.1 ...", "Milter: data, reject=554 5.7.1 ..."
// reject= comes last; the arguments before it are the client's.
ParseOutcome parse_reject(std::string_view body, std::size_t pos, SmtpEvent& event) {
  event.reply = body.substr(pos + 9);
  // A milter's SMFIR_SHUTDOWN: "Milter: from=<a>, reject=421, errormode=4" (srvrsmtp.c MILTER_REPLY).
  if (event.reply.starts_with("421, errormode=")) event.reply = event.reply.substr(0, 3);
  event.status = basic_code(event.reply) / 100 == 4 ? Status::rejected_temporarily : Status::rejected;
  event.direction = Direction::inbound;
  const std::string_view ruleset = comma_field(body, "ruleset");
  if (is_delivery_ruleset(ruleset)) {
    if (ruleset == "check_compat") {
      event = {};
      event.mta = Mta::sendmail;
      return ParseOutcome::ignored;
    }
    event.status = Status::none;
    event.direction = Direction::outbound;
    event.stage = Stage::starttls;
    std::string_view server = comma_field(body.substr(0, pos), "relay");
    server = server.substr(0, server.find(' '));  // "mx.example.net. [192.0.2.1]"
    if (server.ends_with('.')) server.remove_suffix(1);
    event.remote_host = server;
    if (basic_code(event.reply) == 0) event.implied_class = 4;  // the to= line's deferral
    return ParseOutcome::attempt;
  }
  event.stage = ruleset_stage(ruleset);
  // tls_client is asked after STARTTLS (arg2=STARTTLS) and again at MAIL (arg2=MAIL).
  if (event.stage == Stage::starttls && comma_field(body, "arg2") == "MAIL") event.stage = Stage::mail;
  // The client in relay=, before reject= (whose text may hold ", relay="); check_rcpt's recipient in arg1=, the first
  // field after the ruleset's, and a milter's in "to=" ("Milter: to=<a>, reject=...").
  event.client = client_named(comma_field(body.substr(0, pos), "relay"));
  constexpr std::string_view check_rcpt = "ruleset=check_rcpt, ";
  if (body.starts_with(check_rcpt)) event.recipient = leading_address(body.substr(check_rcpt.size()), "arg1");
  if (body.starts_with("Milter: ")) {
    event.stage = milter_stage(body.substr(8));
    event.recipient = leading_address(body.substr(8), "to");
  }
  // "Milter: helo=h, reject=Command rejected" (SMFIR_REJECT at HELO): every later command is answered
  // "550 5.0.0 Command rejected" (srvrsmtp.c nullserver).
  if (event.reply == "Command rejected") {
    event.reply = "550 5.0.0 Command rejected";
  } else if (basic_code(event.reply) == 0) {
    event.agent_text = event.reply;
    event.reply = {};
  }
  return ParseOutcome::event;
}

// The SMTP command a "lost input channel ... after <cmd>" names (srvrsmtp.c: the command table's lowercase
// names, "startup" before the first).
Stage command_stage(std::string_view command) {
  if (command == "startup") return Stage::connect;
  if (command == "ehlo" || command == "helo") return Stage::helo;
  if (command == "starttls") return Stage::starttls;
  if (command == "auth") return Stage::auth;
  if (command == "mail") return Stage::mail;
  if (command == "rcpt") return Stage::rcpt;
  if (command == "data") return Stage::data;
  return Stage::unknown;
}

// Sessions the server side ended without logging the reply it sent:
//   "lost input channel from [ip] to MTA after rcpt": the client went away or timed out; answered "421 4.4.1 <host>
//     Lost input channel from <client>" (srvrsmtp.c; logged when a transaction was open);
//   "collect: unexpected close on connection from [ip], sender=<a>": the message was cut off; answered "421 4.4.1
//     collect: ..." (collect.c; older releases 451). A read time-out or an I/O error is logged only by syserr(), the
//     reply's code left out: "SYSERR(root): collect: read timeout on connection from <client>, from=<a>".
// "timeout waiting for input from H during server cmd read / message collect / client RCPT" (util.c sfgets) comes
// before one of these, or before the message's to= line on the client side, and is not counted again.
ParseOutcome parse_session_end(std::string_view body, SmtpEvent& event) {
  if (body.starts_with("SYSERR(")) {
    const std::size_t close = body.find("): collect: ");
    if (close == std::string_view::npos || close > 40) return ParseOutcome::ignored;
    body.remove_prefix(close + 3);
  }
  constexpr std::string_view lost = "lost input channel from ";
  constexpr std::string_view on_connection = " on connection from ";
  Stage stage = Stage::unknown;
  std::string_view client;
  if (body.starts_with(lost)) {
    const std::size_t after = body.rfind(" after ");
    if (after != std::string_view::npos && after > lost.size()) stage = command_stage(body.substr(after + 7));
    // "lost input channel from <client> to <daemon> after <cmd>": the daemon's name is the site's own.
    const std::size_t to = body.rfind(" to ", after);
    if (to != std::string_view::npos && to >= lost.size()) client = body.substr(lost.size(), to - lost.size());
  } else if (body.starts_with("collect: ") && !body.starts_with("collect: premature EOM")) {
    const std::size_t from = body.find(on_connection);
    if (from == std::string_view::npos) return ParseOutcome::ignored;
    stage = Stage::data;
    // "... on connection from <client>, sender=<a>" (", from=<a>" before 8.12).
    client = body.substr(from + on_connection.size());
    client = client.substr(0, client.find(", "));
  } else {
    return ParseOutcome::ignored;
  }
  event.status = Status::rejected_temporarily;
  event.direction = Direction::inbound;
  event.stage = stage;
  event.client = client_named(client);
  // The sender that "collect: ..." names (", sender=<a>"; ", from=<a>" in syserr's text and before 8.12) is the
  // client's to choose: the text ends before it.
  event.agent_text = body.substr(0, std::min(find_unquoted(body, ", sender="), find_unquoted(body, ", from=")));
  return ParseOutcome::event;
}

ParseOutcome refusal(SmtpEvent& event, Stage stage, std::string_view reply) {
  event.status = basic_code(reply) / 100 == 4 ? Status::rejected_temporarily : Status::rejected;
  event.direction = Direction::inbound;
  event.stage = stage;
  event.reply = reply;
  return ParseOutcome::event;
}

// A milter's verdict on the connection, logged without "reject=" (srvrsmtp.c smtp(), 8.12 to 8.18): "Milter:
// connect: host=h, addr=a, rejecting commands" (SMFIR_REJECT: greeting 554, every command "550 5.0.0 Command
// rejected"), "..., temp failing commands" (SMFIR_TEMPFAIL: every MAIL "451 4.3.2 Please try again later",
// MSG_TEMPFAIL), "..., shutdown" (SMFIR_SHUTDOWN: "421 4.7.0 <host> closing connection"), and with the milter's reply
// (_FFR_MILTER_CONNECT_REPLYCODE) "..., temp failing commands=<reply>" and "..., shutdown=<421 reply>". A milter that
// cannot be reached leaves "Milter: initialization failed, rejecting commands" (or "temp failing commands",
// "closing connection") to the same effect. The commands refused afterwards are not logged (or, at LogLevel 10 and
// up, as "SMTP MAIL command (..) from .. tempfailed (due to previous checks)", which is not counted again).
ParseOutcome parse_milter_session(std::string_view what, SmtpEvent& event) {
  if (what.starts_with("connect: host=")) {
    // "host=<name or [ip]>, addr=<ip>": sendmail's own words for the client.
    const std::string_view host = what.substr(14);
    event.client = host.substr(0, host.find(", "));
    for (std::string_view key : {std::string_view(", shutdown="), std::string_view(", temp failing commands=")}) {
      if (const std::size_t pos = what.find(key); pos != std::string_view::npos && pos + key.size() < what.size()) {
        const std::string_view reply = what.substr(pos + key.size());
        if (basic_code(reply) != 0) return refusal(event, Stage::connect, reply);
      }
    }
  } else if (!what.starts_with("initialization failed, ")) {
    return ParseOutcome::ignored;
  }
  if (what.ends_with(", rejecting commands")) return refusal(event, Stage::connect, "550 5.0.0 Command rejected");
  if (what.ends_with(", temp failing commands")) {
    return refusal(event, Stage::connect, "451 4.3.2 Please try again later");
  }
  if (what.ends_with(", shutdown") || what.ends_with(", closing connection")) {
    return refusal(event, Stage::connect, "421 4.7.0 closing connection");
  }
  return ParseOutcome::ignored;
}

// Refusals srvrsmtp.c and collect.c log in words of their own, without the reply they send (8.12 to 8.18):
//   "Too many recipients" (usrerr() of RCPT past MaxRecipientsPerMessage: "452 4.5.3 Too many recipients");
//   "<client>: Possible SMTP RCPT flood, shutting down connection." (BadRcptShutdown: "421 4.7.0 <host> Too many bad
//     recipients; closing connection"); "..., throttling." only slows the client down and refuses nothing;
//   "rejecting server EHLO from h [a] due to traffic before response" (also server HELO, server DATA: "554 5.5.0 SMTP
//     protocol error");
//   "message size (n) exceeds maximum (m)" (collect.c, EF_TOOBIG: "552 5.2.3 Message exceeds maximum fixed size (m)");
//   "headers too large (n max) from h during message collect" and "header overflow from h during message collect"
//     (collect.c: "552 5.6.0 Headers too large (n max)", "552 5.6.0 Headers too large");
//   "ERROR: srv_features=tempfail, relay=h [a], access temporarily disabled" (srv_features ruleset: every command
//     "450 4.3.0 Please try again later.");
//   "<client>: SMTP violation, input too long: n" ("421 4.7.0 <host> Command too long, possible attack <client>");
//   "<client>: probable open proxy: command=<cmd>" ("421 4.7.0 <host> Rejecting open proxy <client>", or "HTTP
//     command" after the first command).
// The client before ": " is sendmail's "$_" (PTR name, "[address]", "(may be forged)"), without ": " of its own.
ParseOutcome parse_own_refusal(std::string_view body, SmtpEvent& event) {
  if (body == "Too many recipients") return refusal(event, Stage::rcpt, "452 4.5.3 Too many recipients");
  constexpr std::string_view traffic = " due to traffic before response";
  if (body.starts_with("rejecting server ") && body.ends_with(traffic)) {
    const std::string_view phase = body.substr(17, body.find(' ', 17) - 17);
    // "rejecting server EHLO from <client> due to ...".
    if (const std::size_t from = 17 + phase.size() + 6;
        body.substr(17 + phase.size()).starts_with(" from ") && from <= body.size() - traffic.size()) {
      event.client = client_named(body.substr(from, body.size() - traffic.size() - from));
    }
    const Stage stage = phase == "EHLO" || phase == "HELO" ? Stage::helo
                        : phase == "DATA"                  ? Stage::data
                                                           : Stage::unknown;
    return refusal(event, stage, "554 5.5.0 SMTP protocol error");
  }
  if (body.starts_with("message size (") && body.find(") exceeds maximum (") != std::string_view::npos) {
    return refusal(event, Stage::end_of_data, "552 5.2.3 Message exceeds maximum fixed size");
  }
  constexpr std::string_view collect = " during message collect";
  if ((body.starts_with("headers too large (") || body.starts_with("header overflow from ")) &&
      body.ends_with(collect)) {
    // "... from <client> during message collect".
    if (const std::size_t from = body.find(" from ");
        from != std::string_view::npos && from + 6 <= body.size() - collect.size()) {
      event.client = client_named(body.substr(from + 6, body.size() - collect.size() - from - 6));
    }
    return refusal(event, Stage::end_of_data, "552 5.6.0 Headers too large");
  }
  constexpr std::string_view flood = ": Possible SMTP RCPT flood, shutting down connection.";
  if (body.ends_with(flood)) {
    event.client = client_named(body.substr(0, body.size() - flood.size()));
    return refusal(event, Stage::rcpt, "421 4.7.0 Too many bad recipients; closing connection");
  }
  if (const std::size_t pos = body.find(": SMTP violation, input too long: ");
      pos != std::string_view::npos && body.find(": ") == pos) {
    event.client = client_named(body.substr(0, pos));
    return refusal(event, Stage::unknown, "421 4.7.0 Command too long, possible attack");
  }
  if (const std::size_t pos = body.find(": probable open proxy: command=");
      pos != std::string_view::npos && body.find(": ") == pos) {
    event.client = client_named(body.substr(0, pos));
    return refusal(event, Stage::connect, "421 4.7.0 Rejecting open proxy");
  }
  return ParseOutcome::ignored;
}

// "<id>: DSN: Cannot send message for 5 days" (savemail.c returntosender(), after the queue id of the bounce it
// creates; "return to sender: ..." when the expired message was itself a bounce, "postmaster notify: ..." when it
// goes to the postmaster): envelope.c dropenvelope() found the message past Timeout.queuereturn and gave its
// undelivered recipients up ("4.4.7", without a to= line of their own; the last attempt's "stat=Deferred" was
// counted as a deferral). "delivery time expired Ns" is the same for a DELIVERBY deadline. The line does not say
// whether the recipients were remote or local. Other DSN texts repeat a to= line that is counted, and "sender
// notify: Warning: could not send message for past 4 hours" only warns.
ParseOutcome parse_expiry(std::string_view body, SmtpEvent& event) {
  for (std::string_view kind : {"DSN: ", "return to sender: ", "postmaster notify: "}) {
    if (!body.starts_with(kind)) continue;
    const std::string_view text = body.substr(kind.size());
    if (text.starts_with("Cannot send message for ") || text.starts_with("delivery time expired ")) {
      event.status = Status::expired;
      event.direction = Direction::unknown;
      event.agent_text = text;
      return ParseOutcome::event;
    }
  }
  return ParseOutcome::ignored;
}

// A client that failed without a reply of its own, which the counters leave alone (ParseOutcome::attempt), in
// sendmail's words (freebsd/freebsd-src@9832f538 contrib/sendmail/src/srvrsmtp.c): "<client> did not issue
// MAIL/EXPN/VRFY/ETRN during connection to <daemon>" (it connected and left), and checksmtpattack()'s "<client>:
// possible SMTP attack: command=AUTH, count=5" (AUTH repeated past its limit, each refused, before sendmail slows
// the session down).
ParseOutcome parse_attempt(std::string_view body, SmtpEvent& event) {
  constexpr std::string_view no_mail = " did not issue MAIL/EXPN/VRFY/ETRN during connection to ";
  constexpr std::string_view auth_attack = ": possible SMTP attack: command=AUTH, count=";
  // Each marker follows the client (CurSmtpClient: "host [192.0.2.1]", "[192.0.2.1] (may be forged)"), which holds no
  // ": ": a marker after one is inside other fields, such as a sender's address on a from= line.
  const std::size_t first_colon = body.find(": ");
  std::size_t client_end = body.find(no_mail);
  if (client_end != std::string_view::npos && client_end < first_colon) {
    event.stage = Stage::connect;
    event.implied_class = 4;
    event.agent_text = body.substr(client_end + 1);
  } else if (client_end = body.find(auth_attack); client_end != std::string_view::npos && client_end == first_colon) {
    event.stage = Stage::auth;
    event.implied_class = 5;
    event.agent_text = body.substr(client_end + 2);
  } else {
    return ParseOutcome::ignored;
  }
  const std::string_view client = body.substr(0, client_end);
  if (client.find_first_of("=<\"") != std::string_view::npos) return ParseOutcome::ignored;  // a field, not a client
  event.direction = Direction::inbound;
  event.client = client_named(client);
  return ParseOutcome::attempt;
}

// Sendmail's own notes on an address that are no refusal, as its verbose transcript (sendmail -v) shows them
// (freebsd/freebsd-src contrib/sendmail/src): deliver.c "Connecting to %s via %s...", "Using cached ESMTP connection to
// %s via %s..." (and its SMTP/LPC and LMTP kin), "Sent" and "Sent (%s)"; queue.c "queued" and "quarantined"; alias.c
// "aliased to %s"; recipient.c "duplicate suppressed" and "sending to login name %s"; srvrsmtp.c "Sender ok" and
// "Recipient ok".
bool is_progress_note(std::string_view text) {
  if (text == "Sent" || text == "queued" || text == "quarantined" || text == "duplicate suppressed") return true;
  static constexpr std::string_view notes[] = {"Connecting to ",         "Using cached ", "Sent (",      "aliased to ",
                                               "sending to login name ", "Sender ok",     "Recipient ok"};
  return std::any_of(std::begin(notes), std::end(notes),
                     [text](std::string_view note) { return text.starts_with(note); });
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
  // "ruleset=check_rcpt, arg1=<a>, relay=.., reject=550 ...", "Milter: to=<a>, reject=.." (parseaddr.c rscheck(),
  // srvrsmtp.c).
  if (body.starts_with("ruleset=") || body.starts_with("Milter: ")) {
    if (const std::size_t pos = find_unquoted(body, ", reject="); pos != std::string_view::npos) {
      return parse_reject(body, pos, event);
    }
    if (body.starts_with("Milter: ")) return parse_milter_session(body.substr(8), event);
  }
  // "milter=m, action=a, reject=.." (milter.c milter_send_command(), MilterLogLevel above 10) and "milter=m,
  // reject=.." (milter_data(), above 12) name the filter behind a verdict that srvrsmtp.c logs as "Milter: ..,
  // reject=.." from MilterLogLevel 4: that line is counted.
  if (body.starts_with("milter=")) return ParseOutcome::ignored;
  // Logged without queue id (NOQID): the message starts with "ERROR: ", which strip_queue_id() takes for one.
  constexpr std::string_view srv_features = "ERROR: srv_features=tempfail, ";
  constexpr std::string_view disabled = ", access temporarily disabled";
  if (record.message.starts_with(srv_features) && record.message.ends_with(disabled)) {
    // "..., relay=<client>, access temporarily disabled".
    const std::string_view relay = record.message.substr(0, record.message.size() - disabled.size());
    if (relay.substr(srv_features.size()).starts_with("relay=")) {
      event.client = client_named(relay.substr(srv_features.size() + 6));
    }
    return refusal(event, Stage::connect, "450 4.3.0 Please try again later.");
  }
  if (const ParseOutcome own = parse_own_refusal(body, event); own != ParseOutcome::ignored) return own;
  if (parse_expiry(body, event) == ParseOutcome::event ||
      parse_expiry(strip_queue_id(body), event) == ParseOutcome::event) {
    return ParseOutcome::event;
  }
  if (body.starts_with("<")) {
    // "<a@example.com>... User unknown": a recipient refused during the SMTP session.
    if (const std::size_t end = find_unquoted(body, ">... "); end != std::string_view::npos) {
      if (is_progress_note(body.substr(end + 5))) return ParseOutcome::ignored;
      event.status = Status::rejected;
      event.direction = Direction::inbound;
      event.stage = Stage::rcpt;
      event.recipient = body.substr(1, end - 1);
      event.agent_text = body.substr(end + 5);
      return ParseOutcome::event;
    }
  }
  constexpr std::string_view rejecting = "rejecting commands from ";
  if (body.starts_with(rejecting)) {
    event.status = Status::rejected;
    event.direction = Direction::inbound;
    event.stage = Stage::connect;
    // "rejecting commands from <client> due to pre-greeting traffic after N seconds".
    const std::string_view client = body.substr(rejecting.size());
    event.client = client_named(client.substr(0, client.find(" due to ")));
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
    // relay= ends the line (CurSmtpClient); the SASL text before it is the library's.
    if (const std::size_t relay = body.rfind(", relay="); relay != std::string_view::npos) {
      event.client = client_named(body.substr(relay + 8));
    }
    return ParseOutcome::event;
  }
  if (const ParseOutcome ended = parse_session_end(body, event); ended != ParseOutcome::ignored) return ended;
  // "[192.0.2.1]: EXPN root [rejected]": EXPN refused by PrivacyOptions, answered "502 5.7.0 Sorry, we do not allow
  // this operation" (srvrsmtp.c). The command is the client's own line; only its verb is read. A refused VRFY is
  // answered "252 2.5.2 Cannot VRFY user; try RCPT ...", which refuses nothing.
  if (body.ends_with(" [rejected]")) {
    const std::size_t colon = body.find(": ");
    if (colon != std::string_view::npos && colon + 6 < body.size()) {
      const std::string_view verb = body.substr(colon + 2, 4);
      if ((verb[0] == 'E' || verb[0] == 'e') && (verb[1] == 'X' || verb[1] == 'x') &&
          (verb[2] == 'P' || verb[2] == 'p') && (verb[3] == 'N' || verb[3] == 'n')) {
        event.status = Status::rejected;
        event.direction = Direction::inbound;
        event.client = client_named(body.substr(0, colon));
        event.agent_text = "Sorry, we do not allow this operation";
        return ParseOutcome::event;
      }
    }
    return ParseOutcome::ignored;
  }
  if (const ParseOutcome tried = parse_attempt(body, event); tried != ParseOutcome::ignored) return tried;
  // Not outcomes: "DSN: User unknown" names the bounce created for a to= line that is counted;
  // "STARTTLS=client, ..., verify=FAIL" is followed by the delivery's own line; "timeout waiting for input" by the
  // line above that ends the session; "collect: premature EOM" (before its
  // "collect: ... on connection from" line), "Losing ./qf..." and the other "SYSERR(...)" are the server's own
  // bookkeeping.
  if (body.starts_with("DSN: ") || body.starts_with("timeout waiting for input from ") ||
      body.ends_with(" tempfailed (due to previous checks)") ||
      body.ends_with(": Possible SMTP RCPT flood, throttling.") || body.starts_with("STARTTLS=") ||
      body.starts_with("SYSERR") || body.starts_with("Losing ") || body.starts_with("collect: premature EOM")) {
    return ParseOutcome::ignored;
  }
  return looks_like_smtp_outcome(body) || body.find("stat=") != std::string_view::npos ? ParseOutcome::unmatched
                                                                                       : ParseOutcome::ignored;
}

}  // namespace mta
