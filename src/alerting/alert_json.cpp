#include "alerting/alert_json.hpp"

#include <charconv>
#include <cmath>
#include <ctime>

namespace mta {
namespace {

void append_object(std::string& out, const std::map<std::string, std::string>& entries) {
  out += '{';
  bool first = true;
  for (const auto& [name, value] : entries) {
    if (!first) out += ',';
    first = false;
    out += json_string(name) + ':' + json_string(value);
  }
  out += '}';
}

// `{"labels":{...},"annotations":{...}`: the object of one alert, left open.
void append_labels_and_annotations(std::string& out, const Alert& alert) {
  out += "{\"labels\":";
  append_object(out, alert.labels);
  out += ",\"annotations\":";
  append_object(out, alert.annotations);
}

std::string number(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string html_escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string json_string(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += hex[byte >> 4];
      out += hex[byte & 15];
    } else {
      out += c;
    }
  }
  return out + '"';
}

std::string rfc3339(double seconds) {
  // Whole milliseconds first, so that .9996 s carries into the next second.
  const long long total_millis = std::llround(seconds * 1000);
  const auto whole = static_cast<std::time_t>(total_millis >= 0 ? total_millis / 1000 : (total_millis - 999) / 1000);
  const int millis = static_cast<int>(total_millis - static_cast<long long>(whole) * 1000);
  std::tm utc{};
  gmtime_r(&whole, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  return buffer;
}

std::string alertmanager_body(const std::vector<Alert>& alerts, std::string_view generator_url) {
  std::string out = "[";
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    const Alert& alert = alerts[i];
    if (i > 0) out += ',';
    append_labels_and_annotations(out, alert);
    out += ",\"startsAt\":" + json_string(rfc3339(alert.active_at));
    out += ",\"endsAt\":" + json_string(rfc3339(alert.ends_at));
    out += ",\"generatorURL\":" + json_string(generator_url) + '}';
  }
  return out + ']';
}

std::string alerts_api_body(const std::vector<Alert>& alerts) {
  std::string out = "{\"status\":\"success\",\"data\":{\"alerts\":[";
  bool first = true;
  for (const Alert& alert : alerts) {
    if (alert.state == AlertState::resolved) continue;
    if (!first) out += ',';
    first = false;
    append_labels_and_annotations(out, alert);
    out += ",\"state\":" + json_string(to_string(alert.state));
    out += ",\"activeAt\":" + json_string(rfc3339(alert.active_at));
    out += ",\"value\":" + json_string(number(alert.value)) + '}';
  }
  return out + "]}}";
}

std::string rules_api_body(const std::vector<AlertRule>& rules) {
  std::string out = "{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"mta_exporter agent\",\"rules\":[";
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const AlertRule& rule = rules[i];
    if (i > 0) out += ',';
    out += "{\"name\":" + json_string(rule.name) + ",\"type\":\"alerting\",\"duration\":" + number(rule.for_seconds);
    out += ",\"window\":" + number(rule.window_seconds) + ",\"labels\":";
    append_object(out, rule.labels);
    out += ",\"annotations\":";
    append_object(out, rule.annotations);
    out += ",\"thresholds\":{";
    bool first = true;
    for (std::size_t t = 0; t < rule.builtin->thresholds.size(); ++t) {
      if (rule.builtin->thresholds[t].empty()) continue;
      if (!first) out += ',';
      first = false;
      out += json_string(rule.builtin->thresholds[t]) + ':' + number(rule.thresholds[t]);
    }
    out += "}}";
  }
  return out + "]}]}}";
}

std::string alerts_html(const std::vector<Alert>& alerts) {
  std::string rows;
  for (const Alert& alert : alerts) {
    if (alert.state == AlertState::resolved) continue;
    std::string labels;
    for (const auto& [name, value] : alert.labels) {
      if (name == "alertname") continue;
      labels += (labels.empty() ? "" : ", ") + html_escaped(name) + "=&quot;" + html_escaped(value) + "&quot;";
    }
    const auto summary = alert.annotations.find("summary");
    rows += "<tr><td>" + html_escaped(alert.rule) + "</td><td>" + std::string(to_string(alert.state)) + "</td><td>" +
            html_escaped(number(alert.value)) + "</td><td>" + rfc3339(alert.active_at) + "</td><td>" + labels +
            "</td><td>" + (summary == alert.annotations.end() ? "" : html_escaped(summary->second)) + "</td></tr>\n";
  }
  if (rows.empty()) return "<h2>Alerts</h2>\n<p>No alert is pending or firing.</p>\n";
  return "<h2>Alerts</h2>\n<table>\n<tr><th>Alert</th><th>State</th><th>Value</th><th>Active since</th>"
         "<th>Labels</th><th>Summary</th></tr>\n" +
         rows + "</table>\n";
}

}  // namespace mta
