#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "app/commands.hpp"
#include "config/config.hpp"
#include "http/http_server.hpp"
#include "metrics/mta_metrics.hpp"
#include "mta_exporter_version.hpp"
#include "pipeline/line_processor.hpp"
#include "source/file_follower.hpp"
#include "source/interruptible_sleep.hpp"
#include "source/replay_source.hpp"
#include "source/stream_reader.hpp"

namespace mta {
namespace {

constexpr std::string_view kDefaultConfig = "/etc/mta_exporter/mta_exporter.toml";

// A source and its pipeline, run on a thread of its own.
class RunningSource {
 public:
  RunningSource(const SourceConfig& config, MetricFamilies& families, const SiteRules* site_rules)
      : config_(config), processor_(families, config.name, site_rules) {}

  void start() {
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
  }
  void stop() { thread_.request_stop(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  bool ready() const { return config_.type != SourceType::file || file_open_.load(); }

 private:
  void run(std::stop_token stop) {
    try {
      switch (config_.type) {
        case SourceType::file: {
          FileFollower follower(
              {config_.path, config_.from_beginning, std::chrono::milliseconds(250), config_.max_line_length},
              processor_);
          while (!stop.stop_requested()) {
            const bool progressed = follower.poll_once();
            file_open_ = follower.is_open();
            if (!progressed && !sleep_unless_stopped(stop, std::chrono::milliseconds(250))) break;
          }
          break;
        }
        case SourceType::stdin_stream:
          read_stream(STDIN_FILENO, stop, processor_, config_.max_line_length);
          spdlog::info("msg=\"standard input ended\" source={}", config_.name);
          break;
        case SourceType::replay:
          replay_file({config_.path, config_.lines_per_second, config_.loop}, stop, processor_);
          break;
      }
    } catch (const std::exception& error) {
      spdlog::error("msg=\"source stopped\" source={} error=\"{}\"", config_.name, error.what());
    }
  }

  SourceConfig config_;
  LineProcessor processor_;
  std::atomic<bool> file_open_{false};
  std::jthread thread_;
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

  // Signals are taken by sigwait() below, so every thread started from here on blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  prometheus::Registry registry;
  MetricFamilies families(registry);
  std::vector<std::unique_ptr<RunningSource>> sources;
  for (const SourceConfig& source : config.sources)
    sources.push_back(std::make_unique<RunningSource>(source, families, config.site_rules.get()));
  if (sources.empty()) spdlog::warn("msg=\"no [[source]] configured; only self-metrics will be exported\"");

  HttpServer server(config.web, registry, [&sources] {
    for (const auto& source : sources) {
      if (!source->ready()) return false;
    }
    return true;
  });
  try {
    server.bind();
  } catch (const std::exception& error) {
    spdlog::error("msg=\"cannot start the web server\" error=\"{}\"", error.what());
    return 1;
  }
  spdlog::info("msg=\"starting mta_exporter\" version={} config={} sources={}", kVersion, config_path, sources.size());
  for (const auto& source : sources) source->start();
  server.start();

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("msg=\"stopping\" signal={}", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  for (const auto& source : sources) source->stop();
  for (const auto& source : sources) source->join();
  server.stop();
  spdlog::info("msg=\"stopped\"");
  return 0;
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
