#pragma once
// What the web server listens on and serves, as the [web] table and --web.listen-address give it.

#include <string>

namespace mta {

struct WebConfig {
  std::string listen_address = ":10154";
  std::string telemetry_path = "/metrics";
};

struct ListenAddress {
  std::string host;
  int port = 0;
};

// Splits "host:port" / ":port" / "[::1]:port"; throws std::invalid_argument saying what is wrong.
ListenAddress parse_listen_address(const std::string& address);

}  // namespace mta
