#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "app/commands.hpp"
#include "app/source_factory.hpp"
#include "config/config.hpp"
#include "http/http_server.hpp"
#include "metrics/mta_metrics.hpp"
#include "metrics/source_metrics.hpp"
#include "mta_exporter_version.hpp"
#include "pipeline/line_processor.hpp"
#include "source/checkpoint.hpp"

namespace mta {
namespace {

constexpr std::string_view kDefaultConfig = "/etc/mta_exporter/mta_exporter.toml";

// A source and its pipeline, run on a thread of its own.
class RunningSource {
 public:
  RunningSource(const SourceConfig& config, MetricFamilies& families, SourceMetricFamilies& source_families,
                const SiteRulesHolder& site_rules, CheckpointStore& checkpoints, bool resume)
      : config_(config),
        processor_(families, config.name, site_rules),
        health_(source_families, config.name, config.type == SourceType::syslog, config.max_hosts),
        source_(make_source(config, processor_, health_, &checkpoints, resume)) {}

  void prepare() { source_->prepare(); }
  void start() {
    thread_ = std::jthread([this](std::stop_token stop) {
      try {
        source_->run(stop);
      } catch (const std::exception& error) {
        health_.set_up(false);
        spdlog::error("msg=\"source stopped\" source={} error=\"{}\"", config_.name, error.what());
      }
    });
  }
  void stop() { thread_.request_stop(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  bool ready() const { return source_->ready(); }
  const SourceConfig& config() const { return config_; }

 private:
  SourceConfig config_;
  LineProcessor processor_;
  SourceHealth health_;
  std::unique_ptr<Source> source_;
  std::jthread thread_;
};

// Everything `serve` runs: the sources, the checkpoint store and the web server.
class Agent {
 public:
  Agent(Config config, std::string config_path)
      : config_(std::move(config)),
        config_path_(std::move(config_path)),
        families_(registry_),
        source_families_(registry_),
        site_rules_(config_.site_rules),
        checkpoints_(config_.checkpoint.path),
        checkpoint_age_(source_families_.checkpoint_age.Add({})) {}

  int run(const std::string& listen_override, sigset_t signals) {
    for (const SourceConfig& source : config_.sources) {
      if (!add_source(source)) return 1;
    }
    if (sources_.empty()) spdlog::warn("msg=\"no [[source]] configured; only self-metrics will be exported\"");
    HttpServer server(config_.web, registry_, [this] { return ready(); });
    try {
      server.bind();
    } catch (const std::exception& error) {
      spdlog::error("msg=\"cannot start the web server\" error=\"{}\"", error.what());
      return 1;
    }
    spdlog::info("msg=\"starting mta_exporter\" version={} config={} sources={}", kVersion, config_path_,
                 sources_.size());
    for (const auto& source : sources_) source->start();
    server.start();

    const auto interval = std::chrono::milliseconds(static_cast<long long>(config_.checkpoint.interval_seconds * 1000));
    while (true) {
      const timespec timeout{static_cast<time_t>(interval.count() / 1000),
                             static_cast<long>(interval.count() % 1000) * 1'000'000};
      const int signal_number = sigtimedwait(&signals, nullptr, &timeout);
      save_checkpoint();
      if (signal_number == SIGHUP) {
        reload(listen_override);
      } else if (signal_number == SIGTERM || signal_number == SIGINT) {
        spdlog::info("msg=\"stopping\" signal={}", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
        break;
      }
    }
    stop_sources(sources_);
    save_checkpoint();
    server.stop();
    spdlog::info("msg=\"stopped\"");
    return 0;
  }

 private:
  bool add_source(const SourceConfig& source) {
    auto running =
        std::make_unique<RunningSource>(source, families_, source_families_, site_rules_, checkpoints_, false);
    try {
      running->prepare();
    } catch (const std::exception& error) {
      spdlog::error("msg=\"cannot open source\" source={} error=\"{}\"", source.name, error.what());
      return false;
    }
    sources_.push_back(std::move(running));
    return true;
  }

  static void stop_sources(std::vector<std::unique_ptr<RunningSource>>& sources) {
    for (const auto& source : sources) source->stop();
    for (const auto& source : sources) source->join();
  }

  bool ready() const {
    std::lock_guard lock(sources_mutex_);
    if (reloading_) return false;
    return std::all_of(sources_.begin(), sources_.end(), [](const auto& source) { return source->ready(); });
  }

  void save_checkpoint() {
    if (config_.checkpoint.path.empty()) return;
    checkpoints_.save();
    checkpoint_age_.Set(checkpoints_.age_seconds());
  }

  // SIGHUP: sources whose table is unchanged keep running (position and counters); the others are
  // stopped and started anew, resuming from the in-memory checkpoint positions.
  void reload(const std::string& listen_override) {
    Config fresh;
    try {
      fresh = load_config(config_path_);
    } catch (const ConfigError& error) {
      spdlog::error("msg=\"reload failed, keeping the running configuration\" error=\"{}\"", error.what());
      return;
    }
    if (fresh.web.listen_address != config_.web.listen_address && listen_override.empty()) {
      spdlog::warn("msg=\"[web] changes need a restart\"");
    }
    if (fresh.checkpoint.path != config_.checkpoint.path) spdlog::warn("msg=\"[checkpoint] changes need a restart\"");
    site_rules_.replace(fresh.site_rules);
    // The web thread reads sources_ for /-/ready: take them out under the lock and report "not ready"
    // until the new set is in place.
    std::vector<std::unique_ptr<RunningSource>> running;
    {
      std::lock_guard lock(sources_mutex_);
      reloading_ = true;
      running.swap(sources_);
    }
    std::vector<std::unique_ptr<RunningSource>> kept;
    std::vector<std::unique_ptr<RunningSource>> retired;
    for (auto& source : running) {
      const bool unchanged =
          std::find(fresh.sources.begin(), fresh.sources.end(), source->config()) != fresh.sources.end();
      (unchanged ? kept : retired).push_back(std::move(source));
    }
    stop_sources(retired);
    retired.clear();
    save_checkpoint();
    std::vector<std::unique_ptr<RunningSource>> started;
    for (const SourceConfig& source : fresh.sources) {
      const bool running = std::any_of(kept.begin(), kept.end(), [&](const auto& k) { return k->config() == source; });
      if (running) continue;
      // A source that ran before under the same name continues where it was (positions in memory).
      const bool known = std::any_of(config_.sources.begin(), config_.sources.end(),
                                     [&](const SourceConfig& old) { return old.name == source.name; });
      auto added =
          std::make_unique<RunningSource>(source, families_, source_families_, site_rules_, checkpoints_, known);
      try {
        added->prepare();
      } catch (const std::exception& error) {
        spdlog::error("msg=\"cannot open source\" source={} error=\"{}\"", source.name, error.what());
        continue;
      }
      added->start();
      started.push_back(std::move(added));
    }
    {
      std::lock_guard lock(sources_mutex_);
      sources_ = std::move(kept);
      for (auto& source : started) sources_.push_back(std::move(source));
      reloading_ = false;
    }
    config_.sources = fresh.sources;
    config_.log_level = fresh.log_level;
    spdlog::set_level(spdlog::level::from_str(config_.log_level));
    spdlog::info("msg=\"configuration reloaded\" sources={} started={}", sources_.size(), started.size());
  }

  Config config_;
  std::string config_path_;
  prometheus::Registry registry_;
  MetricFamilies families_;
  SourceMetricFamilies source_families_;
  SiteRulesHolder site_rules_;
  CheckpointStore checkpoints_;
  prometheus::Gauge& checkpoint_age_;
  mutable std::mutex sources_mutex_;
  bool reloading_ = false;  // guarded by sources_mutex_
  std::vector<std::unique_ptr<RunningSource>> sources_;
};

}  // namespace

int run_serve(Arguments arguments) {
  std::string config_path(kDefaultConfig);
  std::string listen_override;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const bool has_value = i + 1 < arguments.size();
    if ((arguments[i] == "--config" || arguments[i] == "-c") && has_value) {
      config_path = arguments[++i];
    } else if (arguments[i] == "--web.listen-address" && has_value) {
      listen_override = arguments[++i];
    } else {
      std::cerr << "mta_exporter serve: unknown or incomplete option \"" << arguments[i] << "\"\n";
      return 2;
    }
  }
  Config config;
  try {
    config = load_config(config_path);
    if (!listen_override.empty()) {
      parse_listen_address(listen_override);
      config.web.listen_address = listen_override;
    }
  } catch (const ConfigError& error) {
    std::cerr << "mta_exporter: configuration error: " << error.what() << "\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);

  // Signals are taken by sigtimedwait() in the agent loop, so every thread started from here on blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Agent agent(std::move(config), config_path);
  return agent.run(listen_override, signals);
}

int run_check_config(Arguments arguments) {
  if (arguments.size() != 1) {
    std::cerr << "usage: mta_exporter check-config FILE\n";
    return 2;
  }
  try {
    const Config config = load_config(std::string(arguments[0]));
    std::cout << arguments[0] << ": OK (" << config.sources.size() << " source(s), " << config.site_rules->size()
              << " site rule(s), listening on " << config.web.listen_address << config.web.telemetry_path << ")\n";
    return 0;
  } catch (const ConfigError& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
}

int run_version(Arguments) {
  std::cout << "mta_exporter " << kVersion << " (revision " << kRevision << ")\n";
  return 0;
}

}  // namespace mta
