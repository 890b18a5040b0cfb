#include "alerting/alert_rules.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <set>

#include "alerting/duration.hpp"

namespace mta {
namespace embedded {
extern const std::string_view mta_exporter_alerts_yml;
extern const std::string_view mta_exporter_thresholds_yml;
}  // namespace embedded

namespace {

constexpr std::string_view kAlertsFile = "alerts/mta_exporter.alerts.yml";
constexpr std::string_view kThresholdsFile = "alerts/mta_exporter.thresholds.yml";
constexpr std::string_view kThresholdPrefix = "mta:threshold:";

[[noreturn]] void fail(std::string_view file, const std::string& what) {
  throw AlertRulesError(std::string(file) + ": " + what);
}

YAML::Node load(std::string_view text, std::string_view file) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    fail(file, error.what());
  }
}

// "vector(0.10)" -> 0.10
std::map<std::string, double> read_thresholds(std::string_view text) {
  std::map<std::string, double> thresholds;
  for (const YAML::Node& group : load(text, kThresholdsFile)["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      const std::string record = rule["record"].as<std::string>("");
      const std::string expr = rule["expr"].as<std::string>("");
      if (!record.starts_with(kThresholdPrefix)) continue;
      double value = 0;
      const bool is_vector = expr.starts_with("vector(") && expr.ends_with(")");
      const char* begin = expr.data() + 7;
      const char* end = expr.data() + expr.size() - 1;
      if (!is_vector || std::from_chars(begin, end, value).ptr != end) {
        fail(kThresholdsFile, record + ": expr must be vector(NUMBER), not " + expr);
      }
      if (!thresholds.emplace(record.substr(kThresholdPrefix.size()), value).second) {
        fail(kThresholdsFile, record + " is defined twice");
      }
    }
  }
  return thresholds;
}

AlertRule read_rule(const YAML::Node& rule, const BuiltinRule& builtin, const std::map<std::string, double>& thresholds,
                    const AlertingConfig& config) {
  AlertRule result;
  result.builtin = &builtin;
  result.name = std::string(builtin.name);
  const std::string for_text = rule["for"].as<std::string>("0");
  const std::optional<double> for_seconds = parse_prometheus_duration(for_text);
  if (!for_seconds) fail(kAlertsFile, result.name + ": for: not a duration: " + for_text);
  result.for_seconds = *for_seconds;
  for (const auto& label : rule["labels"])
    result.labels[label.first.as<std::string>()] = label.second.as<std::string>();
  for (const auto& annotation : rule["annotations"]) {
    result.annotations[annotation.first.as<std::string>()] = annotation.second.as<std::string>();
  }
  result.window_seconds = builtin.window_seconds;
  result.threshold_values = thresholds;
  const std::string expr = rule["expr"].as<std::string>("");
  for (std::size_t i = 0; i < builtin.thresholds.size(); ++i) {
    const std::string_view name = builtin.thresholds[i];
    if (name.empty()) continue;
    const auto found = thresholds.find(std::string(name));
    if (found == thresholds.end()) fail(kThresholdsFile, "mta:threshold:" + std::string(name) + " is missing");
    // The table below must say what the expression says: the thresholds it compares with.
    if (expr.find(std::string(kThresholdPrefix) + std::string(name)) == std::string::npos) {
      fail(kAlertsFile, result.name + ": its expr does not use mta:threshold:" + std::string(name));
    }
    result.thresholds[i] = found->second;
  }
  if (const auto override = config.rules.find(result.name); override != config.rules.end()) {
    const AlertRuleOverride& changes = override->second;
    if (changes.for_seconds) result.for_seconds = *changes.for_seconds;
    if (changes.window_seconds) result.window_seconds = *changes.window_seconds;
    if (changes.severity) result.labels["severity"] = *changes.severity;
    if (changes.threshold) {
      result.thresholds[0] = *changes.threshold;
      result.threshold_values[std::string(builtin.thresholds[0])] = *changes.threshold;
    }
  }
  return result;
}

}  // namespace

std::vector<AlertRule> parse_alert_rules(std::string_view alerts_yaml, std::string_view thresholds_yaml,
                                         const AlertingConfig& config) {
  const std::map<std::string, double> thresholds = read_thresholds(thresholds_yaml);
  std::vector<AlertRule> rules;
  std::set<std::string> seen;
  try {
    for (const YAML::Node& group : load(alerts_yaml, kAlertsFile)["groups"]) {
      for (const YAML::Node& rule : group["rules"]) {
        const std::string name = rule["alert"].as<std::string>("");
        if (name.empty()) continue;
        const BuiltinRule* builtin = find_builtin_rule(name);
        if (!builtin) {
          bool prometheus_only = false;
          for (std::string_view other : kPrometheusOnlyAlerts) prometheus_only = prometheus_only || other == name;
          if (!prometheus_only) fail(kAlertsFile, name + ": the agent does not know how to evaluate it");
          continue;
        }
        seen.insert(name);
        const auto override = config.rules.find(name);
        if (override != config.rules.end() && override->second.enabled == false) continue;
        rules.push_back(read_rule(rule, *builtin, thresholds, config));
      }
    }
  } catch (const YAML::Exception& error) {
    fail(kAlertsFile, error.what());
  }
  for (const BuiltinRule& builtin : kBuiltinRules) {
    if (!seen.contains(std::string(builtin.name))) fail(kAlertsFile, std::string(builtin.name) + " is missing");
  }
  return rules;
}

std::vector<AlertRule> builtin_alert_rules(const AlertingConfig& config) {
  return parse_alert_rules(embedded::mta_exporter_alerts_yml, embedded::mta_exporter_thresholds_yml, config);
}

}  // namespace mta
