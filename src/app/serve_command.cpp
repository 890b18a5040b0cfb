#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <stdexcept>

#include "agent/serve.hpp"
#include "app/commands.hpp"
#include "config/config.hpp"
#include "mta_exporter_version.hpp"

namespace mta {

int run_serve(Arguments arguments) {
  std::string config_path(kDefaultConfigPath);
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
  } catch (const std::invalid_argument& error) {
    std::cerr << "mta_exporter: --web.listen-address: " << error.what() << "\n";
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
  return serve(std::move(config), ServeOptions{config_path, listen_override}, signals);
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
