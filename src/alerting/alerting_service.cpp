#include "alerting/alerting_service.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cmath>

#include "logging/logfmt.hpp"

namespace mta {
namespace {

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::map<std::string, std::string> default_external_labels(std::map<std::string, std::string> configured, int port) {
  if (!configured.contains("instance")) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    configured["instance"] = std::string(host[0] != '\0' ? host : "localhost") + ":" + std::to_string(port);
  }
  if (!configured.contains("job")) configured["job"] = "mta_exporter";
  return configured;
}

AlertingService::AlertingService(const AlertingConfig& config, std::map<std::string, std::string> external_labels,
                                 MetricFamilies& families, SourceMetricFamilies& source_families,
                                 prometheus::Registry& registry, std::string generator_url)
    : config_(config),
      engine_(builtin_alert_rules(config), Knowledge::builtin(), std::move(external_labels), seconds_now()),
      reader_(families, source_families),
      notifier_(config, registry, std::move(generator_url)),
      alert_gauges_(prometheus::BuildGauge()
                        .Name("mta_exporter_alerts")
                        .Help("Alerts of the agent's own rules that are pending or firing, like Prometheus' ALERTS.")
                        .Register(registry)) {
  for (const AlertRule& rule : engine_.rules()) {
    const auto severity = rule.labels.find("severity");
    const std::string level = severity == rule.labels.end() ? "" : severity->second;
    for (AlertState state : {AlertState::pending, AlertState::firing}) {
      gauges_[{rule.name, level, state}] =
          &alert_gauges_.Add({{"alertname", rule.name}, {"severity", level}, {"state", std::string(to_string(state))}});
    }
  }
}

AlertingService::~AlertingService() { stop(); }

void AlertingService::start() {
  next_evaluation_ = seconds_now();
  thread_ = std::thread([this] { run(); });
}

void AlertingService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  notifier_.stop();
}

void AlertingService::step(double now) {
  engine_.observe(static_cast<std::int64_t>(std::floor(now)), reader_.read());
  if (now < next_evaluation_) return;
  next_evaluation_ += config_.evaluation_interval_seconds;
  if (next_evaluation_ <= now) next_evaluation_ = now + config_.evaluation_interval_seconds;  // after a stall
  notifier_.send(engine_.evaluate(now, config_.evaluation_interval_seconds, config_.resend_interval_seconds));
  std::vector<Alert> alerts = engine_.alerts();
  std::map<std::tuple<std::string, std::string, AlertState>, double> counts;
  for (const Alert& alert : alerts) {
    const auto severity = alert.labels.find("severity");
    counts[{alert.rule, severity == alert.labels.end() ? "" : severity->second, alert.state}] += 1;
  }
  for (const auto& [key, gauge] : gauges_) {
    const auto found = counts.find(key);
    gauge->Set(found == counts.end() ? 0 : found->second);
  }
  std::lock_guard lock(mutex_);
  active_ = std::move(alerts);
}

void AlertingService::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const double now = seconds_now();
    try {
      step(now);
    } catch (const std::exception& error) {
      // The agent keeps counting; the alerts are evaluated again in a second.
      spdlog::error("msg=\"alert evaluation failed\" error={}", log_quoted(error.what()));
    }
    lock.lock();
    // Wake at the next whole second: one window bucket a second.
    const double wait = std::max(0.05, std::ceil(now + 1e-6) - seconds_now());
    wake_.wait_for(lock, std::chrono::duration<double>(wait), [this] { return stopping_; });
  }
}

std::string AlertingService::alerts_json() const {
  std::lock_guard lock(mutex_);
  return alerts_api_body(active_);
}

std::string AlertingService::html() const {
  std::lock_guard lock(mutex_);
  return alerts_html(active_);
}

}  // namespace mta
