#pragma once
// The [alerting] settings: where the agent sends the alerts it evaluates itself, and per-rule overrides of the
// built-in rules (alerts/mta_exporter.alerts.yml and alerts/mta_exporter.thresholds.yml give the defaults).

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mta {

struct AlertRuleOverride {
  std::optional<bool> enabled;
  std::optional<double> for_seconds;
  std::optional<double> threshold;  // the rule's first threshold (README "Alerting in the agent" lists them)
  std::optional<std::string> severity;
  std::optional<double> window_seconds;

  bool operator==(const AlertRuleOverride&) const = default;
};

// Authentication and TLS towards Alertmanager, as in Prometheus' alertmanager_config.
struct AlertmanagerClientConfig {
  double timeout_seconds = 10;
  std::string basic_auth_username;
  std::string basic_auth_password;  // read from password_file when that is given
  std::string bearer_token;         // authorization.credentials (or credentials_file)
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool insecure_skip_verify = false;

  bool operator==(const AlertmanagerClientConfig&) const = default;
};

struct AlertingConfig {
  bool enabled = false;  // an [alerting] table is present
  std::vector<std::string> alertmanager_urls;
  double evaluation_interval_seconds = 5;
  double resend_interval_seconds = 60;
  std::map<std::string, std::string> external_labels;
  std::size_t queue_capacity = 10000;
  AlertmanagerClientConfig client;
  std::map<std::string, AlertRuleOverride> rules;

  bool operator==(const AlertingConfig&) const = default;
};

}  // namespace mta
