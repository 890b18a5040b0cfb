#include "smtp/reply.hpp"

#include <algorithm>
#include <charconv>

#include "smtp/ascii.hpp"
#include "smtp/text_search.hpp"

namespace mta {
namespace {

// Reads 1 to 3 digits at `pos`; returns how many were read (0 when none or more than 3).
std::size_t read_number(std::string_view text, std::size_t pos, std::uint16_t& value) {
  std::size_t end = pos;
  while (end < text.size() && is_digit(text[end])) ++end;
  const std::size_t length = end - pos;
  if (length == 0 || length > 3) return 0;
  std::from_chars(text.data() + pos, text.data() + end, value);
  return length;
}

// Parses "c.s.d" at `pos`; `end` receives the position after it.
EnhancedCode parse_at(std::string_view text, std::size_t pos, std::size_t& end) {
  if (pos + 5 > text.size()) return {};
  const char klass = text[pos];
  if ((klass != '2' && klass != '4' && klass != '5') || text[pos + 1] != '.') return {};
  EnhancedCode code{static_cast<std::uint8_t>(klass - '0'), 0, 0};
  std::size_t cursor = pos + 2;
  const std::size_t subject_length = read_number(text, cursor, code.subject);
  if (subject_length == 0) return {};
  cursor += subject_length;
  if (cursor >= text.size() || text[cursor] != '.') return {};
  ++cursor;
  const std::size_t detail_length = read_number(text, cursor, code.detail);
  if (detail_length == 0) return {};
  end = cursor + detail_length;
  return code;
}

}  // namespace

std::string_view format(EnhancedCode code, EnhancedCodeText& buffer) {
  if (!code.present()) return {};
  char* out = buffer.data();
  *out++ = static_cast<char>('0' + code.klass);
  *out++ = '.';
  out = std::to_chars(out, buffer.data() + buffer.size(), code.subject).ptr;
  *out++ = '.';
  out = std::to_chars(out, buffer.data() + buffer.size(), code.detail).ptr;
  return {buffer.data(), static_cast<std::size_t>(out - buffer.data())};
}

int basic_code(std::string_view reply) {
  if (reply.size() < 3) return 0;
  if (reply[0] < '2' || reply[0] > '5' || !is_digit(reply[1]) || !is_digit(reply[2])) return 0;
  if (reply.size() > 3 && reply[3] != ' ' && reply[3] != '-') return 0;
  return (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
}

EnhancedCode find_enhanced_code(std::string_view text) {
  for (std::size_t pos = 0; pos + 5 <= text.size(); ++pos) {
    const char c = text[pos];
    if (c != '2' && c != '4' && c != '5') continue;
    if (pos > 0) {
      const char before = text[pos - 1];
      if (is_digit(before) || before == '.') continue;
    }
    std::size_t end = 0;
    const EnhancedCode code = parse_at(text, pos, end);
    if (!code.present()) continue;
    if (end < text.size()) {
      const char after = text[end];
      if (is_digit(after)) continue;
      if (after == '.' && end + 1 < text.size() && is_digit(text[end + 1])) continue;
    }
    return code;
  }
  return {};
}

EnhancedCode parse_enhanced_code(std::string_view text) {
  std::size_t end = 0;
  const EnhancedCode code = parse_at(text, 0, end);
  return end == text.size() ? code : EnhancedCode{};
}

ReplyAndStage split_in_reply_to(std::string_view text) {
  static constexpr Needle opener(" (in reply to ");
  constexpr std::string_view closer = " command)";
  const std::size_t open = opener.rfind_in(text);
  if (open == std::string_view::npos) return {text, Stage::unknown};
  std::string_view command = text.substr(open + opener.text().size());
  if (command.ends_with(closer)) command.remove_suffix(closer.size());
  return {text.substr(0, open), stage_from_command(command)};
}

Stage stage_from_command(std::string_view command) {
  struct Entry {
    std::string_view command;
    Stage stage;
  };
  static constexpr Entry table[] = {
      {"RCPT TO", Stage::rcpt},
      {"RCPT", Stage::rcpt},
      {"MAIL FROM", Stage::mail},
      {"MAIL", Stage::mail},
      {"end of DATA", Stage::end_of_data},
      {"END-OF-MESSAGE", Stage::end_of_data},
      {"DATA", Stage::data},
      {"BDAT", Stage::data},
      {"EHLO", Stage::helo},
      {"HELO", Stage::helo},
      {"LHLO", Stage::helo},
      {"STARTTLS", Stage::starttls},
      {"AUTH", Stage::auth},
      {"CONNECT", Stage::connect},
      {"header", Stage::header},
      {"body", Stage::body},
  };
  // Clients send commands in any case ("rcpt TO:"), and MTAs log them as sent.
  for (const Entry& entry : table) {
    if (equals_ignoring_case(command, entry.command)) return entry.stage;
  }
  return Stage::unknown;
}

}  // namespace mta
