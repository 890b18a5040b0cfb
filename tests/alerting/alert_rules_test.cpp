// Tests for the rules the agent reads from its compiled-in alert files (src/alerting/alert_rules.hpp): the built-in
// rules against alerts/mta_exporter.alerts.yml and thresholds.yml read here on their own with yaml-cpp, the
// [alerting.rules] overrides, and the errors for files that do not fit the agent's table of rules.

#include "alerting/alert_rules.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/source_dir.hpp"

namespace mta {
namespace {

using test::source_dir;
using ::testing::HasSubstr;

std::string read_file(const std::string& relative) {
  std::ifstream in(source_dir() / relative, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << relative;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "10m", "15m", "90s", "1h": the durations the file writes (one unit each).
double seconds_of(const std::string& text) {
  const std::size_t unit = text.find_first_not_of("0123456789");
  const double number = std::stod(text.substr(0, unit));
  const std::string suffix = text.substr(unit);
  if (suffix == "s") return number;
  if (suffix == "m") return number * 60;
  if (suffix == "h") return number * 3600;
  ADD_FAILURE() << "unexpected duration " << text;
  return 0;
}

// mta:threshold:NAME -> the NUMBER of vector(NUMBER), by NAME.
std::map<std::string, double> thresholds_of_the_file() {
  std::map<std::string, double> thresholds;
  for (const YAML::Node& group : YAML::Load(read_file("alerts/mta_exporter.thresholds.yml"))["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      const std::string record = rule["record"].as<std::string>();
      const std::string expr = rule["expr"].as<std::string>();
      thresholds[record.substr(std::string_view("mta:threshold:").size())] =
          std::stod(expr.substr(7, expr.size() - 8));  // vector(...)
    }
  }
  return thresholds;
}

const AlertRule* find(const std::vector<AlertRule>& rules, std::string_view name) {
  for (const AlertRule& rule : rules) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

TEST(AlertRulesTest, BuiltinRulesAreTheFilesAlerts) {
  const std::vector<AlertRule> rules = builtin_alert_rules({});
  ASSERT_EQ(rules.size(), std::size(kBuiltinRules));
  std::set<std::string> names;
  for (const AlertRule& rule : rules) names.insert(rule.name);
  for (const BuiltinRule& builtin : kBuiltinRules) EXPECT_TRUE(names.contains(std::string(builtin.name)));

  const std::map<std::string, double> thresholds = thresholds_of_the_file();
  std::size_t compared = 0;
  for (const YAML::Node& group : YAML::Load(read_file("alerts/mta_exporter.alerts.yml"))["groups"]) {
    for (const YAML::Node& node : group["rules"]) {
      const std::string name = node["alert"].as<std::string>();
      const AlertRule* rule = find(rules, name);
      if (!rule) {
        EXPECT_TRUE(name == "MtaExporterDown" || name == "MtaAlertThresholdsMissing") << name;
        continue;
      }
      ++compared;
      ASSERT_NE(rule->builtin, nullptr) << name;
      EXPECT_EQ(rule->builtin->name, name);
      EXPECT_EQ(rule->for_seconds, node["for"] ? seconds_of(node["for"].as<std::string>()) : 0) << name;
      EXPECT_EQ(rule->labels.at("severity"), node["labels"]["severity"].as<std::string>()) << name;
      EXPECT_EQ(rule->labels.size(), node["labels"].size()) << name;
      for (const auto& annotation : node["annotations"]) {
        EXPECT_EQ(rule->annotations.at(annotation.first.as<std::string>()), annotation.second.as<std::string>())
            << name;
      }
      EXPECT_EQ(rule->annotations.size(), node["annotations"].size()) << name;
      EXPECT_EQ(rule->window_seconds, rule->builtin->window_seconds) << name;
      for (std::size_t i = 0; i < rule->builtin->thresholds.size(); ++i) {
        const std::string threshold(rule->builtin->thresholds[i]);
        if (threshold.empty()) continue;
        ASSERT_TRUE(thresholds.contains(threshold)) << name << ": " << threshold;
        EXPECT_EQ(rule->thresholds[i], thresholds.at(threshold)) << name << ": " << threshold;
      }
      EXPECT_EQ(rule->threshold_values, thresholds) << name;
    }
  }
  EXPECT_EQ(compared, std::size(kBuiltinRules));
}

TEST(AlertRulesTest, BuiltinWindowsAreTheRangesOfTheExpressions) {
  // The recording rules' names and range selectors say the range: rate5m / [5m], increase15m / [15m], [30m].
  const std::map<double, std::string> range_of = {{300, "5m"}, {900, "15m"}, {1800, "30m"}};
  for (const YAML::Node& group : YAML::Load(read_file("alerts/mta_exporter.alerts.yml"))["groups"]) {
    for (const YAML::Node& node : group["rules"]) {
      const BuiltinRule* builtin = find_builtin_rule(node["alert"].as<std::string>());
      if (!builtin) continue;
      ASSERT_TRUE(range_of.contains(builtin->window_seconds)) << builtin->name;
      EXPECT_THAT(node["expr"].as<std::string>(), HasSubstr(range_of.at(builtin->window_seconds))) << builtin->name;
    }
  }
}

TEST(AlertRulesTest, OverridesChangeOneRule) {
  AlertingConfig config;
  AlertRuleOverride& share = config.rules["MtaOutbound5xxShareHigh"];
  share.for_seconds = 120;
  share.threshold = 0.25;
  share.severity = "critical";
  share.window_seconds = 600;
  config.rules["MtaOutboundBlocklisted"].enabled = false;
  config.rules["MtaTlsFailures"].enabled = true;
  const std::vector<AlertRule> rules = builtin_alert_rules(config);
  const std::vector<AlertRule> defaults = builtin_alert_rules({});
  EXPECT_EQ(rules.size(), defaults.size() - 1);
  EXPECT_EQ(find(rules, "MtaOutboundBlocklisted"), nullptr);
  ASSERT_NE(find(rules, "MtaTlsFailures"), nullptr);

  const AlertRule& changed = *find(rules, "MtaOutbound5xxShareHigh");
  const AlertRule& original = *find(defaults, "MtaOutbound5xxShareHigh");
  EXPECT_EQ(changed.for_seconds, 120);
  EXPECT_EQ(changed.window_seconds, 600);
  EXPECT_EQ(changed.labels.at("severity"), "critical");
  EXPECT_EQ(changed.thresholds[0], 0.25);
  EXPECT_EQ(changed.thresholds[1], original.thresholds[1]) << "only the first threshold is overridden";
  EXPECT_EQ(changed.threshold_values.at("outbound_5xx_share"), 0.25) << "the annotations render the override";
  EXPECT_EQ(changed.threshold_values.at("min_replies_per_second"),
            original.threshold_values.at("min_replies_per_second"));
  EXPECT_EQ(changed.annotations, original.annotations);

  // Another rule that reads the same threshold (min_replies_per_second) or the same file is untouched.
  const AlertRule& other = *find(rules, "MtaInbound5xxShareHigh");
  EXPECT_EQ(other.for_seconds, find(defaults, "MtaInbound5xxShareHigh")->for_seconds);
  EXPECT_EQ(other.threshold_values.at("outbound_5xx_share"), original.thresholds[0]);
}

// --- errors -------------------------------------------------------------------------------------------------------

// A small alerts file the agent accepts: every built-in rule, each expression naming its thresholds.
std::string alerts_yaml(std::string_view extra_rules = "", std::string_view skip = "",
                        std::string_view without_threshold_in = "") {
  std::string yaml = "groups:\n  - name: test\n    rules:\n";
  for (const BuiltinRule& rule : kBuiltinRules) {
    if (rule.name == skip) continue;
    std::string expr = "x";
    if (rule.name != without_threshold_in) {
      for (std::string_view threshold : rule.thresholds) {
        if (!threshold.empty()) expr += " > mta:threshold:" + std::string(threshold);
      }
    }
    yaml += "      - alert: " + std::string(rule.name) + "\n        expr: '" + expr +
            "'\n        for: 1m\n        labels:\n          severity: warning\n        annotations:\n"
            "          summary: s\n";
  }
  return yaml + std::string(extra_rules);
}

// The thresholds every built-in rule reads, each vector(1).
std::string thresholds_yaml(std::string_view skip = "", std::string_view extra_rules = "") {
  std::set<std::string_view> names;
  for (const BuiltinRule& rule : kBuiltinRules) {
    for (std::string_view threshold : rule.thresholds) {
      if (!threshold.empty() && threshold != skip) names.insert(threshold);
    }
  }
  std::string yaml = "groups:\n  - name: thresholds\n    rules:\n";
  for (std::string_view name : names) {
    yaml += "      - record: mta:threshold:" + std::string(name) + "\n        expr: vector(1)\n";
  }
  return yaml + std::string(extra_rules);
}

std::string error_of(const std::string& alerts, const std::string& thresholds) {
  try {
    parse_alert_rules(alerts, thresholds, {});
  } catch (const AlertRulesError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no AlertRulesError";
  return {};
}

TEST(AlertRulesTest, SmallFilesParse) {
  const std::vector<AlertRule> rules = parse_alert_rules(alerts_yaml(), thresholds_yaml(), {});
  ASSERT_EQ(rules.size(), std::size(kBuiltinRules));
  EXPECT_EQ(rules[0].for_seconds, 60);
  EXPECT_EQ(rules[0].annotations.at("summary"), "s");
  EXPECT_EQ(rules[0].thresholds[0], 1);
  // The alerts only Prometheus evaluates are skipped.
  EXPECT_EQ(
      parse_alert_rules(alerts_yaml("      - alert: MtaExporterDown\n        expr: up == 0\n"), thresholds_yaml(), {})
          .size(),
      std::size(kBuiltinRules));
}

TEST(AlertRulesTest, MissingThresholdIsNamed) {
  const std::string message = error_of(alerts_yaml(), thresholds_yaml("tls_replies_15m"));
  EXPECT_THAT(message, HasSubstr("alerts/mta_exporter.thresholds.yml"));
  EXPECT_THAT(message, HasSubstr("mta:threshold:tls_replies_15m is missing"));
}

TEST(AlertRulesTest, AlertTheAgentDoesNotKnowIsAnError) {
  const std::string message =
      error_of(alerts_yaml("      - alert: MtaSomethingNew\n        expr: vector(1)\n"), thresholds_yaml());
  EXPECT_THAT(message, HasSubstr("alerts/mta_exporter.alerts.yml"));
  EXPECT_THAT(message, HasSubstr("MtaSomethingNew"));
  EXPECT_THAT(message, HasSubstr("does not know"));
}

TEST(AlertRulesTest, ExpressionThatDoesNotUseTheRulesThresholdIsAnError) {
  const std::string message = error_of(alerts_yaml("", "", "MtaAuthBruteForce"), thresholds_yaml());
  EXPECT_THAT(message, HasSubstr("MtaAuthBruteForce"));
  EXPECT_THAT(message, HasSubstr("mta:threshold:auth_failures_per_second"));
}

TEST(AlertRulesTest, BuiltinRuleMissingFromTheFileIsAnError) {
  const std::string message = error_of(alerts_yaml("", "MtaMailboxFullWave"), thresholds_yaml());
  EXPECT_THAT(message, HasSubstr("MtaMailboxFullWave is missing"));
}

TEST(AlertRulesTest, BadForIsAnError) {
  std::string alerts = alerts_yaml();
  alerts.replace(alerts.find("for: 1m"), 7, "for: 10 minutes");
  const std::string message = error_of(alerts, thresholds_yaml());
  EXPECT_THAT(message, HasSubstr(std::string(kBuiltinRules[0].name)));
  EXPECT_THAT(message, HasSubstr("10 minutes"));
}

TEST(AlertRulesTest, ThresholdThatIsNotAVectorOfANumberIsAnError) {
  std::string thresholds = thresholds_yaml();
  thresholds.replace(thresholds.find("vector(1)"), 9, "vector(one)");
  EXPECT_THAT(error_of(alerts_yaml(), thresholds), HasSubstr("vector(NUMBER)"));
  EXPECT_THAT(error_of(alerts_yaml(),
                       thresholds_yaml("", "      - record: mta:threshold:tls_replies_15m\n        expr: vector(2)\n")),
              HasSubstr("mta:threshold:tls_replies_15m is defined twice"));
}

TEST(AlertRulesTest, YamlSyntaxErrorIsAnAlertRulesError) {
  EXPECT_THAT(error_of("groups: [\n", thresholds_yaml()), HasSubstr("alerts/mta_exporter.alerts.yml"));
  EXPECT_THAT(error_of(alerts_yaml(), "groups: {\n"), HasSubstr("alerts/mta_exporter.thresholds.yml"));
}

}  // namespace
}  // namespace mta
