#pragma once
// Prometheus' duration syntax ("90s", "5m", "1h30m", "500ms"; units ms, s, m, h, d, w, y), as the alert rules and
// the [alerting] settings write it.

#include <optional>
#include <string_view>
#include <utility>

namespace mta {

inline constexpr std::pair<std::string_view, double> kDurationUnits[] = {
    {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 7 * 86400}, {"y", 365 * 86400}};

// Seconds, or nothing when the text is not a duration.
inline std::optional<double> parse_prometheus_duration(std::string_view text) {
  if (text == "0") return 0.0;
  if (text.empty()) return std::nullopt;
  double seconds = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t digits_begin = pos;
    double number = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      number = number * 10 + (text[pos] - '0');
      if (number > 1e12) return std::nullopt;
      ++pos;
    }
    if (pos == digits_begin) return std::nullopt;
    const std::size_t unit_begin = pos;
    while (pos < text.size() && text[pos] >= 'a' && text[pos] <= 'z') ++pos;
    const std::string_view unit = text.substr(unit_begin, pos - unit_begin);
    double factor = 0;
    for (const auto& [name, seconds_per_unit] : kDurationUnits) {
      if (unit == name) factor = seconds_per_unit;
    }
    if (factor == 0) return std::nullopt;
    seconds += number * factor;
  }
  return seconds;
}

}  // namespace mta
