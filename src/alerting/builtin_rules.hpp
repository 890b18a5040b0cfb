#pragma once
// What each alert of alerts/mta_exporter.alerts.yml computes when the agent evaluates it itself. The names,
// `for`, labels and annotations come from that file and the thresholds from alerts/mta_exporter.thresholds.yml
// (both compiled in); this table says only which counts a rule reads and which thresholds it compares them with,
// in the order of its PromQL expression (tests/alerts/agent_rules_test.py checks both against the files).

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "classify/cause.hpp"
#include "smtp/smtp_event.hpp"

namespace mta {

enum class RuleKind : std::uint8_t {
  class_share,        // share of one class among a direction's replies over the window, above a minimum rate
  class_rate_spike,   // a class's rate over the window against the rate of 12 windows that ended 3 windows ago
  cause_count,        // replies with one of the causes over the window, at least the threshold
  auth_failure_rate,  // failed SMTP AUTH attempts per second over the window
  no_log_lines,       // a source that delivered no line for the threshold (or none in the window since start)
  unmatched_lines,    // share of a source's outcome lines that could not be read, and their number
};

enum class GroupBy : std::uint8_t { none, provider, cause, direction, source };

struct BuiltinRule {
  std::string_view name;
  RuleKind kind;
  // Names under mta:threshold: in the order the rule uses them; the first one is what `threshold` overrides.
  std::array<std::string_view, 2> thresholds;
  double window_seconds;  // the range of the PromQL expression
  Direction direction = Direction::outbound;
  int klass = 5;
  std::array<Cause, 4> causes{};
  std::size_t cause_count = 0;
  bool outbound_only = false;
  bool known_provider_only = false;  // provider label neither "other" nor ""
  GroupBy group_by = GroupBy::none;
};

inline constexpr BuiltinRule kBuiltinRules[] = {
    {.name = "MtaOutbound5xxShareHigh",
     .kind = RuleKind::class_share,
     .thresholds = {"outbound_5xx_share", "min_replies_per_second"},
     .window_seconds = 300},
    {.name = "MtaInbound5xxShareHigh",
     .kind = RuleKind::class_share,
     .thresholds = {"inbound_5xx_share", "min_replies_per_second"},
     .window_seconds = 300,
     .direction = Direction::inbound},
    {.name = "MtaOutbound5xxRateSpike",
     .kind = RuleKind::class_rate_spike,
     .thresholds = {"outbound_5xx_spike_factor", "outbound_5xx_spike_min_per_second"},
     .window_seconds = 300},
    {.name = "MtaInbound5xxRateSpike",
     .kind = RuleKind::class_rate_spike,
     .thresholds = {"inbound_5xx_spike_factor", "inbound_5xx_spike_min_per_second"},
     .window_seconds = 300,
     .direction = Direction::inbound},
    {.name = "MtaOutboundDeferralsHigh",
     .kind = RuleKind::class_share,
     .thresholds = {"outbound_4xx_share", "min_replies_per_second"},
     .window_seconds = 300,
     .klass = 4},
    {.name = "MtaOutboundBlocklisted",
     .kind = RuleKind::cause_count,
     .thresholds = {"blocklist_replies_15m", ""},
     .window_seconds = 900,
     .causes = {Cause::blocklist},
     .cause_count = 1,
     .outbound_only = true,
     .group_by = GroupBy::provider},
    {.name = "MtaOutboundAuthenticationFailing",
     .kind = RuleKind::cause_count,
     .thresholds = {"authentication_replies_15m", ""},
     .window_seconds = 900,
     .causes = {Cause::dmarc, Cause::spf, Cause::dkim, Cause::sender_auth},
     .cause_count = 4,
     .outbound_only = true,
     .group_by = GroupBy::cause},
    {.name = "MtaDnsblLookupErrors",
     .kind = RuleKind::cause_count,
     .thresholds = {"dnsbl_error_replies_15m", ""},
     .window_seconds = 900,
     .causes = {Cause::dnsbl_error},
     .cause_count = 1},
    {.name = "MtaOutboundReputationThrottled",
     .kind = RuleKind::cause_count,
     .thresholds = {"reputation_replies_15m", ""},
     .window_seconds = 900,
     .causes = {Cause::reputation, Cause::rate_limit},
     .cause_count = 2,
     .outbound_only = true,
     .known_provider_only = true,
     .group_by = GroupBy::provider},
    {.name = "MtaAuthBruteForce",
     .kind = RuleKind::auth_failure_rate,
     .thresholds = {"auth_failures_per_second", ""},
     .window_seconds = 300},
    {.name = "MtaTlsFailures",
     .kind = RuleKind::cause_count,
     .thresholds = {"tls_replies_15m", ""},
     .window_seconds = 900,
     .causes = {Cause::tls},
     .cause_count = 1,
     .group_by = GroupBy::direction},
    {.name = "MtaMailboxFullWave",
     .kind = RuleKind::cause_count,
     .thresholds = {"quota_replies_15m", ""},
     .window_seconds = 900,
     .causes = {Cause::quota},
     .cause_count = 1,
     .group_by = GroupBy::direction},
    {.name = "MtaExporterNoLogLines",
     .kind = RuleKind::no_log_lines,
     .thresholds = {"no_log_lines_seconds", ""},
     .window_seconds = 1800,
     .group_by = GroupBy::source},
    {.name = "MtaExporterUnmatchedLinesHigh",
     .kind = RuleKind::unmatched_lines,
     .thresholds = {"unmatched_lines_share", "unmatched_lines_15m"},
     .window_seconds = 900,
     .group_by = GroupBy::source},
};

// The alerts of the file that only Prometheus can evaluate: whether the agent is scraped, whether Prometheus
// loaded the thresholds.
inline constexpr std::string_view kPrometheusOnlyAlerts[] = {"MtaExporterDown", "MtaAlertThresholdsMissing"};

inline const BuiltinRule* find_builtin_rule(std::string_view name) {
  for (const BuiltinRule& rule : kBuiltinRules) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

}  // namespace mta
