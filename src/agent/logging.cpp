#include "agent/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

namespace mta {
namespace {

void append_json_string(std::string_view text, spdlog::memory_buf_t& out) {
  out.push_back('"');
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      constexpr std::string_view kHex = "0123456789abcdef";
      const std::string_view escape = "\\u00";
      out.append(escape.data(), escape.data() + escape.size());
      out.push_back(kHex[(c >> 4) & 0xF]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// The message's logfmt pairs (msg="..." key=value ...) as JSON members: ,"msg":"...","key":"value".
// Text that is not a pair is kept whole under "msg", so nothing logged is lost.
class LogfmtAsJson final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override {
    std::string_view rest(message.payload.data(), message.payload.size());
    while (!rest.empty()) {
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      if (rest.empty()) break;
      const std::size_t equals = rest.find('=');
      const std::size_t space = rest.find(' ');
      if (equals == std::string_view::npos || equals == 0 || (space != std::string_view::npos && space < equals)) {
        member("msg", rest, out);
        return;
      }
      const std::string_view key = rest.substr(0, equals);
      rest.remove_prefix(equals + 1);
      std::string value;
      if (!rest.empty() && rest.front() == '"') {
        std::size_t i = 1;
        for (; i < rest.size() && rest[i] != '"'; ++i) {
          if (rest[i] == '\\' && i + 1 < rest.size()) {
            ++i;
            value.push_back(unescape(rest[i]));
          } else {
            value.push_back(rest[i]);
          }
        }
        rest.remove_prefix(std::min(i + 1, rest.size()));
      } else {
        const std::size_t end = std::min(rest.find(' '), rest.size());
        value = rest.substr(0, end);
        rest.remove_prefix(end);
      }
      member(key, value, out);
    }
  }

  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LogfmtAsJson>(); }

 private:
  // The escapes of logging/logfmt.hpp; \x.. stays as written.
  static char unescape(char c) {
    switch (c) {
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      default: return c;
    }
  }

  static void member(std::string_view key, std::string_view value, spdlog::memory_buf_t& out) {
    out.push_back(',');
    append_json_string(key, out);
    out.push_back(':');
    append_json_string(value, out);
  }
};

// Level names as Prometheus' own loggers write them (spdlog says "warning" and "critical").
class LevelName final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override {
    std::string_view name;
    switch (message.level) {
      case spdlog::level::trace: name = "trace"; break;
      case spdlog::level::debug: name = "debug"; break;
      case spdlog::level::info: name = "info"; break;
      case spdlog::level::warn: name = "warn"; break;
      default: name = "error"; break;
    }
    out.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelName>(); }
};

}  // namespace

void configure_logging(const std::string& level, const std::string& format) {
  // Standard error, as Prometheus' exporters log: standard output stays free for what a command prints.
  static const bool on_stderr = [] {
    spdlog::set_default_logger(spdlog::stderr_logger_mt("mta_exporter"));
    return true;
  }();
  (void)on_stderr;
  spdlog::set_level(spdlog::level::from_str(level));
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<LevelName>('&').add_flag<LogfmtAsJson>('*');
  if (format == "json") {
    formatter->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%&"%*})");
  } else {
    formatter->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%& %v");
  }
  spdlog::set_formatter(std::move(formatter));
}

}  // namespace mta
