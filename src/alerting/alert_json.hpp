#pragma once
// The agent's alerts as text: Alertmanager's API v2 body, Prometheus' /api/v1/alerts answer, and the landing
// page's table.

#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert_engine.hpp"

namespace mta {

std::string json_string(std::string_view text);
// RFC 3339 in UTC with milliseconds, from seconds since the epoch.
std::string rfc3339(double seconds);
// POST /api/v2/alerts: [{"labels":..,"annotations":..,"startsAt":..,"endsAt":..,"generatorURL":..}, ...]
std::string alertmanager_body(const std::vector<Alert>& alerts, std::string_view generator_url);
// GET /api/v1/alerts: {"status":"success","data":{"alerts":[{"labels","annotations","state","activeAt","value"}]}}
// with the pending and firing alerts, as Prometheus answers it.
std::string alerts_api_body(const std::vector<Alert>& alerts);
// GET /api/v1/rules: the rules the agent evaluates, in the shape of Prometheus' answer (one group, "mta_exporter
// agent"), each with "duration" (`for`, seconds), labels, annotations (the templates), and the agent's own "window"
// (seconds) and "thresholds" ({"outbound_5xx_share": 0.1, ...}: the mta:threshold:* values it compares with).
std::string rules_api_body(const std::vector<AlertRule>& rules);
// An HTML section listing the pending and firing alerts (escaped), for the landing page.
std::string alerts_html(const std::vector<Alert>& alerts);

}  // namespace mta
