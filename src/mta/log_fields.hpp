#pragma once
// The "key=value, key=value" fields of Postfix, Sendmail and Exim lines, whose addresses are the sender's to choose.

#include <string_view>

namespace mta {

// The first `pattern` at or after `from` that is not inside double quotes ("..." with backslash escapes). MTAs log
// a local part that holds specials in quotes ("x, stat=Sent"@example.net), so their keywords are read outside.
inline std::size_t find_unquoted(std::string_view text, std::string_view pattern, std::size_t from = 0) {
  bool quoted = false;
  for (std::size_t i = from; i < text.size(); ++i) {
    if (quoted && text[i] == '\\') {
      ++i;
    } else if (!quoted && text.substr(i).starts_with(pattern)) {
      return i;
    } else if (text[i] == '"') {
      quoted = !quoted;
    }
  }
  return std::string_view::npos;
}

// Value of `key=` where it starts the text or follows ", " outside quotes, up to the next ", ". Empty when absent.
inline std::string_view comma_field(std::string_view text, std::string_view key) {
  for (std::size_t pos = find_unquoted(text, key); pos != std::string_view::npos;
       pos = find_unquoted(text, key, pos + 1)) {
    if (pos != 0 && !(pos >= 2 && text.substr(pos - 2, 2) == ", ")) continue;
    if (pos + key.size() >= text.size() || text[pos + key.size()] != '=') continue;
    const std::string_view value = text.substr(pos + key.size() + 1);
    return value.substr(0, value.find(", "));
  }
  return {};
}

}  // namespace mta
