#include "classify/text_normalizer.hpp"

#include "smtp/ascii.hpp"

namespace mta {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

bool ends_token(char c) {
  return is_space(c) || c == '>' || c == '<' || c == ',' || c == ';' || c == ')' || c == '(' || c == '"' || c == '\'' ||
         c == '[' || c == ']';
}

bool is_domain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

// Length of the address at the start of `piece` ("user@example.com" of "user@example.com:blocked"),
// or 0: the domain ends at the first character a domain cannot hold, without a final full stop.
std::size_t address_length(std::string_view piece) {
  const std::size_t at = piece.find('@');
  if (at == std::string_view::npos || at == 0) return 0;
  std::size_t end = at + 1;
  while (end < piece.size() && is_domain_char(piece[end])) ++end;
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

}  // namespace

std::string_view TextNormalizer::normalize(std::string_view text, int basic, EnhancedCode enhanced) {
  buffer_.clear();
  masked_domain_count_ = 0;
  std::size_t pos = 0;
  // Exim writes the line breaks of multi-line replies as the two characters "\n".
  const auto separator_length = [&text](std::size_t at) -> std::size_t {
    if (is_space(text[at])) return 1;
    return text[at] == '\\' && at + 1 < text.size() && text[at + 1] == 'n' ? 2 : 0;
  };
  while (pos < text.size()) {
    if (const std::size_t skip = separator_length(pos); skip != 0) {
      pos += skip;
      continue;
    }
    std::size_t end = pos;
    while (end < text.size() && separator_length(end) == 0) ++end;
    std::string_view token = text.substr(pos, end - pos);
    pos = end;
    token.remove_prefix(code_prefix_length(token, basic, enhanced));
    if (token.empty()) continue;
    if (!buffer_.empty()) buffer_.push_back(' ');
    // Mask every address inside the token ("<a@b.c>:", "to=<a@b.c>,", "(a@b.c:blocked)").
    std::size_t cursor = 0;
    while (cursor < token.size()) {
      std::size_t piece_end = cursor;
      while (piece_end < token.size() && !ends_token(token[piece_end])) ++piece_end;
      std::string_view piece = token.substr(cursor, piece_end - cursor);
      if (const std::size_t length = address_length(piece); length != 0) {
        buffer_.append("addr");
        if (masked_domain_count_ < kMaxMaskedDomains) {
          const std::size_t at = piece.find('@');
          masked_domains_[masked_domain_count_++] = piece.substr(at + 1, length - at - 1);
        }
        piece.remove_prefix(length);
      }
      for (char c : piece) buffer_.push_back(to_lower(c));
      if (piece_end < token.size()) buffer_.push_back(token[piece_end]);
      cursor = piece_end + 1;
    }
  }
  return buffer_;
}

}  // namespace mta
