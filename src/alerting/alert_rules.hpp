#pragma once
// The rules the agent evaluates: alerts/mta_exporter.alerts.yml and alerts/mta_exporter.thresholds.yml, compiled
// in, read for each alert the agent can evaluate (builtin_rules.hpp), with the [alerting.rules.NAME] overrides.

#include <array>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/alerting_config.hpp"
#include "alerting/builtin_rules.hpp"

namespace mta {

struct AlertRule {
  const BuiltinRule* builtin = nullptr;
  std::string name;
  double for_seconds = 0;
  double window_seconds = 0;
  std::map<std::string, std::string> labels;       // the file's labels (severity), without alertname
  std::map<std::string, std::string> annotations;  // templates: summary, description, runbook_url
  std::array<double, 2> thresholds{};              // in the order of builtin->thresholds
  std::map<std::string, double> threshold_values;  // every mta:threshold:NAME, by NAME, as this rule sees them
};

class AlertRulesError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws AlertRulesError naming the file and the alert or threshold that does not fit.
std::vector<AlertRule> parse_alert_rules(std::string_view alerts_yaml, std::string_view thresholds_yaml,
                                         const AlertingConfig& config);
// From the compiled-in files.
std::vector<AlertRule> builtin_alert_rules(const AlertingConfig& config);

}  // namespace mta
