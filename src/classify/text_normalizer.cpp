#include "classify/text_normalizer.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "smtp/ascii.hpp"
#include "smtp/utf8.hpp"

namespace mta {
namespace {

// Character classes, looked up once per byte: every failure line's reply passes through here.
// kBreaksPiece: a character that ends a piece of a token that may be an address, or a backslash, which may start
// Exim's two-character "\n".
enum CharClass : unsigned char { kSpace = 1, kBreaksPiece = 2, kDomainChar = 4, kAt = 8 };

constexpr std::array<unsigned char, 256> kCharClasses = [] {
  std::array<unsigned char, 256> classes{};
  for (const char c : {' ', '\t', '\r', '\n', '\v', '\f'})
    classes[static_cast<unsigned char>(c)] = kSpace | kBreaksPiece;
  for (const char c : {'>', '<', ',', ';', ')', '(', '"', '\'', '[', ']', '\\'}) {
    classes[static_cast<unsigned char>(c)] = kBreaksPiece;
  }
  for (int c = 0; c < 256; ++c) {
    if (is_alnum(static_cast<char>(c)) || c == '.' || c == '-') classes[static_cast<std::size_t>(c)] |= kDomainChar;
  }
  classes[static_cast<unsigned char>('@')] = kAt;
  return classes;
}();

constexpr std::array<char, 256> kLowerCase = [] {
  std::array<char, 256> lower{};
  for (int c = 0; c < 256; ++c) lower[static_cast<std::size_t>(c)] = to_lower(static_cast<char>(c));
  return lower;
}();

bool has_class(char c, CharClass wanted) { return (kCharClasses[static_cast<unsigned char>(c)] & wanted) != 0; }

// Length of the address at the start of `piece` whose '@' is at `at` ("user@example.com" of
// "user@example.com:blocked"), or 0: the domain ends at the first character a domain cannot hold, without a final
// full stop.
std::size_t address_length(std::string_view piece, std::size_t at) {
  if (at == 0) return 0;
  std::size_t end = at + 1;
  while (end < piece.size() && has_class(piece[end], kDomainChar)) ++end;
  while (end > at + 1 && piece[end - 1] == '.') --end;
  const std::string_view domain = piece.substr(at + 1, end - at - 1);
  const std::size_t dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() ? end : 0;
}

// How much of a token is a reply code that multi-line replies repeat on every line: all of "550",
// "550-5.1.1" or "5.1.1"; the "550-" of "550-Reason:"; nothing of other words.
std::size_t code_prefix_length(std::string_view token, int basic, EnhancedCode enhanced) {
  std::string_view rest = token;
  if (basic != 0 && rest.size() >= 3 && basic_code(rest.substr(0, 3)) == basic) {
    if (rest.size() == 3) return token.size();
    if (rest[3] == '-') {
      rest.remove_prefix(4);
      if (rest.empty()) return token.size();
      if (!(enhanced.present() && parse_enhanced_code(rest) == enhanced)) return 4;
    }
  }
  if (rest.starts_with("#")) rest.remove_prefix(1);
  return enhanced.present() && parse_enhanced_code(rest) == enhanced ? token.size() : 0;
}

// " - gsmtp" as a word, where Gmail's reply ends.
bool is_gmail_tag(std::string_view rest) {
  constexpr std::string_view tag = " - gsmtp";
  return rest.starts_with(tag) && (rest.size() == tag.size() || !is_alnum(rest[tag.size()]));
}

// Longer than the mask: masking never lengthens the text.
constexpr std::ptrdiff_t kShortestMessageId = 8;

// Gmail's id of a message, as lowered in [token, end): letters, digits and hyphens, a full stop, digits
// ("z188si121582qkc.400", "z9-20020adfdf89000000b001e9e1228238si2585300wrl.340"). A word or a help link before the tag
// ("rejected message. - gsmtp", "?p=NoSuchUser - gsmtp") is no id.
bool is_gmail_message_id(const char* token, const char* end) {
  if (end - token < kShortestMessageId) return false;
  const char* dot = end;
  while (dot > token && is_digit(dot[-1])) --dot;
  if (dot == end || dot - 1 <= token || dot[-1] != '.') return false;
  return std::all_of(token, dot - 1, [](char c) { return is_alnum(c) || c == '-'; });
}

// Writes "hexid" over the token at `token`; returns the new end of the output.
char* write_mask(char* token) {
  constexpr std::string_view mask = "hexid";
  return std::copy(mask.begin(), mask.end(), token);
}

// A per-message identifier a server adds to its reply (Gmail ends every reply with one: "... 8297cd94e6.170 -
// gsmtp"): a token of at least 8 hexadecimal digits and full stops, two of them digits and two letters at least.
// It names no cause, and would make every reply a text of its own that the classifier's memo never sees again; it
// becomes "hexid". Returns the new end of the output.
char* mask_message_id(char* token, char* end) {
  if (end - token < kShortestMessageId) return end;
  int digits = 0;
  int letters = 0;
  for (const char* c = token; c != end; ++c) {
    if (is_digit(*c)) {
      ++digits;
    } else if (*c >= 'a' && *c <= 'f') {
      ++letters;
    } else if (*c != '.') {
      return end;
    }
  }
  if (digits < 2 || letters < 2) return end;
  return write_mask(token);
}

// The number of digits (at most three) at `at`, which must end a group of a dotted quad.
std::size_t quad_group_length(const char* at, const char* end) {
  std::size_t length = 0;
  while (length < 3 && at + length < end && is_digit(at[length])) ++length;
  return length;
}

// The end of the IPv4 address whose first full stop is at `dot`, or nullptr: the first group (one to three digits)
// starts after a character no address continues, three more follow, and no fifth group or longer word does
// ("1.2.3.4.5", "1.2.3.4a" and "v1.2.3.4" are no address). `first` receives the address's start.
const char* ipv4_address_end(const char* start, const char* dot, const char* end, const char*& first) {
  first = dot;
  while (first > start && dot - first < 3 && is_digit(first[-1])) --first;
  if (first == dot || (first > start && (is_alnum(first[-1]) || first[-1] == '.'))) return nullptr;
  const char* cursor = dot + 1;
  for (int group = 1; group < 4; ++group) {
    const std::size_t length = quad_group_length(cursor, end);
    cursor += length;
    if (length == 0 || (group < 3 && (cursor == end || *cursor++ != '.'))) return nullptr;
  }
  if (cursor < end && (is_alnum(*cursor) || (*cursor == '.' && cursor + 1 < end && is_digit(cursor[1])))) {
    return nullptr;
  }
  return cursor;
}

// The lower case of a two-byte UTF-8 letter whose lower case has two bytes too, or the letter itself: Latin-1's
// À-Þ (but ×), Latin Extended-A's pairs (Ł/ł, Ż/ż, Č/č; upper case at even code points, at odd ones in U+0139-U+0148
// and U+0179-U+017E; İ, ı, ĸ, ŉ, Ÿ and ſ have no such pair), Cyrillic А-Я and Ѐ-Џ. The text rules are written in lower
// case, and a reply may capitalise a sentence's first word or all of it ("Пользователь не найден", "UNBEKANNTER
// EMPFÄNGER").
unsigned lower_two_byte_letter(unsigned code) {
  if (code >= 0xC0 && code <= 0xDE && code != 0xD7) return code + 0x20;
  if (code >= 0x100 && code <= 0x17E && code != 0x130 && code != 0x131 && code != 0x138 && code != 0x149 &&
      code != 0x178) {
    const bool upper_is_odd = (code >= 0x139 && code <= 0x148) || code >= 0x179;
    return (code % 2 == 1) == upper_is_odd ? code + 1 : code;
  }
  if (code >= 0x410 && code <= 0x42F) return code + 0x20;
  if (code >= 0x400 && code <= 0x40F) return code + 0x50;
  return code;
}

// Lowers the two-byte UTF-8 letters of [begin, end) in place; the byte length does not change.
void lower_two_byte_letters(char* begin, char* end) {
  for (char* c = begin; c + 1 < end; ++c) {
    const Utf8Char letter = leading_utf8_char({c, static_cast<std::size_t>(end - c)});
    if (letter.length != 2) continue;
    const unsigned lower = lower_two_byte_letter(letter.code);
    c[0] = static_cast<char>(0xC0u | lower >> 6);
    c[1] = static_cast<char>(0x80u | (lower & 0x3Fu));
    ++c;
  }
}

}  // namespace

// A client's or server's IPv4 address that a reply echoes ("client host [192.0.2.1] blocked using ...",
// "spamhaus.org/query/ip/192.0.2.1") names no cause either, and makes every client's refusal a text of its own:
// each becomes "0.0.0.0", which every rule's digit classes read as they read the address. The loopback range stays:
// a DNSBL's 127.x answer codes say why (Spamhaus's 127.255.255.x, rule T00). One pass, each byte copied once; a text
// without an address is returned as it is.
std::string_view TextNormalizer::mask_ipv4_addresses(std::string_view text) {
  constexpr std::string_view mask = "0.0.0.0";
  const char* const start = text.data();
  const char* const end = start + text.size();
  const char* copied = start;  // the input up to here is in masked_
  std::size_t out = 0;
  for (const char* dot = static_cast<const char*>(std::memchr(start, '.', text.size())); dot != nullptr;
       dot = dot + 1 < end
                 ? static_cast<const char*>(std::memchr(dot + 1, '.', static_cast<std::size_t>(end - dot - 1)))
                 : nullptr) {
    const char* first = nullptr;
    const char* const address_end = ipv4_address_end(start, dot, end, first);
    if (address_end == nullptr || std::string_view(first, static_cast<std::size_t>(dot - first)) == "127") continue;
    if (masked_.size() < text.size()) masked_.resize(text.size());  // masks only shorten the text
    out = static_cast<std::size_t>(std::copy(copied, first, masked_.data() + out) - masked_.data());
    out = static_cast<std::size_t>(std::copy(mask.begin(), mask.end(), masked_.data() + out) - masked_.data());
    copied = address_end;
    dot = address_end - 1;  // the next full stop after the address
  }
  if (copied == start) return text;
  out = static_cast<std::size_t>(std::copy(copied, end, masked_.data() + out) - masked_.data());
  return {masked_.data(), out};
}

std::string_view TextNormalizer::normalize(std::string_view text, int basic, EnhancedCode enhanced) {
  // Masking and collapsing only shorten the text: the result fits in its length.
  // The buffer only grows: resizing it down and up again would zero the bytes it grew by on every call.
  if (buffer_.size() < text.size()) buffer_.resize(text.size());
  char* const start = buffer_.data();
  char* out = start;
  masked_domain_count_ = 0;
  const std::size_t size = text.size();
  // Exim writes the line breaks of multi-line replies as the two characters "\n".
  const auto separator_length = [&text, size](std::size_t at) -> std::size_t {
    if (has_class(text[at], kSpace)) return 1;
    return text[at] == '\\' && at + 1 < size && text[at + 1] == 'n' ? 2 : 0;
  };
  unsigned char outside_ascii = 0;  // the bits of every byte copied: 0x80 if one is outside ASCII
  std::size_t pos = 0;
  while (pos < size) {
    if (const std::size_t skip = separator_length(pos); skip != 0) {
      pos += skip;
      continue;
    }
    if (is_digit(text[pos]) || text[pos] == '#') {  // every code starts so; most words do not
      std::size_t end = pos;
      while (end < size && separator_length(end) == 0) ++end;
      pos += code_prefix_length(text.substr(pos, end - pos), basic, enhanced);
      if (pos == end) continue;
    }
    if (out != start) *out++ = ' ';
    char* const token_out = out;
    // The token runs to the next separator. Mask every address inside it ("<a@b.c>:", "to=<a@b.c>,",
    // "(a@b.c:blocked)"): the pieces between the characters that end one, copied in lower case as they are read.
    while (true) {
      const std::size_t piece_start = pos;
      char* const piece_out = out;
      std::size_t at = std::string_view::npos;
      for (; pos < size; ++pos) {  // one table look-up a byte: most bytes are neither a break nor an '@'
        const auto byte = static_cast<unsigned char>(text[pos]);
        if (const unsigned char found = kCharClasses[byte] & (kBreaksPiece | kAt); found != 0) {
          if (found == kAt) {
            if (at == std::string_view::npos) at = pos - piece_start;
          } else if (byte != '\\' || separator_length(pos) != 0) {
            break;
          }
        }
        *out++ = kLowerCase[byte];
        outside_ascii |= byte;
      }
      const std::string_view piece = text.substr(piece_start, pos - piece_start);
      if (const std::size_t length = at == std::string_view::npos ? 0 : address_length(piece, at); length != 0) {
        out = piece_out;
        for (const char c : std::string_view("addr")) *out++ = c;
        for (const char c : piece.substr(length)) *out++ = to_lower(c);
        if (masked_domain_count_ < kMaxMaskedDomains) {
          masked_domains_[masked_domain_count_++] = piece.substr(at + 1, length - at - 1);
        }
      }
      if (pos == size || separator_length(pos) != 0) break;
      *out++ = text[pos++];
    }
    out = mask_message_id(token_out, out);
    // Gmail ends every reply with the message's id before " - gsmtp" ("... ?p=NoSuchUser z188si121582qkc.400 -
    // gsmtp"), letters and digits that the hexadecimal test misses: unmasked, no Gmail reply was ever seen twice.
    if (is_gmail_tag(text.substr(pos)) && is_gmail_message_id(token_out, out)) out = write_mask(token_out);
  }
  if ((outside_ascii & 0x80) != 0) lower_two_byte_letters(start, out);
  with_ip_addresses_ = {start, static_cast<std::size_t>(out - start)};
  return mask_ipv4_addresses(with_ip_addresses_);
}

}  // namespace mta
