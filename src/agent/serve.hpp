#pragma once
// The agent's life as a service: start the sources and the web server, save checkpoints on a cadence,
// reload the configuration file on SIGHUP, stop cleanly on SIGTERM or SIGINT.

#include <csignal>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace mta {

// The exporter flags. Each one given wins over the configuration file, at start and on every reload;
// empty when not given.
struct ServeOptions {
  std::string config_path;  // read again on SIGHUP
  std::vector<std::string> listen_addresses;
  std::string telemetry_path;
  std::string web_config_file;
  std::string log_level;
  std::string log_format;
};

// Overrides the file's settings with the flags that were given.
void apply_flags(Config& config, const ServeOptions& options);

// `signals` (SIGHUP, SIGTERM, SIGINT) must be blocked in every thread, so that they are taken here
// with sigtimedwait(). Returns the process exit code.
int serve(Config config, const ServeOptions& options, const sigset_t& signals);

}  // namespace mta
