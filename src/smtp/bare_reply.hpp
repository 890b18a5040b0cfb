#pragma once
// A reply given on its own rather than inside a log line, as in bounce messages and DSNs:
// "550 5.1.1 ...", "5.7.1 ...", "smtp; 550 ...", "Diagnostic-Code: smtp; 550 ...",
// "host mx.example.com[192.0.2.1] said: 550 ... (in reply to RCPT TO command)", each also after the
// "<recipient>: " that Postfix's bounce report puts before it.

#include <string_view>

#include "smtp/smtp_event.hpp"

namespace mta {

// Fills reply, stage and remote_host; returns false when the text is not a reply.
bool read_bare_reply(std::string_view text, SmtpEvent& event);

// The diagnostic of a text with no reply code, as MTAs write their own ("mail for example.com loops
// back to myself", "X-Postfix; Host or domain name not found. ..."): the text without a
// "Diagnostic-Code:" prefix and diagnostic type ("smtp;", "X-Postfix;", "X-Notes;", any atom). Empty
// when nothing is left, and for text without a diagnostic type that reads as a log line (a leading
// stamp, label, queue ID or program name, key=value fields; a bracketed address is none, MTAs name the
// server they failed with by it). Whether the rest is a diagnostic at all is for the text rules to tell.
std::string_view codeless_diagnostic(std::string_view text);

// A mail client's error that puts the server's reply code in parentheses before the server's text: lettre's
// "permanent error (550): 5.4.6 ..." and "transient error (451): ..." (lettre/lettre src/transport/smtp/error.rs,
// Kind::Permanent/Transient), the "SMTP Error (451): ..." of Roundcube and many PHP senders. `code` is 0 when the
// text is none.
struct ParenthesisedCodeReply {
  int code = 0;
  std::string_view text;  // what follows "(550): ", which may repeat the code
};
ParenthesisedCodeReply read_parenthesised_code(std::string_view text);

}  // namespace mta
