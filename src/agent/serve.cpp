#include "agent/serve.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <optional>

#include "agent/agent.hpp"
#include "agent/logging.hpp"
#include "alerting/alerting_service.hpp"
#include "http/http_server.hpp"
#include "logging/logfmt.hpp"
#include "mta_exporter_version.hpp"

namespace mta {
namespace {

timespec as_timespec(std::chrono::milliseconds interval) {
  return {static_cast<time_t>(interval.count() / 1000), static_cast<long>(interval.count() % 1000) * 1'000'000};
}

void reload(Agent& agent, const ServeOptions& options) {
  Config fresh;
  try {
    fresh = load_config(options.config_path);
  } catch (const ConfigError& error) {
    spdlog::error("msg=\"reload failed, keeping the running configuration\" error={}", log_quoted(error.what()));
    return;
  }
  apply_flags(fresh, options);
  const ReloadSummary summary = agent.reload(fresh);
  configure_logging(fresh.log_level, fresh.log_format);
  spdlog::info("msg=\"configuration reloaded\" kept={} stopped={} started={} failed={}", summary.kept.size(),
               summary.stopped.size(), summary.started.size(), summary.failed.size());
}

}  // namespace

void apply_flags(Config& config, const ServeOptions& options) {
  if (!options.listen_addresses.empty()) config.web.listen_addresses = options.listen_addresses;
  if (!options.telemetry_path.empty()) config.web.telemetry_path = options.telemetry_path;
  if (!options.web_config_file.empty()) config.web.config_file = options.web_config_file;
  if (!options.log_level.empty()) config.log_level = options.log_level;
  if (!options.log_format.empty()) config.log_format = options.log_format;
}

int serve(Config config, const ServeOptions& options, const sigset_t& signals) {
  const auto interval = std::chrono::milliseconds(static_cast<long long>(config.checkpoint.interval_seconds * 1000));
  std::optional<WebConfigFile> web_file;
  bool serves_tls = false;
  std::unique_ptr<HttpServer> server;
  Agent agent(std::move(config));
  try {
    if (!agent.config().web.config_file.empty()) web_file = load_web_config_file(agent.config().web.config_file);
    serves_tls = web_file && web_file->tls;
    server = std::make_unique<HttpServer>(
        agent.config().web, std::move(web_file), agent.registry(), [&agent] { return agent.not_ready_reasons(); },
        [&agent] { agent.update_process_metrics(); }, &agent.reply_families());
  } catch (const WebConfigError& error) {
    spdlog::error("msg=\"web configuration error\" error={}", log_quoted(error.what()));
    return 2;
  }
  // The port first: an agent that cannot serve exits before any source reads a line it would lose.
  try {
    server->bind();
  } catch (const std::exception& error) {
    spdlog::error("msg=\"cannot start the web server\" error={}", log_quoted(error.what()));
    return 1;
  }
  try {
    agent.start();
  } catch (const std::exception& error) {
    spdlog::error("msg=\"cannot start\" error={}", log_quoted(error.what()));
    return 1;
  }
  if (agent.config().sources.empty()) {
    spdlog::warn("msg=\"no [[source]] configured; only self-metrics will be exported\"");
  }
  // The agent's own alert rules, which read its counters, once the sources count.
  std::unique_ptr<AlertingService> alerting;
  if (agent.config().alerting.enabled) {
    const AlertingConfig& settings = agent.config().alerting;
    const std::string generator_url = std::string(serves_tls ? "https://" : "http://") +
                                      default_external_labels({}, server->port()).at("instance") + "/api/v1/alerts";
    alerting = std::make_unique<AlertingService>(
        settings, default_external_labels(settings.external_labels, server->port()), agent.reply_families(),
        agent.source_families(), agent.registry(), generator_url);
    server->set_alert_views({[&alerting] { return alerting->alerts_json(); },
                             [&alerting] { return alerting->rules_json(); }, [&alerting] { return alerting->html(); }});
    alerting->start();
    spdlog::info("msg=\"alerting\" rules={} alertmanagers={}", builtin_alert_rules(settings).size(),
                 settings.alertmanager_urls.size());
  }
  spdlog::info("msg=\"starting mta_exporter\" version={} config={} sources={}", kVersion, options.config_path,
               agent.config().sources.size());
  server->start();

  while (true) {
    const timespec timeout = as_timespec(interval);
    const int signal_number = sigtimedwait(&signals, nullptr, &timeout);
    agent.save_checkpoint();
    if (signal_number == SIGHUP) {
      reload(agent, options);
    } else if (signal_number == SIGTERM || signal_number == SIGINT) {
      spdlog::info("msg=\"stopping\" signal={}", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
      break;
    }
  }
  agent.stop();
  agent.save_checkpoint();
  server->stop();
  if (alerting) alerting->stop();
  spdlog::info("msg=\"stopped\"");
  return 0;
}

}  // namespace mta
