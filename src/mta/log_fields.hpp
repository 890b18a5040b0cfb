#pragma once
// The "key=value, key=value" fields of Postfix and Sendmail delivery lines.

#include <string_view>

namespace mta {

// Value of `key=` where it starts the text or follows ", ", up to the next ", " (or to the end of the
// line with `to_end`, for Sendmail's stat= whose text may hold ", "). Empty when absent.
inline std::string_view comma_field(std::string_view text, std::string_view key, bool to_end = false) {
  for (std::size_t pos = text.find(key); pos != std::string_view::npos; pos = text.find(key, pos + 1)) {
    if (pos != 0 && !(pos >= 2 && text.substr(pos - 2, 2) == ", ")) continue;
    if (pos + key.size() >= text.size() || text[pos + key.size()] != '=') continue;
    const std::string_view value = text.substr(pos + key.size() + 1);
    return to_end ? value : value.substr(0, value.find(", "));
  }
  return {};
}

}  // namespace mta
