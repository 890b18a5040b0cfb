#include "mta/courier.hpp"

#include "smtp/ascii.hpp"
#include "smtp/reply.hpp"

namespace mta {
namespace {

std::string_view verb_of(std::string_view command) {
  std::size_t end = 0;
  while (end < command.size() && is_alnum(command[end])) ++end;
  return command.substr(0, end);
}

// The reply of a submit error, after the sender and the recipient. set_submit_error() turns every '<', '>' and ':'
// inside both addresses into a blank (and print_submit_log_fix() the ',' and ':' of the ident), so each address
// ends at the first '>' after its '<', whatever the client sent.
std::string_view submit_reply(std::string_view fields, Stage& stage, std::string_view& recipient) {
  std::size_t pos = 0;
  for (const std::string_view key : {std::string_view(",from=<"), std::string_view(",to=<")}) {
    const std::size_t open = fields.find(key, pos);
    if (open == std::string_view::npos) continue;
    const std::size_t close = fields.find('>', open + key.size());
    if (close == std::string_view::npos) return {};
    stage = key == ",to=<" ? Stage::rcpt : Stage::mail;
    if (stage == Stage::rcpt) recipient = fields.substr(open + key.size(), close - open - key.size());
    pos = close + 1;
  }
  return pos != 0 && fields.substr(pos).starts_with(": ") ? fields.substr(pos + 2) : std::string_view{};
}

}  // namespace

bool is_courier_program(std::string_view program) { return daemon_name(program) == "courieresmtpd"; }

ParseOutcome parse_courier(const SyslogRecord& record, SmtpEvent& event) {
  constexpr std::string_view kError = "error,relay=";
  const std::string_view message = record.message;
  if (!message.starts_with(kError)) return ParseOutcome::ignored;
  event = {};
  event.mta = Mta::generic;
  event.direction = Direction::inbound;
  // "error,relay=::ffff:192.0.2.1,port=..,": the client's address, as courieresmtpd's TCPREMOTEIP.
  const std::string_view relay = message.substr(kError.size());
  event.client = relay.substr(0, relay.find(','));
  std::string_view command;
  constexpr std::string_view kMessage = ",msg=\"";
  constexpr std::string_view kCommand = "\",cmd: ";
  if (const std::size_t msg = message.find(kMessage); msg != std::string_view::npos) {
    const std::string_view rest = message.substr(msg + kMessage.size());
    const std::size_t end = rest.find(kCommand);
    event.reply = rest.substr(0, end);
    if (end != std::string_view::npos) command = rest.substr(end + kCommand.size());
    event.stage = stage_from_command(verb_of(command));
  } else {
    event.reply = submit_reply(message.substr(kError.size()), event.stage, event.recipient);
  }
  const int code = basic_code(event.reply);
  if (code / 100 != 4 && code / 100 != 5) return ParseOutcome::unmatched;
  if (code == 535) {
    // RFC 4954 section 4: 535 answers AUTH only; after "AUTH LOGIN" the client's last line is its base64 password.
    event.status = Status::auth_failed;
    constexpr std::string_view kAuth = "AUTH ";
    if (event.stage == Stage::auth && command.size() > kAuth.size())
      event.mechanism = verb_of(command.substr(kAuth.size()));
    event.stage = Stage::auth;
    return ParseOutcome::event;
  }
  event.status = code / 100 == 4 ? Status::rejected_temporarily : Status::rejected;
  return ParseOutcome::event;
}

}  // namespace mta
