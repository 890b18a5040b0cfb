#pragma once
// Exim's wording for a remote server's reply, found in its logs and in the bounce messages it sends:
// "SMTP error from remote mail server after RCPT TO:<a>: 550 5.1.1 ..." (older releases: "... remote
// mailer after ...", sometimes with "host mx.example.com [192.0.2.1]: " before the reply), and
// "LMTP error after DATA: 452 ...", "PRDR error after DATA: 550 ..." (a per-recipient reply to the message data).

#include <string_view>

#include "smtp/smtp_event.hpp"

namespace mta {

// The stage of Exim's "after X" phrase: "pipelined MAIL FROM:<a> SIZE=1", "end of data", "initial connection".
Stage stage_after_exim_command(std::string_view command);

// Finds the phrase in `text` and fills reply, stage and (from a "host ..." prefix) remote_host.
// Returns false when `text` holds no such reply.
bool read_exim_remote_error(std::string_view text, SmtpEvent& event);

}  // namespace mta
