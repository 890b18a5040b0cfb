#pragma once
// A reply given on its own rather than inside a log line, as in bounce messages and DSNs:
// "550 5.1.1 ...", "5.7.1 ...", "smtp; 550 ...", "Diagnostic-Code: smtp; 550 ...",
// "host mx.example.com[192.0.2.1] said: 550 ... (in reply to RCPT TO command)".

#include <string_view>

#include "smtp/smtp_event.hpp"

namespace mta {

// Fills reply, stage and remote_host; returns false when the text is not a reply.
bool read_bare_reply(std::string_view text, SmtpEvent& event);

}  // namespace mta
