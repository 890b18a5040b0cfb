#include "alerting/prom_template.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

namespace mta {
namespace {

// Go's spelling of the values C's printf writes as "inf" and "nan".
std::optional<std::string> not_finite(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return std::nullopt;
}

std::string format(const char* pattern, double value, const char* suffix = "") {
  if (std::optional<std::string> spelled = not_finite(value)) return *spelled + suffix;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value, suffix);
  return buffer;
}

// Go's %v of a float64 (strconv 'g' with the shortest digits): the exponent form only for an exponent below -4
// or of 6 and more, written with at least two digits ("1.234567e+06", "1e-05"); otherwise the plain digits.
std::string plain(double value) {
  if (std::optional<std::string> spelled = not_finite(value)) return *spelled;
  char buffer[64];
  const auto scientific = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<std::size_t>(scientific.ptr - buffer));
  const std::size_t e = text.find('e');
  int exponent = 0;
  std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(), exponent);
  if (exponent < -4 || exponent >= 6) {
    const std::string_view digits = text.substr(0, e);
    const bool negative = exponent < 0;
    const int magnitude = negative ? -exponent : exponent;
    return std::string(digits) + (negative ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + std::to_string(magnitude);
  }
  const auto fixed = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  return std::string(buffer, fixed.ptr);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// Splits an action at '|' outside quotes.
std::vector<std::string_view> pipeline(std::string_view action) {
  std::vector<std::string_view> parts;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < action.size(); ++i) {
    const char c = action[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '`') {
      quote = c;
    } else if (c == '|') {
      parts.push_back(trim(action.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(trim(action.substr(start)));
  return parts;
}

std::string title(std::string text) {
  bool word_start = true;
  for (char& c : text) {
    if (std::isalpha(static_cast<unsigned char>(c)) && word_start) c = static_cast<char>(std::toupper(c));
    word_start = !std::isalnum(static_cast<unsigned char>(c)) && c != '_';
  }
  return text;
}

// A value after the functions of a pipeline; nullopt when one of them is unknown. The humanize functions take a
// number (`is_number`): the value itself, before any other function turned it into text.
std::optional<std::string> apply(bool is_number, double number, std::string text,
                                 const std::vector<std::string_view>& functions) {
  for (std::string_view function : functions) {
    if (function == "humanize" && is_number) {
      text = humanize(number);
    } else if (function == "humanizePercentage" && is_number) {
      text = humanize_percentage(number);
    } else if (function == "humanizeDuration" && is_number) {
      text = humanize_duration(number);
    } else if (function == "toUpper") {
      for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (function == "title") {
      text = title(text);
    } else {
      return std::nullopt;
    }
    is_number = false;
  }
  return text;
}

// "printf "%.2f" $value": the one printf form of the file that prints a number.
std::optional<std::string> printf_value(std::string_view call, double value) {
  if (!call.starts_with("printf \"%.") || !call.ends_with("f\" $value")) return std::nullopt;
  const std::string_view digits = call.substr(10, call.size() - 10 - 9);
  if (digits.size() != 1 || !std::isdigit(static_cast<unsigned char>(digits[0]))) return std::nullopt;
  char pattern[8] = "%.0f";
  pattern[2] = digits[0];
  return format(pattern, value);
}

struct Block {
  bool rendered;              // false: the body is skipped
  std::optional<double> dot;  // the threshold of a `with query` block
};

}  // namespace

std::string humanize(double value) {
  if (value == 0 || std::isnan(value) || std::isinf(value)) return format("%.4g", value);
  const char* prefix = "";
  if (std::fabs(value) >= 1) {
    for (const char* next : {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
      if (std::fabs(value) < 1000) break;
      prefix = next;
      value /= 1000;
    }
  } else {
    for (const char* next : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
      if (std::fabs(value) >= 1) break;
      prefix = next;
      value *= 1000;
    }
  }
  return format("%.4g%s", value, prefix);
}

std::string humanize_percentage(double value) { return format("%.4g%%", value * 100); }

std::string humanize_duration(double seconds) {
  if (std::isnan(seconds) || std::isinf(seconds)) return format("%.4g", seconds);
  if (seconds == 0) return "0s";
  if (std::fabs(seconds) >= 1) {
    const std::string sign = seconds < 0 ? "-" : "";
    const double magnitude = std::fabs(seconds);
    const long long whole = static_cast<long long>(magnitude);
    const long long secs = whole % 60, minutes = (whole / 60) % 60, hours = (whole / 3600) % 24, days = whole / 86400;
    char buffer[96];
    if (days != 0) {
      std::snprintf(buffer, sizeof buffer, "%s%lldd %lldh %lldm %llds", sign.c_str(), days, hours, minutes, secs);
    } else if (hours != 0) {
      std::snprintf(buffer, sizeof buffer, "%s%lldh %lldm %llds", sign.c_str(), hours, minutes, secs);
    } else if (minutes != 0) {
      std::snprintf(buffer, sizeof buffer, "%s%lldm %llds", sign.c_str(), minutes, secs);
    } else {
      std::snprintf(buffer, sizeof buffer, "%s%.4gs", sign.c_str(), magnitude);
    }
    return buffer;
  }
  const char* prefix = "";
  for (const char* next : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(seconds) >= 1) break;
    prefix = next;
    seconds *= 1000;
  }
  return format("%.4g%ss", seconds, prefix);
}

RenderedTemplate render_template(std::string_view text, const TemplateData& data) {
  RenderedTemplate result;
  std::vector<Block> blocks;
  const auto rendering = [&blocks] { return blocks.empty() || blocks.back().rendered; };
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("{{", pos);
    std::string_view literal = text.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos);
    std::size_t close = std::string_view::npos;
    bool trim_before = false;
    bool trim_after = false;
    std::string_view action;
    if (open != std::string_view::npos) {
      // The action ends at the first "}}" outside quotes: printf's backquoted PromQL holds braces.
      char quote = 0;
      for (std::size_t i = open + 2; i + 1 < text.size(); ++i) {
        const char c = text[i];
        if (quote != 0) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '`') {
          quote = c;
        } else if (c == '}' && text[i + 1] == '}') {
          close = i;
          break;
        }
      }
      if (close == std::string_view::npos) {
        result.unknown_actions.emplace_back(text.substr(open));
        literal = text.substr(pos);
      } else {
        action = text.substr(open + 2, close - open - 2);
        trim_before = action.starts_with("- ");
        trim_after = action.ends_with(" -");
        if (trim_before) action.remove_prefix(2);
        if (trim_after) action.remove_suffix(2);
        action = trim(action);
      }
    }
    if (trim_before) {
      while (!literal.empty() && std::isspace(static_cast<unsigned char>(literal.back()))) literal.remove_suffix(1);
    }
    if (rendering()) result.text += literal;
    if (close == std::string_view::npos) break;
    pos = close + 2;
    if (trim_after) {
      while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    }

    if (action == "end") {
      if (!blocks.empty()) blocks.pop_back();
      continue;
    }
    if (action.starts_with("with ")) {
      const std::string_view subject = trim(action.substr(5));
      constexpr std::string_view kThresholdQuery = "query \"mta:threshold:";
      std::optional<double> dot;
      if (subject.starts_with(kThresholdQuery) && subject.ends_with("\"") && data.thresholds) {
        const std::string name(subject.substr(kThresholdQuery.size(), subject.size() - kThresholdQuery.size() - 1));
        if (const auto found = data.thresholds->find(name); found != data.thresholds->end()) dot = found->second;
      }
      blocks.push_back({rendering() && dot.has_value(), dot});
      continue;
    }
    if (!rendering()) continue;
    const std::vector<std::string_view> parts = pipeline(action);
    std::optional<std::string> rendered;
    std::vector<std::string_view> functions(parts.begin() + 1, parts.end());
    if (parts[0] == "$value") {
      rendered = apply(true, data.value, plain(data.value), functions);
    } else if (parts[0].starts_with("$labels.")) {
      const std::string name(parts[0].substr(8));
      std::string value;
      if (data.labels) {
        if (const auto found = data.labels->find(name); found != data.labels->end()) value = found->second;
      }
      rendered = apply(false, 0, value, functions);
    } else if (parts[0].starts_with("printf ")) {
      if (std::optional<std::string> printed = printf_value(parts[0], data.value)) {
        rendered = apply(false, 0, *printed, functions);
      }
    } else if (parts[0] == "." && parts.size() >= 3 && parts[1] == "first" && parts[2] == "value" && !blocks.empty() &&
               blocks.back().dot) {
      rendered = apply(true, *blocks.back().dot, plain(*blocks.back().dot),
                       std::vector<std::string_view>(parts.begin() + 3, parts.end()));
    }
    if (rendered) {
      result.text += *rendered;
    } else {
      result.unknown_actions.emplace_back(action);
    }
  }
  return result;
}

}  // namespace mta
