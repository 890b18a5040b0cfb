#pragma once
// The TOML configuration (config/mta_exporter.toml documents every key).

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/alerting_config.hpp"
#include "classify/site_rules.hpp"
#include "framing/container_log.hpp"
#include "http/web_config.hpp"
#include "source/start_at.hpp"

namespace mta {

enum class SourceType { file, stdin_stream, replay, syslog, journal };

struct SourceConfig {
  std::string name;  // the `source` label of the self-metrics
  SourceType type = SourceType::file;
  std::string path;                           // file (may be a glob), replay
  StartAt start_at = StartAt::end;            // file, journal
  std::size_t max_line_length = 65536;        // file, stdin
  LogFormat format = LogFormat::plain;        // file
  double rotate_wait_seconds = 5;             // file: how long a renamed file is read once the new one has data
  double lines_per_second = 20;               // replay
  bool loop = true;                           // replay
  std::string listen;                         // syslog: udp://, tcp://, tls://, unix://
  int receive_buffer = 0;                     // syslog (udp, unix): SO_RCVBUF bytes
  std::size_t max_frame_size = 65536;         // syslog
  std::size_t max_connections = 256;          // syslog (tcp, tls)
  std::size_t max_connections_per_peer = 16;  // syslog (tcp, tls)
  double idle_timeout_seconds = 300;          // syslog (tcp, tls)
  std::size_t max_hosts = 0;                  // syslog: >0 counts messages per sending host
  std::vector<std::string> allowed_peers;     // syslog (udp, tcp, tls): CIDR ranges; empty: every peer
  std::string tls_cert_file;                  // syslog (tls)
  std::string tls_key_file;                   // syslog (tls)
  std::string tls_client_ca_file;             // syslog (tls): when set, client certificates are required
  std::vector<std::string> matches;           // journal: FIELD=value, any of them
  std::string directory;                      // journal: read journal files from this folder

  bool operator==(const SourceConfig&) const = default;
};

struct CheckpointConfig {
  std::string path;  // empty: no checkpoints
  double interval_seconds = 5;
};

struct MetricsConfig {
  // Most mta_smtp_replies_total series (see MetricFamilies); read at start only.
  std::size_t reply_series_limit = 20000;

  bool operator==(const MetricsConfig&) const = default;
};

struct Config {
  WebConfig web;
  std::string log_level = "info";
  std::string log_format = "logfmt";  // logfmt or json
  std::vector<SourceConfig> sources;
  CheckpointConfig checkpoint;
  MetricsConfig metrics;
  AlertingConfig alerting;  // read at start only
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

}  // namespace mta
