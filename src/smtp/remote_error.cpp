#include "smtp/remote_error.hpp"

namespace mta {

Stage stage_after_exim_command(std::string_view command) {
  if (command.starts_with("pipelined ")) command.remove_prefix(10);
  if (command.starts_with("RCPT TO")) return Stage::rcpt;
  if (command.starts_with("MAIL FROM")) return Stage::mail;
  if (command.starts_with("end of data")) return Stage::end_of_data;
  if (command.starts_with("DATA")) return Stage::data;
  if (command.starts_with("initial connection")) return Stage::connect;
  if (command.starts_with("EHLO") || command.starts_with("HELO") || command.starts_with("LHLO")) return Stage::helo;
  if (command.starts_with("STARTTLS")) return Stage::starttls;
  if (command.starts_with("AUTH")) return Stage::auth;
  return Stage::unknown;
}

namespace {

// Past the "<address>" of "RCPT TO:<a>" (or the older "RCPT TO: <a>"), else 0: a quoted local part
// written by whoever sent the mail may hold ": 250 ok" and '>', which must not be taken for the reply.
std::size_t after_address(std::string_view command) {
  const std::size_t command_colon = command.find(':');
  const std::size_t open = command.find('<');
  if (command_colon == std::string_view::npos || open == std::string_view::npos || open > command_colon + 2) {
    return 0;
  }
  bool quoted = false;
  for (std::size_t i = open + 1; i < command.size(); ++i) {
    if (quoted && command[i] == '\\') {
      ++i;
    } else if (command[i] == '"') {
      quoted = !quoted;
    } else if (command[i] == '>' && !quoted) {
      return i + 1;
    }
  }
  return 0;
}

}  // namespace

bool read_exim_remote_error(std::string_view text, SmtpEvent& event) {
  for (std::string_view marker : {std::string_view("SMTP error from remote mail server after "),
                                  std::string_view("SMTP error from remote mailer after "),
                                  std::string_view("LMTP error after "), std::string_view("PRDR error after ")}) {
    const std::size_t pos = text.find(marker);
    if (pos == std::string_view::npos) continue;
    const std::string_view command = text.substr(pos + marker.size());
    const std::size_t colon = command.find(": ", after_address(command));
    if (colon == std::string_view::npos) return false;
    // LMTP's answer after the message data is the per-recipient result at its end, as is PRDR's (RFC draft
    // Per-Recipient Data Responses; transports/smtp.c writes "PRDR error after DATA: 550 ...").
    const bool lmtp = marker.starts_with("LMTP") || marker.starts_with("PRDR");
    event.stage = lmtp && command.starts_with("DATA") ? Stage::end_of_data : stage_after_exim_command(command);
    std::string_view reply = command.substr(colon + 2);
    if (reply.starts_with("host ")) {
      const std::size_t end = reply.find("]: ");
      if (end != std::string_view::npos) {
        const std::string_view host = reply.substr(5, end - 5);
        if (event.remote_host.empty()) event.remote_host = host.substr(0, host.find(' '));
        reply = reply.substr(end + 3);
      }
    }
    event.reply = reply;
    return true;
  }
  return false;
}

}  // namespace mta
