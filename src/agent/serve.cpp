#include "agent/serve.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

#include "agent/agent.hpp"
#include "http/http_server.hpp"
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
    spdlog::error("msg=\"reload failed, keeping the running configuration\" error=\"{}\"", error.what());
    return;
  }
  // The command line's listen address wins over the file's, as at start.
  if (!options.listen_override.empty()) fresh.web.listen_address = options.listen_override;
  const ReloadSummary summary = agent.reload(fresh);
  spdlog::set_level(spdlog::level::from_str(fresh.log_level));
  spdlog::info("msg=\"configuration reloaded\" kept={} stopped={} started={} failed={}", summary.kept.size(),
               summary.stopped.size(), summary.started.size(), summary.failed.size());
}

}  // namespace

int serve(Config config, const ServeOptions& options, const sigset_t& signals) {
  const auto interval = std::chrono::milliseconds(static_cast<long long>(config.checkpoint.interval_seconds * 1000));
  Agent agent(std::move(config));
  HttpServer server(
      agent.config().web, agent.registry(), [&agent] { return agent.ready(); },
      [&agent] { agent.update_process_metrics(); });
  // The port first: an agent that cannot serve exits before any source reads a line it would lose.
  try {
    server.bind();
  } catch (const std::exception& error) {
    spdlog::error("msg=\"cannot start the web server\" error=\"{}\"", error.what());
    return 1;
  }
  try {
    agent.start();
  } catch (const std::exception& error) {
    spdlog::error("msg=\"cannot start\" error=\"{}\"", error.what());
    return 1;
  }
  if (agent.config().sources.empty()) {
    spdlog::warn("msg=\"no [[source]] configured; only self-metrics will be exported\"");
  }
  spdlog::info("msg=\"starting mta_exporter\" version={} config={} sources={}", kVersion, options.config_path,
               agent.config().sources.size());
  server.start();

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
  server.stop();
  spdlog::info("msg=\"stopped\"");
  return 0;
}

}  // namespace mta
