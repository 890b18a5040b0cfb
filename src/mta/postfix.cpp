#include "mta/postfix.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "mta/log_fields.hpp"
#include "mta/mta_parsers.hpp"
#include "smtp/ascii.hpp"
#include "smtp/reply.hpp"
#include "smtp/text_search.hpp"

namespace mta {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kDaemons[] = {
    "smtp",           "smtpd",    "lmtp",      "local",     "virtual", "pipe",    "postscreen",
    "cleanup",        "qmgr",     "bounce",    "error",     "retry",   "discard", "pickup",
    "anvil",          "scache",   "dnsblog",   "tlsproxy",  "tlsmgr",  "master",  "trivial-rewrite",
    "showq",          "verify",   "proxymap",  "postdrop",  "flush",   "spawn",   "oqmgr",
    "postfix-script", "sendmail", "postqueue", "postsuper", "postmap", "postlog",
};

bool is_postfix_daemon(std::string_view name) {
  for (std::string_view daemon : kDaemons) {
    if (name == daemon) return true;
  }
  return false;
}

// smtpd_check, the test driver of smtpd's access restrictions (postfix/src/smtpd/smtpd_check.c), prints
// exactly what smtpd logs, with the placeholder "<queue id>" where smtpd names the queue file.
constexpr std::string_view kSmtpdTestDriver = "smtpd_check";
constexpr std::string_view kTestDriverQueueId = "<queue id>: ";

// The characters of queue ids, one table look-up a byte: a short id (the default) is upper-case hexadecimal; a long
// one (enable_long_queue_ids) uses digits and consonants only, so no word is mistaken for one.
// kAlnumChar: any letter or digit, which keeps the scan going even where it fits neither kind ("connect from").
enum QueueIdChar : unsigned char { kShortIdChar = 1, kLongIdChar = 2, kAlnumChar = 4 };

constexpr std::array<unsigned char, 256> kQueueIdChars = [] {
  std::array<unsigned char, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    const bool digit = c >= '0' && c <= '9';
    const bool upper = c >= 'A' && c <= 'Z';
    const bool alnum = digit || upper || (c >= 'a' && c <= 'z');
    if (!alnum) continue;
    const bool vowel = std::string_view("AEIOUaeiou").find(static_cast<char>(c)) != std::string_view::npos;
    classes[static_cast<std::size_t>(c)] = static_cast<unsigned char>(
        kAlnumChar | (digit || (c >= 'A' && c <= 'F') ? kShortIdChar : 0) | (vowel ? 0 : kLongIdChar));
  }
  return classes;
}();

// Removes a leading "4PbqCh5Cjrz3tG3: ", "A3EF4405DD14: " or "NOQUEUE: ". Every Postfix line passes here: one scan
// of the letters and digits before the colon, at most 20 (the longest queue id).
std::string_view strip_queue_id(std::string_view message) {
  for (const std::string_view marker : {std::string_view("NOQUEUE: "), kTestDriverQueueId}) {
    if (message.starts_with(marker)) return message.substr(marker.size());
  }
  constexpr std::size_t kLongestQueueId = 20;
  const std::size_t limit = std::min(message.size(), kLongestQueueId + 1);
  unsigned char all = kShortIdChar | kLongIdChar;  // the kinds of id every character so far can belong to
  std::size_t length = 0;
  for (; length < limit; ++length) {
    const unsigned char kind = kQueueIdChars[static_cast<unsigned char>(message[length])];
    if (kind == 0) break;
    all &= kind;
  }
  if (length > kLongestQueueId || length + 1 >= message.size() || message[length] != ':' ||
      message[length + 1] != ' ') {
    return message;
  }
  const bool short_id = (all & kShortIdChar) != 0 && length >= 6;
  const bool long_id = (all & kLongIdChar) != 0 && length >= 10;
  return short_id || long_id ? message.substr(length + 2) : message;
}

// Index just past the '>' that closes the address opening at text[open] == '<'. Postfix quotes a local
// part that holds specials ("x, status=sent (250 ok)"@example.net), so a '>' or ',' inside quotes does
// not end it.
std::size_t address_end(std::string_view text, std::size_t open) {
  bool quoted = false;
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (quoted && text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      quoted = !quoted;
    } else if (text[i] == '>' && !quoted) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// The first address of "key=<a>, ...": as logged, without its brackets, and the index past it (npos when it does
// not close). Rewritten logs (anonymisers, samples of other tools) drop the brackets: the address then runs to ", ".
struct FirstAddress {
  std::string_view address;
  std::size_t end = std::string_view::npos;
};

FirstAddress first_address(std::string_view body, std::string_view key) {
  const std::size_t value = key.size() + 1;
  if (body.substr(value).starts_with('<')) {
    const std::size_t end = address_end(body, value);
    if (end == std::string_view::npos) return {};
    return {body.substr(value + 1, end - value - 2), end};
  }
  const std::size_t end = find_comma_space(body, value);
  if (end == std::string_view::npos) return {};
  return {body.substr(value, end - value), end};
}

// "to=<a>, orig_to=<b>, relay=..., status=..." (or "from=<a>, ..."): the fields after the addresses,
// which Postfix writes itself, where the addresses are the sender's to choose. npos when an address
// does not close. `first`: first_address(body, key).
std::size_t envelope_end(std::string_view body, const FirstAddress& first) {
  std::size_t end = first.end;
  constexpr std::string_view orig_to = ", orig_to=<";
  if (end != std::string_view::npos && body.substr(end).starts_with(orig_to)) {
    end = address_end(body, end + orig_to.size() - 1);
  }
  return end;
}

// "mx.example.com[192.0.2.1]:25" -> "mx.example.com".
std::string_view host_of(std::string_view endpoint) { return endpoint.substr(0, endpoint.find('[')); }

// Finds a host named in Postfix's own texts: "connect to H[", "lost connection with H[", "host H[".
std::string_view host_in_text(std::string_view text) {
  static constexpr Needle markers[] = {"connect to ", "connection with ", "conversation with ", "host ", "server "};
  for (const Needle& marker : markers) {
    const std::size_t pos = marker.find_in(text);
    if (pos == std::string_view::npos) continue;
    std::string_view rest = text.substr(pos + marker.text().size());
    const std::size_t bracket = rest.find('[');
    const std::size_t space = rest.find(' ');
    if (bracket != std::string_view::npos && bracket < space) return rest.substr(0, bracket);
  }
  return {};
}

double parse_seconds(std::string_view text) {
  double value = -1;
  if (text.empty() || std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc{}) {
    return -1;
  }
  return value;
}

Status delivery_status(std::string_view word) {
  if (word == "sent") return Status::sent;
  if (word == "deferred") return Status::deferred;
  if (word == "bounced") return Status::bounced;
  if (word == "expired" || word == "force-expired") return Status::expired;
  return Status::none;
}

// "bounced (text)" -> "bounced"; "expired, returned to sender" -> "expired".
std::string_view status_word(std::string_view text) { return text.substr(0, find_any_of(text, " ,")); }

// Without a program name, the relay tells a remote delivery from a local one.
std::string_view delivery_daemon_from_relay(std::string_view body) {
  const std::string_view relay = comma_field(body, "relay");
  const bool remote = relay == "none" ||
                      (relay.find('[') != std::string_view::npos && relay.find("[private/") == std::string_view::npos &&
                       relay.find("[public/") == std::string_view::npos);
  return remote ? "smtp" : "local";
}

Direction delivery_direction(std::string_view daemon) {
  return daemon == "smtp" || daemon == "retry" ? Direction::outbound : Direction::local;
}

// What comes before a remote server's reply in Postfix's texts (smtp_chat.c, smtp_connect.c).
constexpr Needle kSaid(" said: ");
constexpr Needle kRefused(" refused to talk to me: ");

// The parenthesised explanation after "status=X": a remote reply, or Postfix's own text.
void read_delivery_text(std::string_view text, SmtpEvent& event) {
  if (const std::size_t pos = kSaid.find_in(text); pos != std::string_view::npos) {
    const ReplyAndStage reply = split_in_reply_to(text.substr(pos + kSaid.text().size()));
    event.reply = reply.reply;
    event.stage = reply.stage;
    if (event.remote_host.empty()) event.remote_host = host_in_text(text.substr(0, pos + 1));
  } else if (const std::size_t refused_pos = kRefused.find_in(text); refused_pos != std::string_view::npos) {
    event.reply = text.substr(refused_pos + kRefused.text().size());
    event.stage = Stage::connect;
    if (event.remote_host.empty()) event.remote_host = host_in_text(text.substr(0, refused_pos + 1));
  } else if (basic_code(text) != 0) {
    event.reply = text;
  } else {
    event.agent_text = text;
    if (event.remote_host.empty()) event.remote_host = host_in_text(text);
  }
}

// As fields.find(", status="): the first ", " that "status=" follows.
std::size_t find_status_field(std::string_view fields) {
  for (std::size_t pos = find_comma_space(fields); pos != std::string_view::npos;
       pos = find_comma_space(fields, pos + 2)) {
    if (fields.substr(pos + 2).starts_with("status=")) return pos;
  }
  return std::string_view::npos;
}

// The fields Postfix writes between the addresses and the status of a delivery line, ", relay=R, delay=D,
// delays=a/b/c/d, dsn=X": one pass reads the three we use. Only Postfix writes them, but a rewritten log may hold an
// address without brackets there (orig_to="a, relay=x"@b), so a line with quotes is split outside them.
struct DeliveryFields {
  std::string_view relay;
  std::string_view delay;
  std::string_view dsn;
};

DeliveryFields delivery_fields(std::string_view head) {
  DeliveryFields found;
  const bool quoted = head.find('"') != std::string_view::npos;
  for (std::size_t pos = 0; pos < head.size();) {
    const std::size_t end =
        std::min(quoted ? find_unquoted(head, ", ", pos) : find_comma_space(head, pos), head.size());
    const std::string_view field = head.substr(pos, end - pos);
    for (auto [key, value] :
         {std::pair{"relay="sv, &found.relay}, std::pair{"delay="sv, &found.delay}, std::pair{"dsn="sv, &found.dsn}}) {
      if (field.starts_with(key) && value->data() == nullptr) *value = field.substr(key.size());
    }
    pos = end + 2;
  }
  return found;
}

// `fields`: what follows the addresses of a "to=<..>" line (envelope_end).
ParseOutcome parse_delivery(std::string_view fields, std::string_view daemon, SmtpEvent& event) {
  const std::size_t status_pos = find_status_field(fields);
  if (status_pos == std::string_view::npos) return ParseOutcome::unmatched;
  std::string_view after_status = fields.substr(status_pos + 9);
  const std::string_view word = status_word(after_status);
  // Address verification probes get real replies but deliver nothing: replies only, no delivery.
  const bool probe = word.starts_with("deliverable") || word.starts_with("undeliverable");
  event.status = delivery_status(word);
  if (event.status == Status::none && !probe) return ParseOutcome::unmatched;
  event.direction = delivery_direction(daemon);
  const DeliveryFields head = delivery_fields(fields.substr(0, status_pos));
  if (head.relay != "none") event.remote_host = host_of(head.relay);
  event.dsn = head.dsn;
  event.delay_seconds = parse_seconds(head.delay);
  const std::size_t open = after_status.find(" (");
  const std::size_t close = after_status.rfind(')');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    read_delivery_text(after_status.substr(open + 2, close - open - 2), event);
  }
  return ParseOutcome::event;
}

// Postscreen rejects these without logging its reply; the replies are fixed in postscreen.c.
std::string_view postscreen_implied_reply(std::string_view text) {
  if (text.starts_with("too many connections")) return "421 4.7.0 Error: too many connections";
  if (text.starts_with("all server ports")) return "421 4.3.2 All server ports are busy";
  if (text.starts_with("all screening ports")) return "421 4.3.2 All screening ports are busy";
  return {};
}

// Past the '>' that closes the address opening at text[open] == '<', as Postfix logs an envelope address
// (info_log_address_format = external): a local part with specials is quoted, so outside the quotes no space,
// quote, backslash, ';', ',' or '<' occurs. npos for anything else.
std::size_t envelope_address_end(std::string_view text, std::size_t open) {
  std::size_t i = open + 1;
  if (i < text.size() && text[i] == '"') {
    for (++i; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\') ++i;
    }
    ++i;
  }
  static constexpr std::array<bool, 256> kEndsAddress = [] {
    std::array<bool, 256> ends{};
    for (const char c : {'>', ' ', '"', '\\', ';', ',', '<'}) ends[static_cast<unsigned char>(c)] = true;
    return ends;
  }();
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (kEndsAddress[static_cast<unsigned char>(c)]) return c == '>' ? i + 1 : std::string_view::npos;
  }
  return std::string_view::npos;
}

struct Envelope {
  std::size_t start = std::string_view::npos;
  std::size_t end = std::string_view::npos;  // past its last field
  int rank = -1;                             // how sure we are that Postfix wrote it; -1: not an envelope
};

// The envelope Postfix appends to a reject (smtpd_check.c log_whatsup, cleanup_act_log, postscreen):
// "; from=<S> to=<R> proto=P helo=<H>" at text[start] == ';', each field optional, postscreen with ", "
// between them. It ends the line, or with `before_text` comes before cleanup's ": text". The HELO name is
// the client's, comes last and may hold anything, so it runs to that end (its '>' at `helo_end`).
Envelope read_envelope(std::string_view text, std::size_t start, std::size_t helo_end, bool before_text) {
  std::size_t pos = start + 1;
  bool any = false;
  bool proto = false;
  // When an envelope is read from inside a quoted address or from an echo in the reply, its HELO name runs
  // over the rest of the real envelope and holds its '>' or '"': such a reading ranks lower.
  bool plain_helo = true;
  for (std::string_view key : {"from=<"sv, "to=<"sv, "proto="sv, "helo=<"sv}) {
    const std::string_view separator = any && text.substr(pos).starts_with(", ") ? ", "sv : " "sv;
    if (!text.substr(pos).starts_with(separator) || !text.substr(pos + separator.size()).starts_with(key)) continue;
    const std::size_t value = pos + separator.size() + key.size();
    if (key == "proto=") {
      pos = value;
      while (pos < text.size() && (is_digit(text[pos]) || (text[pos] >= 'A' && text[pos] <= 'Z'))) ++pos;
      if (pos == value) return {};
      proto = true;
    } else if (key == "helo=<") {
      if (helo_end == std::string_view::npos || helo_end < value) return {};
      plain_helo = find_any_of(text.substr(value, helo_end - value), "\">") == std::string_view::npos;
      pos = helo_end + 1;
    } else {
      pos = envelope_address_end(text, value - 1);
      if (pos == std::string_view::npos) return {};
    }
    any = true;
  }
  if (!any || !(before_text ? text.substr(pos).starts_with(": ") : pos == text.size())) return {};
  // Read from inside a HELO name that holds a whole envelope ("x; proto=ESMTP helo=<y"): the lowest rank.
  static constexpr Needle helo_key("helo=<");
  const std::size_t helo = helo_key.rfind_in(text, start);
  if (helo != std::string_view::npos && text.find('>', helo) > start) return {start, pos, 0};
  // smtpd logs proto= always, cleanup whenever it logs a HELO name.
  return {start, pos, 1 + (proto ? 2 : 0) + (plain_helo ? 1 : 0)};
}

constexpr int kSurestEnvelope = 4;  // the highest rank read_envelope gives

// The envelope of a reject, found from the end: of the well-formed ones that start at or after `from`, the
// last of the highest rank. Clients choose the addresses, HELO names and headers, which may hold "; from=<"
// and the like, and the reply echoes them before the envelope. Left open: a HELO name with a '>' before a
// whole envelope of its own ("x> ; proto=ESMTP helo=<y") reads as that envelope.
Envelope find_envelope(std::string_view text, std::size_t from, bool before_text) {
  static constexpr Needle text_after_helo(">: ");
  const std::size_t helo_end = before_text           ? text_after_helo.rfind_in(text)
                               : text.ends_with('>') ? text.size() - 1
                                                     : std::string_view::npos;
  Envelope best;
  for (std::size_t pos = rfind_byte(text, ';'); pos != std::string_view::npos && pos >= from;
       pos = pos == 0 ? std::string_view::npos : rfind_byte(text, ';', pos - 1)) {
    const Envelope envelope = read_envelope(text, pos, helo_end, before_text);
    if (envelope.rank > best.rank) best = envelope;
    if (best.rank == kSurestEnvelope) break;  // no earlier one can outrank it
  }
  return best;
}

// "reject: RCPT from host[ip]: 550 5.1.1 <a>: ...; from=<..> to=<..> proto=ESMTP helo=<..>",
// "reject: header Subject: x from host[ip]; from=<..> to=<..>: 5.7.1 text" (cleanup).
ParseOutcome parse_reject(std::string_view rest, SmtpEvent& event) {
  const std::size_t space = rest.find(' ');
  if (space == std::string_view::npos) return ParseOutcome::unmatched;
  const std::string_view verb = rest.substr(0, space);
  event.stage = stage_from_command(verb);
  event.status = Status::rejected;
  event.direction = Direction::inbound;
  if (event.stage == Stage::header || event.stage == Stage::body) {
    const Envelope envelope = find_envelope(rest, space, true);
    if (envelope.end == std::string_view::npos) return ParseOutcome::unmatched;
    event.reply = rest.substr(envelope.end + 2);
    return ParseOutcome::event;
  }
  std::size_t pos = space + 1;
  if (verb.ends_with(':')) {
    event.stage = stage_from_command(verb.substr(0, verb.size() - 1));  // "proxy-reject: END-OF-MESSAGE: 554 ..."
  } else {
    const std::size_t from = rest.find(" from ", space);
    if (from == std::string_view::npos) return ParseOutcome::unmatched;
    pos = rest.find(']', from);
    if (pos == std::string_view::npos) return ParseOutcome::unmatched;
    ++pos;
    event.client = rest.substr(from + 6, pos - from - 6);
    if (pos < rest.size() && rest[pos] == ':' && pos + 1 < rest.size() && rest[pos + 1] != ' ') {
      while (pos + 1 < rest.size() && rest[pos + 1] >= '0' && rest[pos + 1] <= '9') ++pos;  // postscreen ":port"
      ++pos;
    }
    if (rest.substr(pos, 2) != ": ") return ParseOutcome::unmatched;
    pos += 2;
  }
  std::size_t end = find_envelope(rest, pos, false).start;
  if (end == std::string_view::npos) {
    // A line cut short or rewritten: the reply ends at the first field that is there.
    end = rest.size();
    for (std::string_view field : {"; from=<"sv, "; to=<"sv, "; proto="sv, "; helo=<"sv}) {
      end = std::min(end, rest.find(field, pos));
    }
  }
  event.reply = rest.substr(pos, end - pos);
  if (basic_code(event.reply) == 0 && !find_enhanced_code(event.reply).present()) {
    if (const std::string_view implied = postscreen_implied_reply(event.reply); !implied.empty()) {
      event.reply = implied;
    } else {
      event.agent_text = event.reply;
      event.reply = {};
    }
  }
  return ParseOutcome::event;
}

// "warning: Connection rate limit exceeded: 31 from host[ip] for service smtpd": smtpd refused a
// client over an anvil limit with a reply (smtpd.c) that the log does not show.
ParseOutcome parse_limit_exceeded(std::string_view body, SmtpEvent& event) {
  struct Limit {
    std::string_view text;
    Stage stage;
    std::string_view reply;
  };
  static constexpr Limit limits[] = {
      {"Connection rate limit", Stage::connect, "421 4.7.0 Error: too many connections"},
      {"Connection concurrency limit", Stage::connect, "421 4.7.0 Error: too many connections"},
      {"Message delivery request rate limit", Stage::mail, "450 4.7.1 Error: too much mail"},
      {"Recipient address rate limit", Stage::rcpt, "450 4.7.1 Error: too many recipients"},
      {"New TLS session rate limit", Stage::starttls, "421 4.7.0 Error: too many new TLS sessions"},
      {"AUTH command rate limit", Stage::auth, "450 4.7.1 Error: too many AUTH commands"},
  };
  for (const Limit& limit : limits) {
    if (body.find(limit.text) == std::string_view::npos) continue;
    // "...: 31 from host[ip] for service smtpd"
    if (const std::size_t from = body.find(" from "); from != std::string_view::npos) {
      const std::string_view client = body.substr(from + 6);
      event.client = client.substr(0, client.find(" for service "));
    }
    event.status = Status::rejected_temporarily;
    event.direction = Direction::inbound;
    event.stage = limit.stage;
    event.reply = limit.reply;
    return ParseOutcome::event;
  }
  return ParseOutcome::ignored;
}

struct PostscreenLimit {
  std::string_view reason;
  std::string_view reply;
};
constexpr PostscreenLimit kPostscreenLimits[] = {
    {"COMMAND TIME LIMIT", "421 4.4.2 Error: timeout exceeded"},
    {"COMMAND COUNT LIMIT", "421"},
    {"COMMAND LENGTH LIMIT", "421"},
};

// The limit "COMMAND ... LIMIT from [ip]:port after CMD" names, or nullptr.
const PostscreenLimit* postscreen_limit(std::string_view body) {
  for (const PostscreenLimit& limit : kPostscreenLimits) {
    if (body.starts_with(limit.reason) && body.substr(limit.reason.size()).starts_with(" from [")) return &limit;
  }
  return nullptr;
}

// "timeout after RCPT from host[ip]", "too many errors after DATA (0 bytes) from host[ip]" (since Postfix 3.x after a
// queue id or NOQUEUE): smtpd ended the session with a reply its log leaves out (smtpd.c smtpd_proto()), where a
// "lost connection after ..." had none to send. postscreen's "COMMAND TIME LIMIT from [ip]:port after CMD" ends with
// its timeout reply, "COMMAND COUNT LIMIT" and "COMMAND LENGTH LIMIT" with psc_smtpd_421_reply, "421 <myhostname>
// Service unavailable - try again later" (postscreen_smtpd.c): words that name no cause, so the event keeps the code
// and the log's words say why (smtp_event.hpp text_to_classify()).
ParseOutcome parse_session_end(std::string_view body, SmtpEvent& event) {
  struct SessionEnd {
    std::string_view reason;
    std::string_view reply;
  };
  static constexpr SessionEnd ends[] = {
      {"timeout after ", "421 4.4.2 Error: timeout exceeded"},
      {"too many errors after ", "421 4.7.0 Error: too many errors"},
  };
  std::string_view command;
  if (const PostscreenLimit* limit = postscreen_limit(body)) {
    const std::string_view rest = body.substr(limit->reason.size());
    const std::size_t after = rest.find("]:");
    const std::size_t pos = after == std::string_view::npos ? after : rest.find(" after ", after);
    if (pos == std::string_view::npos) return ParseOutcome::ignored;
    command = rest.substr(pos + 7);
    event.client = rest.substr(6, after - 5);
    event.reply = limit->reply;
    if (event.reply.size() == 3) event.agent_text = limit->reason;
  } else {
    for (const SessionEnd& end : ends) {
      if (!body.starts_with(end.reason)) continue;
      const std::string_view rest = body.substr(end.reason.size());
      const std::size_t from = rest.find(" from ");
      if (from == std::string_view::npos || rest.find('[', from) == std::string_view::npos)
        return ParseOutcome::ignored;
      command = rest.substr(0, from);
      command = command.substr(0, command.find(" ("));  // "DATA (0 bytes)"
      const std::string_view client = rest.substr(from + 6);
      event.client = client.substr(0, client.find(']') + 1);
      event.reply = end.reply;
    }
    if (event.reply.empty()) return ParseOutcome::ignored;
  }
  event.status = Status::rejected_temporarily;
  event.direction = Direction::inbound;
  event.stage = stage_from_command(command);
  return ParseOutcome::event;
}

// "warning: unknown[192.0.2.1]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"
ParseOutcome parse_sasl_failure(std::string_view message, SmtpEvent& event) {
  constexpr std::string_view sasl = ": SASL ";
  const std::size_t pos = message.find(sasl);
  if (pos == std::string_view::npos) return ParseOutcome::unmatched;
  std::string_view rest = message.substr(pos + sasl.size());
  const std::size_t space = rest.find(' ');
  if (space == std::string_view::npos) return ParseOutcome::unmatched;
  event.mechanism = rest.substr(0, space);
  constexpr std::string_view warning = "warning: ";
  if (message.starts_with(warning) && pos > warning.size())
    event.client = message.substr(warning.size(), pos - warning.size());
  event.status = Status::auth_failed;
  event.direction = Direction::inbound;
  event.stage = Stage::auth;
  // smtpd answers every SASL failure with this reply (smtpd_sasl_proto.c); the log omits it.
  event.reply = "535 5.7.8 Error: authentication failed";
  return ParseOutcome::event;
}

// The notes that make up most of a Postfix log and never hold a reply, told by their first bytes so that the
// search for outcome marks (looks_like_smtp_outcome) skips them: smtpd.c "connect from %s", "disconnect from %s",
// "client=%s"; cleanup_message.c "message-id=%s"; qmgr_active.c "removed"; pickup.c "uid=%d from=<%s>"; tls_misc.c
// "%s TLS connection established" (vdukhovni/postfix@17830e5c).
bool is_routine_note(std::string_view body) {
  constexpr std::string_view notes[] = {
      "connect from ", "disconnect from ",  "client=",         "message-id=",       "removed",
      "uid=",          "Anonymous TLS con", "Trusted TLS con", "Untrusted TLS con", "Verified TLS con"};
  for (const std::string_view note : notes) {
    if (body.starts_with(note)) return true;
  }
  return false;
}

// Postfix's own texts for a failure with one server (vdukhovni/postfix@17830e5c smtp_trouble.c smtp_stream_except(),
// smtp_proto.c's smtp_site_fail() and smtp_misc_fail() reasons). The client logs one with the queue id only where
// smtp_bulk_fail() keeps the recipients for another try ("don't defer the recipients just yet"): the next server, or
// the same one without TLS after opportunistic TLS failed. A try is what soft_bounce makes of a permanent failure too,
// so the class is 4. Rarely the next servers are passed over without a reason of their own (an MTA-STS MX pattern
// refuses them) and the delivery line repeats this reason: that attempt is counted twice.
bool is_failure_with_one_server(std::string_view body) {
  // Not smtp_proto.c's and smtp_connect.c's notes "Sender requested REQUIRETLS, but REQUIRETLS support was not
  // offered by host %s" and "..., but my configured TLS security level ...", after which delivery goes on.
  static constexpr std::string_view whole_reasons[] = {"TLS is required, but ",
                                                       "Server certificate not verified",
                                                       "Cannot start TLS: handshake failure",
                                                       "client TLS configuration problem",
                                                       "unexpected server message",
                                                       "Sender requested REQUIRETLS, but no server was found ",
                                                       "Sender requested REQUIRETLS, but host ",
                                                       "Sender requested REQUIRETLS, but TLS service was not offered ",
                                                       "Sender requested REQUIRETLS, but no matching server ",
                                                       "Sender requested REQUIRETLS, but no trusted server ",
                                                       "message requires SMTPUTF8, but no server"};
  for (const std::string_view reason : whole_reasons) {
    if (body.starts_with(reason)) return true;
  }
  if (body.starts_with("lost connection with ")) return body.find("] while ") != std::string_view::npos;
  if (body.starts_with("conversation with ")) return body.find("] timed out while ") != std::string_view::npos;
  return body.starts_with("mail for ") && body.ends_with(" loops back to myself");
}

// qmgr's "from=<a>, status=expired, returned to sender" (qmgr_active.c): the message outlived the queue lifetime;
// its other "from=<a>, size=N, nrcpt=N (queue active)" lines are no outcome.
ParseOutcome parse_queue_expiry(std::string_view body, SmtpEvent& event) {
  // The size line of every message the queue manager takes in ends "(queue active)" (qmgr_message.c calls opened()
  // with "queue %s" and the active queue's name, vdukhovni/postfix@17830e5c): dismissed before its address is read,
  // which cost it half its time.
  if (body.ends_with(" (queue active)")) return ParseOutcome::ignored;
  const std::size_t end = envelope_end(body, first_address(body, "from"));
  if (end == std::string_view::npos) return ParseOutcome::ignored;
  const std::string_view fields = body.substr(end);
  const std::size_t pos = find_status_field(fields);
  if (pos == std::string_view::npos || delivery_status(status_word(fields.substr(pos + 9))) != Status::expired) {
    return ParseOutcome::ignored;
  }
  event = {};
  event.mta = Mta::postfix;
  event.status = Status::expired;
  event.direction = Direction::outbound;
  event.agent_text = fields.substr(pos + 9);
  return ParseOutcome::event;
}

}  // namespace

bool is_postfix_program(std::string_view program) {
  const std::string_view family = program_family(program);
  if (family.starts_with("postfix") || daemon_name(program) == kSmtpdTestDriver) return true;
  return family.size() != program.size() && is_postfix_daemon(daemon_name(program));
}

ParseOutcome parse_postfix(const SyslogRecord& record, SmtpEvent& event) {
  const std::string_view daemon = daemon_name(record.program);
  return parse_postfix_message(daemon == kSmtpdTestDriver ? "smtpd" : daemon, record.message, event);
}

// The reason tls_server.c and tls_client.c log after "SSL_accept error from %s: " and "SSL_connect error to %s: ":
// "lost connection", or the TLS library's return code ("-1", "0"), which says only that the handshake failed.
std::string_view handshake_failure(std::string_view reason) {
  const std::string_view code = reason.starts_with('-') ? reason.substr(1) : reason;
  const bool number = !code.empty() && std::all_of(code.begin(), code.end(), is_digit);
  return number ? std::string_view("TLS handshake failed") : reason;
}

// One failed try that the counters leave to another line (ParseOutcome::attempt), in Postfix's words
// (vdukhovni/postfix@17830e5c): the client's "connect to mx.example[192.0.2.1]:25: Connection timed out" and
// "SSL_connect error to mx.example[192.0.2.1]:25: ..." (smtp_connect.c, tls_client.c: logged for every server tried,
// and the delivery line repeats the last server's failure), the server's "lost connection after DATA (0 bytes) from
// client[192.0.2.1]" (smtpd.c: the client left, nothing was answered), its failed handshakes "SSL_accept error from
// client[192.0.2.1]: ..." (tls_server.c), and tlsproxy's "TLS handshake failed for service=smtpd
// peer=[192.0.2.1]:port". A TLS library's own complaint ("warning: TLS library problem: ...", tls_misc.c) precedes one
// of those.
ParseOutcome parse_attempt(std::string_view daemon, std::string_view body, SmtpEvent& event) {
  const bool client = daemon == "smtp" || daemon == "lmtp";
  const bool server = daemon == "smtpd";
  std::string_view peer;
  std::string_view text = body;  // what the rules read: Postfix's words, without the name a client chose
  if (client && (body.starts_with("connect to ") || body.starts_with("SSL_connect error to "))) {
    // A server's name and address: "connect to subsystem private/defer: ..." is Postfix's own.
    const std::string_view host = body.substr(body.find(" to ") + 4);
    const std::size_t open = host.find('[');
    if (open == std::string_view::npos || open == 0 || host.substr(0, open).find(' ') != std::string_view::npos) {
      return ParseOutcome::ignored;
    }
    event.remote_host = host.substr(0, open);
    if (body.starts_with("SSL_connect")) {  // "mx.example[192.0.2.1]:25: -1"
      const std::size_t close = host.find(']', open);
      const std::size_t reason = close == std::string_view::npos ? close : host.find(": ", close);
      text = reason == std::string_view::npos ? body : handshake_failure(host.substr(reason + 2));
    }
    event.stage = body.starts_with("connect") ? Stage::connect : Stage::starttls;
    event.direction = delivery_direction(daemon);
  } else if (server && body.starts_with("lost connection after ")) {
    const std::string_view rest = body.substr(22);
    const std::size_t from = rest.find(" from ");
    // After END-OF-MESSAGE the message was taken (250): a client that did not say QUIT failed nothing.
    if (from == std::string_view::npos || rest.starts_with("END-OF-MESSAGE")) return ParseOutcome::ignored;
    event.stage = stage_from_command(rest.substr(0, std::min(from, rest.find(" ("))));
    peer = rest.substr(from + 6);
    text = body.substr(0, 22 + from);  // "lost connection after DATA (0 bytes)"
    event.direction = Direction::inbound;
  } else if (server && body.starts_with("SSL_accept error from ")) {
    peer = body.substr(22);
    const std::size_t reason = peer.find("]: ");
    if (reason == std::string_view::npos) return ParseOutcome::ignored;
    text = handshake_failure(peer.substr(reason + 3));
    event.stage = Stage::starttls;
    event.direction = Direction::inbound;
  } else if (daemon == "tlsproxy" && body.starts_with("TLS handshake failed for service=smtpd peer=")) {
    peer = body.substr(44);
    event.stage = Stage::starttls;
    event.direction = Direction::inbound;
  } else if ((client || server) && body.starts_with("warning: TLS library problem: ")) {
    event.stage = Stage::starttls;
    event.direction = server ? Direction::inbound : delivery_direction(daemon);
  } else {
    return ParseOutcome::ignored;
  }
  const std::size_t peer_end = peer.find(']');
  event.client = peer_end == std::string_view::npos ? peer : peer.substr(0, peer_end + 1);
  event.agent_text = text.starts_with("warning: ") ? text.substr(9) : text;
  event.implied_class = 4;
  return ParseOutcome::attempt;
}

bool is_postfix_outcome_without_marks(std::string_view message) {
  if (message.starts_with("COMMAND ")) return postscreen_limit(message) != nullptr;
  const std::string_view body = strip_queue_id(message);
  return body.size() != message.size() && is_failure_with_one_server(body);
}

ParseOutcome parse_postfix_message(std::string_view daemon, std::string_view message, SmtpEvent& event) {
  const std::string_view body = strip_queue_id(message);
  const bool unknown_daemon = daemon.empty();
  // Most lines are notes no outcome starts like, or the queue manager's "from=<..>, size=.." (one for every
  // message): dismissed before the event is even reset, which cost them a tenth of their time.
  if (is_routine_note(body)) return ParseOutcome::ignored;
  if ((daemon == "qmgr" || unknown_daemon) && body.starts_with("from=<")) return parse_queue_expiry(body, event);
  event = {};
  event.mta = Mta::postfix;

  if (body.starts_with("to=")) {
    const FirstAddress recipient = first_address(body, "to");
    const std::size_t end = envelope_end(body, recipient);
    if (end == std::string_view::npos) return ParseOutcome::unmatched;
    const std::string_view fields = body.substr(end);
    event.recipient = recipient.address;
    return parse_delivery(fields, unknown_daemon ? delivery_daemon_from_relay(fields) : daemon, event);
  }
  if (body.starts_with("reject: ")) return parse_reject(body.substr(8), event);
  if (body.starts_with("milter-reject: ")) return parse_reject(body.substr(15), event);
  if (body.starts_with("proxy-reject: ")) return parse_reject(body.substr(14), event);
  if (body.starts_with("reject_warning: ")) return ParseOutcome::ignored;  // warn_if_reject: accepted
  if (body.starts_with("warning: ") && body.find(" authentication failed") != std::string_view::npos &&
      body.find(": SASL ") != std::string_view::npos) {
    return parse_sasl_failure(body, event);
  }
  // Without program and queue id, "host mx[ip] said: ..." is the diagnostic of a bounce message, not a log line.
  const bool queued = body.size() != message.size();
  const bool client = daemon == "smtp" || daemon == "lmtp" || (unknown_daemon && queued);
  if (client && (body.starts_with("host ") || body.starts_with("SASL authentication failed; server ")) &&
      (kSaid.found_in(body) || kRefused.found_in(body))) {
    // A reply from one MX host before Postfix tries the next one (the recipient's result follows),
    // or from a relay that refused our SASL login.
    read_delivery_text(body, event);
    event.direction = delivery_direction(unknown_daemon ? "smtp" : daemon);
    return ParseOutcome::event;
  }
  if (client && queued && is_failure_with_one_server(body)) {
    read_delivery_text(body, event);
    event.direction = delivery_direction(unknown_daemon ? "smtp" : daemon);
    event.implied_class = 4;
    return ParseOutcome::event;
  }
  if (body.starts_with("warning: ") && body.find(" limit exceeded: ") != std::string_view::npos &&
      body.find(" for service ") != std::string_view::npos) {
    return parse_limit_exceeded(body, event);
  }
  if (daemon == "smtpd" || daemon == "postscreen" || unknown_daemon) {
    if (const ParseOutcome ended = parse_session_end(body, event); ended != ParseOutcome::ignored) return ended;
  }
  if (const ParseOutcome tried = parse_attempt(daemon, body, event); tried != ParseOutcome::ignored) return tried;
  if (body.starts_with("> ") || body.starts_with("< ")) return ParseOutcome::ignored;  // debug_peer dumps
  if (body.starts_with("warning: ")) return ParseOutcome::ignored;
  return looks_like_smtp_outcome(body) ? ParseOutcome::unmatched : ParseOutcome::ignored;
}

}  // namespace mta
