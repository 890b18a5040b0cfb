#pragma once
// Reading a UTF-8 character where a text written in another alphabet matters (the classifier's words in other
// languages): safe on any bytes.

#include <cstddef>
#include <string_view>

namespace mta {

struct Utf8Char {
  unsigned code = 0;
  std::size_t length = 0;  // 0: no character of two or three bytes starts the text
};

// The code point and length of the UTF-8 character of two or three bytes that starts `text`; {0, 0} for ASCII, a
// four-byte character or bytes that are no UTF-8.
constexpr Utf8Char leading_utf8_char(std::string_view text) {
  const auto byte = [&text](std::size_t at) { return at < text.size() ? static_cast<unsigned char>(text[at]) : 0u; };
  const auto continuation = [&byte](std::size_t at) { return (byte(at) & 0xC0u) == 0x80u; };
  if (byte(0) >= 0xC2 && byte(0) <= 0xDF && continuation(1)) {
    return {(byte(0) & 0x1Fu) << 6 | (byte(1) & 0x3Fu), 2};
  }
  if (byte(0) >= 0xE0 && byte(0) <= 0xEF && continuation(1) && continuation(2)) {
    return {(byte(0) & 0x0Fu) << 12 | (byte(1) & 0x3Fu) << 6 | (byte(2) & 0x3Fu), 3};
  }
  return {};
}

}  // namespace mta
