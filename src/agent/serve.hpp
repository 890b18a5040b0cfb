#pragma once
// The agent's life as a service: start the sources and the web server, save checkpoints on a cadence,
// reload the configuration file on SIGHUP, stop cleanly on SIGTERM or SIGINT.

#include <csignal>
#include <string>

#include "config/config.hpp"

namespace mta {

struct ServeOptions {
  std::string config_path;      // read again on SIGHUP
  std::string listen_override;  // --web.listen-address; empty when not given
};

// `signals` (SIGHUP, SIGTERM, SIGINT) must be blocked in every thread, so that they are taken here
// with sigtimedwait(). Returns the process exit code.
int serve(Config config, const ServeOptions& options, const sigset_t& signals);

}  // namespace mta
