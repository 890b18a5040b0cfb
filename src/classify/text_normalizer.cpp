#include "classify/text_normalizer.hpp"

namespace mta {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ends_token(char c) {
  return is_space(c) || c == '>' || c == '<' || c == ',' || c == ';' || c == ')' || c == '(' || c == '"' || c == '\'' ||
         c == '[' || c == ']';
}

// An address token: something@domain.tld.
bool is_address(std::string_view token) {
  const std::size_t at = token.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  const std::size_t dot = token.find('.', at);
  return dot != std::string_view::npos && dot > at + 1 && dot + 1 < token.size();
}

// "550-5.1.1", "550", "5.1.1" as repeated on the lines of a multi-line reply.
bool is_code_token(std::string_view token, int basic, EnhancedCode enhanced) {
  if (token.empty()) return false;
  if (basic != 0 && token.size() >= 3 && basic_code(token.substr(0, 3)) == basic) {
    if (token.size() == 3) return true;
    if (token[3] == '-') {
      token.remove_prefix(4);
      if (token.empty()) return true;
    }
  }
  if (token.starts_with("#")) token.remove_prefix(1);
  return enhanced.present() && parse_enhanced_code(token) == enhanced;
}

}  // namespace

std::string_view TextNormalizer::normalize(std::string_view text, int basic, EnhancedCode enhanced) {
  buffer_.clear();
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
    if (is_code_token(token, basic, enhanced)) continue;
    if (!buffer_.empty()) buffer_.push_back(' ');
    // Mask every address inside the token ("<a@b.c>:", "to=<a@b.c>,").
    std::size_t cursor = 0;
    while (cursor < token.size()) {
      std::size_t piece_end = cursor;
      while (piece_end < token.size() && !ends_token(token[piece_end])) ++piece_end;
      const std::string_view piece = token.substr(cursor, piece_end - cursor);
      if (is_address(piece)) {
        buffer_.append("addr");
      } else {
        for (char c : piece) buffer_.push_back(lower(c));
      }
      if (piece_end < token.size()) buffer_.push_back(token[piece_end]);
      cursor = piece_end + 1;
    }
  }
  return buffer_;
}

}  // namespace mta
