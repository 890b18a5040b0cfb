#pragma once
// The "key=value, key=value" fields of Postfix, Sendmail and Exim lines, whose addresses are the sender's to choose.

#include <string_view>

#include "smtp/text_search.hpp"

namespace mta {

// The first `pattern` at or after `from` that is not inside double quotes ("..." with backslash escapes). MTAs log
// a local part that holds specials in quotes ("x, stat=Sent"@example.net), so their keywords are read outside.
// A match may begin just before a quote and run into it. Each stretch between quotes is searched once (memchr and
// memcmp speed, not a compare at every byte), so the cost stays linear however many quotes a hostile line holds.
inline std::size_t find_unquoted(std::string_view text, std::string_view pattern, std::size_t from = 0) {
  std::size_t pos = from;
  while (pos < text.size()) {
    const std::size_t quote = text.find('"', pos);
    const std::size_t stretch = quote == std::string_view::npos ? std::string_view::npos : quote - pos + pattern.size();
    const std::size_t hit = text.substr(pos, stretch).find(pattern);
    if (hit != std::string_view::npos && (quote == std::string_view::npos || pos + hit <= quote)) return pos + hit;
    if (quote == std::string_view::npos) return std::string_view::npos;
    std::size_t close = quote + 1;
    while (close < text.size() && text[close] != '"') close += text[close] == '\\' ? 2 : 1;
    pos = close + 1;
  }
  return std::string_view::npos;
}

// An address as the MTAs log it ("<a@b>"), without its angle brackets.
inline std::string_view without_brackets(std::string_view address) {
  if (address.starts_with('<')) address.remove_prefix(1);
  if (address.ends_with('>')) address.remove_suffix(1);
  return address;
}

// Value of `key=` where it starts the text or follows ", " outside quotes, up to the next ", ". Empty when absent.
inline std::string_view comma_field(std::string_view text, std::string_view key) {
  for (std::size_t pos = find_unquoted(text, key); pos != std::string_view::npos;
       pos = find_unquoted(text, key, pos + 1)) {
    if (pos != 0 && !(pos >= 2 && text.substr(pos - 2, 2) == ", ")) continue;
    if (pos + key.size() >= text.size() || text[pos + key.size()] != '=') continue;
    const std::string_view value = text.substr(pos + key.size() + 1);
    return value.substr(0, find_comma_space(value));
  }
  return {};
}

}  // namespace mta
