#include "syslog/syslog_header.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace mta {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The first position at or after `from` of `a`, `b` or `c`, or the text's size: eight bytes a step (a word's bytes
// that equal one are found without a branch each), then a byte at a time. A tag's program name ("postfix/smtpd") is a
// dozen bytes, and a loop of a byte a step mispredicted its end on nearly every line.
std::size_t find_first_of3(std::string_view text, std::size_t from, char a, char b, char c) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHighs = 0x8080808080808080ull;
  std::size_t pos = from;
  for (; pos + 8 <= text.size(); pos += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + pos, 8);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    // A byte of x is 0 where the word's byte equals t; the lowest flagged byte is always a real one.
    const auto equal_bytes = [word](char t) {
      const std::uint64_t x = word ^ (kOnes * static_cast<unsigned char>(t));
      return (x - kOnes) & ~x & kHighs;
    };
    if (const std::uint64_t found = equal_bytes(a) | equal_bytes(b) | equal_bytes(c); found != 0) {
      return pos + static_cast<std::size_t>(std::countr_zero(found)) / 8;
    }
  }
  while (pos < text.size() && text[pos] != a && text[pos] != b && text[pos] != c) ++pos;
  return pos;
}

// Consumes characters up to the next space; returns the token and advances `rest` past the space.
std::string_view take_token(std::string_view& rest) {
  const std::size_t space = rest.find(' ');
  std::string_view token = rest.substr(0, space);
  rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
  return token;
}

bool skip_priority(std::string_view& rest) {
  if (rest.empty() || rest[0] != '<') return true;
  std::size_t pos = 1;
  while (pos < rest.size() && pos <= 4 && is_digit(rest[pos])) ++pos;
  if (pos == 1 || pos >= rest.size() || rest[pos] != '>') return false;
  rest.remove_prefix(pos + 1);
  return true;
}

// "Mar  4 00:00:00 " -> the 15-character timestamp.
bool take_bsd_timestamp(std::string_view& rest, std::string_view& timestamp) {
  if (rest.size() < 16) return false;
  static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  bool month_ok = false;
  for (std::size_t m = 0; m < months.size(); m += 3) {
    if (rest.substr(0, 3) == months.substr(m, 3)) month_ok = true;
  }
  if (!month_ok || rest[3] != ' ') return false;
  // Day is "dd", " d" or a single digit followed by one space ("Jan 1 00:00:00").
  std::size_t pos = 4;
  if (rest[pos] == ' ') ++pos;
  if (!is_digit(rest[pos])) return false;
  ++pos;
  if (is_digit(rest[pos])) ++pos;
  if (rest[pos] != ' ') return false;
  ++pos;
  const std::string_view clock = rest.substr(pos, 8);
  if (clock.size() < 8 || clock[2] != ':' || clock[5] != ':' || !is_digit(clock[0]) || !is_digit(clock[7])) {
    return false;
  }
  pos += 8;
  // Some writers add fractional seconds or a year; both stay part of the timestamp.
  while (pos < rest.size() && rest[pos] != ' ') ++pos;
  if (pos >= rest.size()) return false;
  timestamp = rest.substr(0, pos);
  rest.remove_prefix(pos + 1);
  return true;
}

// "2026-11-24T10:16:01.448812+00:00 " (also with a space instead of 'T' when a zone follows).
bool take_iso_timestamp(std::string_view& rest, std::string_view& timestamp) {
  if (rest.size() < 20 || !is_digit(rest[0]) || rest[4] != '-' || rest[7] != '-' || rest[10] != 'T' ||
      rest[13] != ':') {
    return false;
  }
  timestamp = take_token(rest);
  return !rest.empty();
}

// "prog[pid]: " or "prog: "; the tag may contain '/', '-', '.', '_' and similar, never a space.
bool take_tag(std::string_view& rest, SyslogRecord& record) {
  std::size_t pos = find_first_of3(rest, 0, '[', ':', ' ');
  if (pos == 0 || pos >= rest.size()) return false;
  record.program = rest.substr(0, pos);
  if (rest[pos] == '[') {
    const std::size_t close = find_first_of3(rest, pos + 1, ']', ' ', ' ');
    if (close == rest.size()) return false;
    if (rest[close] == ' ') {
      // RFC 3164 allows 32 characters of TAG and rsyslog's default forward format cuts there:
      // "postfix/submission/smtpd[1139278 warning: ..." keeps the program and the message intact.
      const std::string_view digits = rest.substr(pos + 1, close - pos - 1);
      if (digits.find_first_not_of("0123456789") != std::string_view::npos) return false;
      record.pid = digits;
      record.message = rest.substr(close + 1);
      return true;
    }
    record.pid = rest.substr(pos + 1, close - pos - 1);
    pos = close + 1;
    // The same 32-character cut can fall on the colon alone: "postfix/submission/smtpd[534603] warning".
    if (pos < rest.size() && rest[pos] == ' ' && !record.pid.empty() &&
        record.pid.find_first_not_of("0123456789") == std::string_view::npos) {
      record.message = rest.substr(pos + 1);
      return true;
    }
  }
  if (pos >= rest.size() || rest[pos] != ':') return false;
  ++pos;
  if (pos < rest.size() && rest[pos] == ' ') ++pos;
  record.message = rest.substr(pos);
  return true;
}

std::string_view nil_to_empty(std::string_view field) { return field == "-" ? std::string_view{} : field; }

// RFC 5424: "<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG" (PRI already removed).
bool parse_rfc5424(std::string_view rest, SyslogRecord& record) {
  if (rest.size() < 2 || rest[0] != '1' || rest[1] != ' ') return false;
  rest.remove_prefix(2);
  record.timestamp = nil_to_empty(take_token(rest));
  record.host = nil_to_empty(take_token(rest));
  record.program = nil_to_empty(take_token(rest));
  record.pid = nil_to_empty(take_token(rest));
  take_token(rest);  // MSGID
  if (rest.starts_with("-")) {
    rest.remove_prefix(rest.size() > 1 ? 2 : 1);
  } else if (rest.starts_with("[")) {
    // Structured data: elements "[id k="v"]..."; quoted values may hold escaped ']' characters.
    std::size_t pos = 0;
    bool in_quotes = false;
    while (pos < rest.size()) {
      const char c = rest[pos];
      if (c == '\\' && in_quotes) {
        pos = std::min(pos + 2, rest.size());  // an escape may be the last byte of a cut message
        continue;
      }
      if (c == '"') in_quotes = !in_quotes;
      ++pos;
      if (c == ']' && !in_quotes && (pos >= rest.size() || rest[pos] != '[')) break;
    }
    rest.remove_prefix(pos);
    if (rest.starts_with(" ")) rest.remove_prefix(1);
  } else {
    return false;
  }
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);
  // A relay that rewrites RFC 3164 messages keeps the space after "tag:" (rsyslog's
  // RSYSLOG_SyslogProtocol23Format): the message starts after it.
  while (rest.starts_with(" ")) rest.remove_prefix(1);
  record.message = rest;
  return !record.program.empty();
}

// Solaris's syslogd writes a message ID before the text when log.conf sets msgid=1 (the default since Solaris 7):
// "sm-mta[29534]: [ID 801593 mail.info] hBT7rwVP015583: to=<a>, ..." (Oracle, "Solaris 7 System Administration
// Supplement", system boot and error message format; msgid(1M)): "[ID <msgid> <facility>.<priority>] ".
void drop_solaris_message_id(std::string_view& message) {
  if (!message.starts_with("[ID ")) return;
  const std::size_t close = message.find("] ");
  if (close == std::string_view::npos || close > 40) return;
  const std::string_view inside = message.substr(4, close - 4);  // "801593 mail.info"
  const std::size_t space = inside.find(' ');
  if (space == 0 || space == std::string_view::npos || !std::all_of(inside.begin(), inside.begin() + space, is_digit) ||
      inside.find('.', space) == std::string_view::npos) {
    return;
  }
  message.remove_prefix(close + 2);
}

// The host is optional in some local writers; a token ending in ':' or holding '[' is the tag.
bool take_host_and_tag(std::string_view rest, SyslogRecord& record) {
  // One pass over the first token, a host name or a tag of a few characters.
  std::size_t space = 0;
  bool bracket = false;
  for (; space < rest.size() && rest[space] != ' '; ++space) bracket = bracket || rest[space] == '[';
  const std::string_view first = rest.substr(0, space);
  const bool first_is_tag = first.ends_with(':') || bracket;
  if (!first_is_tag) {
    record.host = first;
    rest = space == rest.size() ? std::string_view{} : rest.substr(space + 1);
  }
  if (!take_tag(rest, record)) return false;
  drop_solaris_message_id(record.message);
  return true;
}

// "2024-01-01 00:00:00 ", with fractional seconds and a numeric zone if present ("... 00:00:00.123 +0100 "), as
// syslog-ng templates and log shippers write the date.
void take_spaced_timestamp(std::string_view& rest, std::string_view& timestamp) {
  if (rest.size() < 20 || !is_digit(rest[0]) || rest[4] != '-' || rest[7] != '-' || rest[10] != ' ' ||
      rest[13] != ':' || rest[16] != ':' || !is_digit(rest[18])) {
    return;
  }
  std::size_t pos = 19;
  while (pos < rest.size() && (rest[pos] == '.' || is_digit(rest[pos]))) ++pos;
  if (pos + 6 < rest.size() && rest[pos] == ' ' && (rest[pos + 1] == '+' || rest[pos + 1] == '-') &&
      std::all_of(rest.begin() + static_cast<std::ptrdiff_t>(pos) + 2,
                  rest.begin() + static_cast<std::ptrdiff_t>(pos) + 6, is_digit)) {
    pos += 6;
  }
  if (pos >= rest.size() || rest[pos] != ' ') return;
  timestamp = rest.substr(0, pos);
  rest.remove_prefix(pos + 1);
}

}  // namespace

bool parse_syslog_line(std::string_view line, SyslogRecord& record) {
  record = {};
  std::string_view rest = line;
  if (!skip_priority(rest)) return false;
  if (rest.size() != line.size() && parse_rfc5424(rest, record)) return true;
  if (!take_bsd_timestamp(rest, record.timestamp) && !take_iso_timestamp(rest, record.timestamp)) {
    return false;
  }
  // FreeBSD's syslogd -v writes "<facility.priority>" before the host.
  if (rest.starts_with("<")) {
    const std::size_t close = rest.find("> ");
    if (close != std::string_view::npos && rest.substr(1, close - 1).find('.') != std::string_view::npos) {
      rest.remove_prefix(close + 2);
    }
  }
  return take_host_and_tag(rest, record);
}

bool parse_partial_syslog_line(std::string_view line, SyslogRecord& record) {
  record = {};
  std::string_view rest = line;
  take_spaced_timestamp(rest, record.timestamp);
  return take_host_and_tag(rest, record);
}

}  // namespace mta
