#pragma once
// The TOML configuration (config/mta_exporter.toml documents every key).

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "classify/site_rules.hpp"

namespace mta {

enum class SourceType { file, stdin_stream, replay };

struct SourceConfig {
  std::string name;  // the `source` label of the self-metrics
  SourceType type = SourceType::file;
  std::string path;
  bool from_beginning = false;  // file: start_at = "beginning"
  std::size_t max_line_length = 65536;
  double lines_per_second = 20;  // replay
  bool loop = true;              // replay
};

struct WebConfig {
  std::string listen_address = ":10154";
  std::string telemetry_path = "/metrics";
};

struct Config {
  WebConfig web;
  std::string log_level = "info";
  std::vector<SourceConfig> sources;
  std::shared_ptr<const SiteRules> site_rules = std::make_shared<const SiteRules>();
};

// Carries "FILE:LINE:COLUMN: KEY: what is wrong".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Config load_config(const std::string& path);
// `origin` names the text in messages and anchors relative source paths (its directory).
Config parse_config(std::string_view text, const std::string& origin);

// Splits "host:port" / ":port" / "[::1]:port"; throws ConfigError on a malformed address.
struct ListenAddress {
  std::string host;
  int port = 0;
};
ListenAddress parse_listen_address(const std::string& address);

}  // namespace mta
