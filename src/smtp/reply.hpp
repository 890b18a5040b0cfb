#pragma once
// Reading the codes out of an SMTP reply (RFC 5321 basic code, RFC 3463 enhanced status code) and the
// command it answered. No allocation: everything works on views and fixed buffers.

#include <array>
#include <cstdint>
#include <string_view>

#include "smtp/smtp_event.hpp"

namespace mta {

struct EnhancedCode {
  std::uint8_t klass = 0;  // 2, 4 or 5; 0 when absent
  std::uint16_t subject = 0;
  std::uint16_t detail = 0;

  bool present() const { return klass != 0; }
  // One integer per code (class, subject and detail each fit), for keys and sets.
  std::uint32_t packed() const {
    return static_cast<std::uint32_t>(klass) << 24 | static_cast<std::uint32_t>(subject) << 12 | detail;
  }
  bool operator==(const EnhancedCode&) const = default;
};

// Text form "5.7.26"; the buffer is large enough for any parsed code.
using EnhancedCodeText = std::array<char, 16>;
std::string_view format(EnhancedCode code, EnhancedCodeText& buffer);

// The 3-digit basic code at the start of a reply (2xx to 5xx), or 0.
int basic_code(std::string_view reply);

// The first enhanced code in the text that is not part of an IP address or a dotted number
// (`#5.1.0` is accepted as Google Groups writes it).
EnhancedCode find_enhanced_code(std::string_view text);

// An enhanced code that must be the whole text, as in Postfix's dsn= field.
EnhancedCode parse_enhanced_code(std::string_view text);

// Splits Postfix's trailing "(in reply to RCPT TO command)" off a reply.
struct ReplyAndStage {
  std::string_view reply;
  Stage stage = Stage::unknown;
};
ReplyAndStage split_in_reply_to(std::string_view text);

// "RCPT TO", "MAIL FROM", "end of DATA", "EHLO", "END-OF-MESSAGE", "header", ...
Stage stage_from_command(std::string_view command);

}  // namespace mta
