#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <initializer_list>
#include <iostream>
#include <set>
#include <stdexcept>

#include "agent/logging.hpp"
#include "agent/serve.hpp"
#include "alerting/alert_rules.hpp"
#include "app/commands.hpp"
#include "config/config.hpp"
#include "http/tls_context.hpp"
#include "http/web_config_file.hpp"
#include "mta_exporter_version.hpp"
#include "source/readiness.hpp"

namespace mta {

namespace {

// --name VALUE or --name=VALUE, as Prometheus' exporters take their flags.
bool take_flag(Arguments arguments, std::size_t& i, std::initializer_list<std::string_view> names, std::string& value) {
  const std::string_view argument = arguments[i];
  for (const std::string_view name : names) {
    if (argument == name && i + 1 < arguments.size()) {
      value = arguments[++i];
      return true;
    }
    if (argument.size() > name.size() && argument.starts_with(name) && argument[name.size()] == '=') {
      value = argument.substr(name.size() + 1);
      return true;
    }
  }
  return false;
}

// Returns an error text, or "" when the flags are usable.
std::string read_flags(Arguments arguments, ServeOptions& options) {
  std::string value;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (take_flag(arguments, i, {"--config.file", "--config", "-c"}, value)) {
      options.config_path = value;
    } else if (take_flag(arguments, i, {"--web.listen-address"}, value)) {
      try {
        parse_listen_address(value);
      } catch (const std::invalid_argument& error) {
        return "--web.listen-address: " + std::string(error.what());
      }
      options.listen_addresses.push_back(value);
    } else if (take_flag(arguments, i, {"--web.telemetry-path"}, value)) {
      if (!value.starts_with("/")) return "--web.telemetry-path: must start with '/'";
      options.telemetry_path = value;
    } else if (take_flag(arguments, i, {"--web.config.file"}, value)) {
      options.web_config_file = value;
    } else if (take_flag(arguments, i, {"--log.level"}, value)) {
      static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
      if (!levels.contains(value)) return "--log.level: must be one of trace, debug, info, warn, error, off";
      options.log_level = value;
    } else if (take_flag(arguments, i, {"--log.format"}, value)) {
      if (value != "logfmt" && value != "json") return "--log.format: must be logfmt or json";
      options.log_format = value;
    } else {
      return "unknown or incomplete option \"" + std::string(arguments[i]) + "\"";
    }
  }
  return "";
}

// Certificates and TLS settings are checked before anything starts: a web config error exits 2.
std::string check_web_config(const std::string& path) {
  if (path.empty()) return "";
  try {
    check_tls_settings(load_web_config_file(path));
  } catch (const WebConfigError& error) {
    return error.what();
  }
  return "";
}

// The compiled-in alert files with the [alerting.rules] overrides, checked before anything starts.
std::string check_alert_rules(const AlertingConfig& alerting) {
  if (!alerting.enabled) return "";
  try {
    builtin_alert_rules(alerting);
  } catch (const AlertRulesError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

int run_serve(Arguments arguments) {
  ServeOptions options;
  options.config_path = kDefaultConfigPath;
  if (const std::string error = read_flags(arguments, options); !error.empty()) {
    std::cerr << "mta_exporter serve: " << error << "\n";
    return 2;
  }
  Config config;
  try {
    config = load_config(options.config_path);
  } catch (const ConfigError& error) {
    std::cerr << "mta_exporter: configuration error: " << error.what() << "\n";
    return 2;
  }
  apply_flags(config, options);
  if (const std::string error = check_web_config(config.web.config_file); !error.empty()) {
    std::cerr << "mta_exporter: web configuration error: " << error << "\n";
    return 2;
  }
  if (const std::string error = check_alert_rules(config.alerting); !error.empty()) {
    std::cerr << "mta_exporter: alert rules error: " << error << "\n";
    return 2;
  }
  configure_logging(config.log_level, config.log_format);

  // glibc raises its mmap threshold to the largest block freed so far, so after the first scrape the /metrics page
  // (2.9 MB at 20k reply series) and its gzip copy come from the heap, whose pages then stay resident between
  // scrapes. A fixed threshold keeps blocks of 1 MiB and more mmapped, returned as soon as they are freed; fixing it
  // also fixes the trim threshold, which is set so that smaller pages do not shrink and regrow the heap each scrape.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  mallopt(M_TRIM_THRESHOLD, 4 << 20);

  // Signals are taken by sigtimedwait() in the agent loop, so every thread started from here on blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return serve(std::move(config), options, signals);
}

namespace {

// "source journal (journal): ready: the system journal is readable": one line per source, what the agent
// would find if it started now as this user.
std::string readiness_line(const SourceConfig& source) {
  Readiness readiness;
  std::string kind;
  switch (source.type) {
    case SourceType::file:
      kind = "file";
      readiness = file_readiness(source.path);
      break;
    case SourceType::replay:
      kind = "replay";
      readiness = file_readiness(source.path);
      break;
    case SourceType::journal:
      kind = "journal";
      readiness = journal_readiness(source.directory);
      break;
    case SourceType::stdin_stream: return "source " + source.name + " (stdin): ready: reads standard input";
    case SourceType::syslog:
      kind = "syslog";
      if (source.listen.starts_with("unix://")) {
        readiness = unix_socket_readiness(source.listen.substr(7));
      } else {
        readiness = {true, "listens on " + source.listen + " (bound when the agent starts)"};
      }
      break;
  }
  return "source " + source.name + " (" + kind + "): " + (readiness.ready ? "ready: " : "not ready: ") +
         readiness.detail;
}

}  // namespace

int run_check_config(Arguments arguments) {
  if (arguments.size() != 1) {
    std::cerr << "usage: mta_exporter check-config FILE\n";
    return 2;
  }
  try {
    const Config config = load_config(std::string(arguments[0]));
    if (const std::string error = check_web_config(config.web.config_file); !error.empty()) {
      std::cerr << error << "\n";
      return 1;
    }
    std::string addresses;
    for (const std::string& address : config.web.listen_addresses)
      addresses += (addresses.empty() ? "" : ", ") + address;
    std::cout << arguments[0] << ": OK (" << config.sources.size() << " source(s), " << config.site_rules->size()
              << " site rule(s), listening on " << addresses << " at " << config.web.telemetry_path
              << (config.web.config_file.empty() ? "" : ", web config " + config.web.config_file) << ")\n";
    for (const SourceConfig& source : config.sources) std::cout << readiness_line(source) << "\n";
    if (config.alerting.enabled) {
      if (const std::string error = check_alert_rules(config.alerting); !error.empty()) {
        std::cerr << error << "\n";
        return 1;
      }
      std::cout << "alerting: " << builtin_alert_rules(config.alerting).size() << " rule(s), sent to "
                << config.alerting.alertmanager_urls.size() << " Alertmanager(s)\n";
    }
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
