#include "smtp/bare_reply.hpp"

#include "smtp/ascii.hpp"
#include "smtp/remote_error.hpp"
#include "smtp/reply.hpp"

namespace mta {
namespace {

std::string_view trim_left(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

// Drops "Diagnostic-Code:" and a diagnostic type ("smtp;", "X-Postfix;").
std::string_view strip_dsn_prefix(std::string_view text) {
  text = trim_left(text);
  if (starts_with_ignoring_case(text, "diagnostic-code:")) text = trim_left(text.substr(16));
  for (std::string_view type : {"smtp;", "x-postfix;", "x-unix;"}) {
    if (starts_with_ignoring_case(text, type)) return trim_left(text.substr(type.size()));
  }
  return text;
}

}  // namespace

bool read_bare_reply(std::string_view text, SmtpEvent& event) {
  text = strip_dsn_prefix(text);
  constexpr std::string_view said = " said: ";
  if (starts_with_ignoring_case(text, "host ")) {
    if (const std::size_t pos = text.find(said); pos != std::string_view::npos) {
      const std::string_view host = text.substr(5, pos - 5);
      event.remote_host = host.substr(0, host.find('['));
      const ReplyAndStage reply = split_in_reply_to(text.substr(pos + said.size()));
      event.reply = reply.reply;
      event.stage = reply.stage;
      return !event.reply.empty();
    }
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

}  // namespace mta
