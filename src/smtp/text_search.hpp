#pragma once
// Substring search by the needle's rarest character instead of its first. std::string_view::find() calls memchr for
// the needle's first character and compares at every hit: " said: " starts with a space, which a log line holds
// dozens of (143 ns a line of the generated failure corpus); memchr for its ':' stops a few times a line (59 ns).

#include <string.h>  // memrchr (GNU)

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace mta {

class Needle {
 public:
  consteval Needle(const char* text) : text_(text), anchor_(rarest_index(text_)) {}  // NOLINT: used as a literal

  std::string_view text() const { return text_; }

  // As haystack.find(text(), from): the first occurrence at or after `from`, or npos.
  std::size_t find_in(std::string_view haystack, std::size_t from = 0) const {
    if (from > haystack.size() || text_.size() > haystack.size() - from) return std::string_view::npos;
    const char* const begin = haystack.data();
    const char* anchor = begin + from + anchor_;
    const char* const last_anchor = begin + (haystack.size() - text_.size()) + anchor_;
    while (anchor <= last_anchor) {
      const void* hit = std::memchr(anchor, text_[anchor_], static_cast<std::size_t>(last_anchor - anchor) + 1);
      if (hit == nullptr) return std::string_view::npos;
      const char* const start = static_cast<const char*>(hit) - anchor_;
      if (std::memcmp(start, text_.data(), text_.size()) == 0) return static_cast<std::size_t>(start - begin);
      anchor = static_cast<const char*>(hit) + 1;
    }
    return std::string_view::npos;
  }

  bool found_in(std::string_view haystack) const { return find_in(haystack) != std::string_view::npos; }

  // As haystack.rfind(text(), at_most): the last occurrence that starts at or before `at_most`, or npos. libstdc++'s
  // rfind() compares at every position, which made finding the envelope of a Postfix reject cost O(n*m).
  std::size_t rfind_in(std::string_view haystack, std::size_t at_most = std::string_view::npos) const {
    if (text_.size() > haystack.size()) return std::string_view::npos;
    const char* const begin = haystack.data();
    // The positions the anchor may take: anchor_ .. anchor_ + candidates - 1.
    std::size_t candidates = std::min(at_most, haystack.size() - text_.size()) + 1;
    while (candidates != 0) {
      const void* hit = ::memrchr(begin + anchor_, text_[anchor_], candidates);
      if (hit == nullptr) return std::string_view::npos;
      const std::size_t start = static_cast<std::size_t>(static_cast<const char*>(hit) - begin) - anchor_;
      if (std::memcmp(begin + start, text_.data(), text_.size()) == 0) return start;
      candidates = start;
    }
    return std::string_view::npos;
  }

 private:
  // How often a character turns up in mail logs, roughly: spaces and lower-case letters most, then digits (times,
  // addresses, ids) and the punctuation of hosts, then upper case and the punctuation of fields.
  static constexpr int commonness(char c) {
    if (c == ' ') return 9;
    if (std::string_view("etaoinsrhl").find(c) != std::string_view::npos) return 8;
    if (c >= 'a' && c <= 'z') return 6;
    if ((c >= '0' && c <= '9') || c == '.') return 5;
    if (c == ',' || c == '-' || c == '/' || c == '_' || c == '=') return 4;  // '=': Postfix's key=value fields
    if ((c >= 'A' && c <= 'Z') || c == ':') return 3;
    return 1;
  }

  static constexpr std::size_t rarest_index(std::string_view text) {
    std::size_t rarest = 0;
    for (std::size_t i = 1; i < text.size(); ++i) {
      if (commonness(text[i]) < commonness(text[rarest])) rarest = i;
    }
    return rarest;
  }

  std::string_view text_;
  std::size_t anchor_;
};

// As text.find_first_of(set, from): the first position at or after `from` of a character of the small `set`, or npos.
// libstdc++'s find_first_of() calls memchr on the set for every character of the text: twenty calls on a reject's
// envelope, nine on a delivery's status word.
constexpr std::size_t find_any_of(std::string_view text, std::string_view set, std::size_t from = 0) {
  for (std::size_t pos = from; pos < text.size(); ++pos) {
    for (const char c : set) {
      if (text[pos] == c) return pos;
    }
  }
  return std::string_view::npos;
}

// As text.rfind(c, at_most): the last position at or before `at_most` of `c`, or npos. libstdc++'s rfind() of a
// character compares one byte at a time; memrchr compares a vector at a time.
inline std::size_t rfind_byte(std::string_view text, char c, std::size_t at_most = std::string_view::npos) {
  if (text.empty()) return std::string_view::npos;
  const std::size_t length = std::min(at_most, text.size() - 1) + 1;
  const void* found = ::memrchr(text.data(), c, length);
  return found == nullptr ? std::string_view::npos
                          : static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
}

// As text.find(", ", from), a byte at a time: the fields of a log line ("relay=R, delay=D, ...") are shorter than a
// call of memchr for the ',' costs, and find() calls it once a field.
constexpr std::size_t find_comma_space(std::string_view text, std::size_t from = 0) {
  if (text.size() < 2) return std::string_view::npos;
  for (std::size_t pos = from; pos < text.size() - 1; ++pos) {
    if (text[pos] == ',' && text[pos + 1] == ' ') return pos;
  }
  return std::string_view::npos;
}

}  // namespace mta
