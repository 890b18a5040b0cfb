#pragma once
// A value for a field of the agent's own log (logfmt, and JSON made from it): quoted, with '\' and '"'
// escaped and control characters shown as \n, \t, ..., so that an error message, a path or text
// from a peer cannot end the field early, forge another field or split the line.
//   spdlog::error("msg=\"cannot open\" path={} error={}", log_quoted(path), log_quoted(error.what()));

#include <spdlog/fmt/fmt.h>

#include <string_view>

namespace mta {

struct Quoted {
  std::string_view text;
};

inline Quoted log_quoted(std::string_view text) { return Quoted{text}; }

}  // namespace mta

template <>
struct fmt::formatter<mta::Quoted> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const mta::Quoted& value, FormatContext& context) const -> decltype(context.out()) {
    auto out = context.out();
    *out++ = '"';
    for (const char c : value.text) {
      switch (c) {
        case '"': out = fmt::format_to(out, "\\\""); break;
        case '\\': out = fmt::format_to(out, "\\\\"); break;
        case '\n': out = fmt::format_to(out, "\\n"); break;
        case '\r': out = fmt::format_to(out, "\\r"); break;
        case '\t': out = fmt::format_to(out, "\\t"); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            out = fmt::format_to(out, "\\x{:02x}", static_cast<unsigned char>(c));
          } else {
            *out++ = c;
          }
      }
    }
    *out++ = '"';
    return out;
  }
};
