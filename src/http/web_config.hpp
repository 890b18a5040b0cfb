#pragma once
// What the web server listens on and serves, as the [web] table and the exporter flags
// (--web.listen-address, --web.telemetry-path, --web.config.file) give it.

#include <cstddef>
#include <string>
#include <vector>

namespace mta {

struct WebConfig {
  std::vector<std::string> listen_addresses = {":10154"};
  std::string telemetry_path = "/metrics";
  std::string config_file;  // the exporter-toolkit web configuration (TLS, basic auth); empty: plain HTTP
  // Connections served at once, and from one IP address; more are closed at once (0: no bound).
  std::size_t max_connections = 64;
  std::size_t max_connections_per_ip = 8;

  bool operator==(const WebConfig&) const = default;
};

struct ListenAddress {
  std::string host;  // empty for ":PORT": every address, IPv6 and IPv4
  int port = 0;
};

// Splits "host:port" / ":port" / "[::1]:port"; throws std::invalid_argument saying what is wrong.
ListenAddress parse_listen_address(const std::string& address);

}  // namespace mta
