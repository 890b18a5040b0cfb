#include "config/config.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/alerting_section.hpp"
#include "config/toml_reader.hpp"
#include "source/syslog_server.hpp"

namespace mta {
namespace {

SourceType parse_source_type(const Reader& reader, const toml::table& table, std::string_view context) {
  const toml::node* node = table.get("type");
  if (!node) reader.fail(table, std::string(context) + "type", "missing (file, stdin, replay, syslog or journal)");
  const std::optional<std::string_view> type = node->value<std::string_view>();
  if (type == "file") return SourceType::file;
  if (type == "stdin") return SourceType::stdin_stream;
  if (type == "replay") return SourceType::replay;
  if (type == "syslog") return SourceType::syslog;
  if (type == "journal") return SourceType::journal;
  reader.fail(*node, std::string(context) + "type",
              "must be \"file\", \"stdin\", \"replay\", \"syslog\" or \"journal\"");
}

std::vector<std::string> string_list(const Reader& reader, const toml::table& table, std::string_view key,
                                     const std::string& context) {
  std::vector<std::string> values;
  const toml::node* node = table.get(key);
  if (!node) return values;
  const toml::array* array = node->as_array();
  if (!array) reader.fail(*node, context + std::string(key), "must be an array of strings");
  for (const toml::node& element : *array) {
    if (!element.is_string()) reader.fail(element, context + std::string(key), "must be an array of strings");
    values.emplace_back(*element.value<std::string_view>());
  }
  return values;
}

// allowed_peers: CIDR ranges, each checked, named by its own line when wrong.
std::vector<std::string> read_allowed_peers(const Reader& reader, const toml::table& table, const std::string& context,
                                            SyslogListen::Transport transport) {
  std::vector<std::string> ranges = string_list(reader, table, "allowed_peers", context);
  const toml::node* node = table.get("allowed_peers");
  if (!node) return ranges;
  const std::string key = context + "allowed_peers";
  if (transport == SyslogListen::Transport::unix_datagram) {
    reader.fail(*node, key, "applies to udp://, tcp:// and tls:// listeners (a unix socket has no network peers)");
  }
  // An empty list would read as "nobody" but the filter treats it as "everybody": refuse it.
  if (ranges.empty()) reader.fail(*node, key, "must list at least one range (leave it out to allow every peer)");
  const toml::array& elements = *node->as_array();
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    try {
      parse_peer_range(ranges[i]);
    } catch (const std::invalid_argument& error) {
      reader.fail(elements[i], key, error.what());
    }
  }
  return ranges;
}

// tls_cert_file, tls_key_file, tls_client_ca_file: only for tls://, relative to the config file, and
// loaded once here so that a wrong file fails the load (or the reload) instead of the listener.
void read_syslog_tls(const Reader& reader, const toml::table& table, const std::string& context,
                     const std::filesystem::path& base, bool tls, SourceConfig& source) {
  const auto path = [&](std::string_view key) {
    std::string value = reader.string(table, key, context, "");
    if (!tls && table.get(key)) reader.fail(*table.get(key), context + std::string(key), "only for tls:// listeners");
    if (!value.empty() && std::filesystem::path(value).is_relative()) {
      value = (base / value).lexically_normal().string();
    }
    return value;
  };
  source.tls_cert_file = path("tls_cert_file");
  source.tls_key_file = path("tls_key_file");
  source.tls_client_ca_file = path("tls_client_ca_file");
  if (!tls) return;
  if (source.tls_cert_file.empty()) {
    reader.fail(table, context + "tls_cert_file", "missing (the server certificate for tls://, PEM)");
  }
  if (source.tls_key_file.empty()) {
    reader.fail(table, context + "tls_key_file", "missing (the private key of tls_cert_file, PEM)");
  }
  try {
    TlsServerContext check({source.tls_cert_file, source.tls_key_file, source.tls_client_ca_file});
  } catch (const TlsFileError& error) {
    using File = TlsFileError::File;
    const std::string_view key = error.file() == File::cert  ? "tls_cert_file"
                                 : error.file() == File::key ? "tls_key_file"
                                                             : "tls_client_ca_file";
    reader.fail(*table.get(key), context + std::string(key), error.what());
  } catch (const std::runtime_error& error) {
    reader.fail(*table.get("listen"), context + "listen", error.what());
  }
}

void read_syslog_source(const Reader& reader, const toml::table& table, const std::string& context,
                        const std::filesystem::path& base, SourceConfig& source) {
  source.listen = reader.string(table, "listen", context, "");
  if (source.listen.empty()) {
    reader.fail(table, context + "listen",
                "missing (udp://HOST:PORT, tcp://HOST:PORT, tls://HOST:PORT or unix:///PATH)");
  }
  SyslogListen listen;
  try {
    listen = parse_syslog_listen(source.listen);
  } catch (const std::invalid_argument& error) {
    reader.fail(*table.get("listen"), context + "listen", error.what());
  }
  if (table.get("receive_buffer")) {
    source.receive_buffer = static_cast<int>(reader.positive_integer(table, "receive_buffer", context, 0, 1 << 30));
  }
  source.max_frame_size =
      static_cast<std::size_t>(reader.positive_integer(table, "max_frame_size", context, 65536, 16 << 20));
  source.max_connections =
      static_cast<std::size_t>(reader.positive_integer(table, "max_connections", context, 256, 65536));
  source.max_connections_per_peer =
      static_cast<std::size_t>(reader.positive_integer(table, "max_connections_per_peer", context, 16, 65536));
  source.idle_timeout_seconds = reader.positive_number(table, "idle_timeout_seconds", context, 300, 7 * 86400);
  if (table.get("max_hosts")) {
    source.max_hosts = static_cast<std::size_t>(reader.positive_integer(table, "max_hosts", context, 0, 100000));
  }
  source.allowed_peers = read_allowed_peers(reader, table, context, listen.transport);
  read_syslog_tls(reader, table, context, base, listen.transport == SyslogListen::Transport::tls, source);
}

SourceConfig parse_source(const Reader& reader, const toml::table& table, std::size_t index,
                          const std::filesystem::path& base, bool has_checkpoint) {
  const std::string context = "source[" + std::to_string(index) + "].";
  SourceConfig source;
  source.type = parse_source_type(reader, table, context);
  switch (source.type) {
    case SourceType::file:
      reader.check_keys(table, context,
                        {"type", "name", "path", "start_at", "max_line_length", "format", "rotate_wait_seconds"});
      break;
    case SourceType::stdin_stream: reader.check_keys(table, context, {"type", "name", "max_line_length"}); break;
    case SourceType::replay:
      reader.check_keys(table, context, {"type", "name", "path", "lines_per_second", "loop"});
      break;
    case SourceType::syslog:
      reader.check_keys(table, context,
                        {"type", "name", "listen", "receive_buffer", "max_frame_size", "max_connections",
                         "max_connections_per_peer", "idle_timeout_seconds", "max_hosts", "allowed_peers",
                         "tls_cert_file", "tls_key_file", "tls_client_ca_file"});
      break;
    case SourceType::journal:
      reader.check_keys(table, context, {"type", "name", "match", "directory", "start_at"});
      break;
  }
  if (source.type == SourceType::file || source.type == SourceType::replay) {
    source.path = reader.string(table, "path", context, "");
    if (source.path.empty()) reader.fail(table, context + "path", "missing (the log file to read)");
    if (std::filesystem::path(source.path).is_relative()) {
      source.path = (base / source.path).lexically_normal().string();
    }
  }
  const std::string start_at = reader.string(table, "start_at", context, "end");
  if (start_at == "beginning") {
    source.start_at = StartAt::beginning;
  } else if (start_at == "checkpoint") {
    source.start_at = StartAt::checkpoint;
    if (!has_checkpoint) {
      reader.fail(*table.get("start_at"), context + "start_at", "\"checkpoint\" needs a [checkpoint] path");
    }
  } else if (start_at != "end") {
    reader.fail(*table.get("start_at"), context + "start_at", "must be \"end\", \"beginning\" or \"checkpoint\"");
  }
  const std::string format = reader.string(table, "format", context, "plain");
  if (format == "docker") {
    source.format = LogFormat::docker;
  } else if (format == "cri") {
    source.format = LogFormat::cri;
  } else if (format != "plain") {
    reader.fail(*table.get("format"), context + "format", "must be \"plain\", \"docker\" or \"cri\"");
  }
  source.max_line_length =
      static_cast<std::size_t>(reader.positive_integer(table, "max_line_length", context, 65536, 16 << 20));
  source.rotate_wait_seconds = reader.positive_number(table, "rotate_wait_seconds", context, 5, 3600);
  source.lines_per_second = reader.positive_number(table, "lines_per_second", context, 20, 1e7);
  source.loop = reader.boolean(table, "loop", context, true);
  if (source.type == SourceType::syslog) read_syslog_source(reader, table, context, base, source);
  if (source.type == SourceType::journal) {
    source.matches = string_list(reader, table, "match", context);
    for (const std::string& match : source.matches) {
      const std::size_t equals = match.find('=');
      if (equals == std::string::npos || equals == 0) {
        reader.fail(*table.get("match"), context + "match", "\"" + match + "\" is not FIELD=value");
      }
    }
    source.directory = reader.string(table, "directory", context, "");
    if (!source.directory.empty() && std::filesystem::path(source.directory).is_relative()) {
      source.directory = (base / source.directory).lexically_normal().string();
    }
  }
  std::string default_name;
  switch (source.type) {
    case SourceType::stdin_stream: default_name = "stdin"; break;
    case SourceType::syslog: default_name = "syslog"; break;
    case SourceType::journal: default_name = "journal"; break;
    case SourceType::file:
    case SourceType::replay: default_name = std::filesystem::path(source.path).filename().string(); break;
  }
  source.name = reader.string(table, "name", context, default_name);
  return source;
}

SiteRule parse_rule(const Reader& reader, const toml::table& table, std::size_t index) {
  std::string context = "rule[" + std::to_string(index) + "]";
  if (const toml::node* name = table.get("name"); name && name->is_string()) {
    context += " \"" + std::string(*name->value<std::string_view>()) + "\"";
  }
  context += ".";
  reader.check_keys(table, context, {"name", "cause", "provider", "match"});
  SiteRuleSpec spec;
  spec.name = reader.string(table, "name", context, "rule" + std::to_string(index + 1));
  spec.cause = reader.string(table, "cause", context, "");
  spec.set_provider = reader.string(table, "provider", context, "");
  const toml::node* match_node = table.get("match");
  if (!match_node || !match_node->is_table()) {
    throw ConfigError(reader.origin() + ":" + std::to_string(table.source().begin.line) + ": " + context +
                      "match: missing [rule.match] table with the conditions");
  }
  const toml::table& match = *match_node->as_table();
  const std::string match_context = context + "match.";
  reader.check_keys(match, match_context, {"text", "code", "enhanced_code", "direction", "mta", "provider"});
  spec.text = reader.string(match, "text", match_context, "");
  spec.code = reader.string(match, "code", match_context, "");
  spec.enhanced_code = reader.string(match, "enhanced_code", match_context, "");
  spec.direction = reader.string(match, "direction", match_context, "");
  spec.mta = reader.string(match, "mta", match_context, "");
  spec.provider = reader.string(match, "provider", match_context, "");
  if (spec.cause.empty()) {
    throw ConfigError(reader.origin() + ":" + std::to_string(table.source().begin.line) + ": " + context +
                      "cause: missing (a cause of the taxonomy)");
  }
  try {
    return compile_site_rule(spec);
  } catch (const std::invalid_argument& error) {
    const std::string what = error.what();
    const std::string key = what.substr(0, what.find(':'));
    const toml::node* node = key.starts_with("match.") ? match.get(key.substr(6)) : table.get(key);
    reader.fail(node ? *node : static_cast<const toml::node&>(table), context + key, what.substr(what.find(':') + 2));
  }
}

// [web]: listen_address is one address or a list of them; config_file is relative to this file.
WebConfig read_web(const Reader& reader, const toml::table& web, const std::filesystem::path& base) {
  reader.check_keys(web, "web.",
                    {"listen_address", "telemetry_path", "config_file", "max_connections", "max_connections_per_ip"});
  WebConfig result;
  if (const toml::node* listen = web.get("listen_address")) {
    result.listen_addresses.clear();
    if (listen->is_string()) {
      result.listen_addresses.emplace_back(*listen->value<std::string_view>());
    } else if (const toml::array* list = listen->as_array(); list && !list->empty()) {
      for (const toml::node& item : *list) {
        if (!item.is_string()) reader.fail(item, "web.listen_address", "must be a string or a list of strings");
        result.listen_addresses.emplace_back(*item.value<std::string_view>());
      }
    } else {
      reader.fail(*listen, "web.listen_address", "must be a string or a non-empty list of strings");
    }
    for (const std::string& address : result.listen_addresses) {
      try {
        parse_listen_address(address);
      } catch (const std::invalid_argument& error) {
        reader.fail(*listen, "web.listen_address", error.what());
      }
    }
  }
  result.telemetry_path = reader.string(web, "telemetry_path", "web.", result.telemetry_path);
  if (!result.telemetry_path.starts_with("/")) {
    reader.fail(*web.get("telemetry_path"), "web.telemetry_path", "must start with '/'");
  }
  if (const toml::node* max = web.get("max_connections"); max && max->value_exact<std::int64_t>() == 0) {
    result.max_connections = 0;  // the bound off: cpp-httplib's own pool and queue
  } else {
    result.max_connections =
        static_cast<std::size_t>(reader.positive_integer(web, "max_connections", "web.", 64, 100000));
  }
  result.max_connections_per_ip =
      static_cast<std::size_t>(reader.positive_integer(web, "max_connections_per_ip", "web.", 8, 100000));
  result.config_file = reader.string(web, "config_file", "web.", "");
  if (!result.config_file.empty()) result.config_file = (base / result.config_file).lexically_normal().string();
  return result;
}

// [metrics]: reply_series_limit is at least 100 so that the reserve of known providers (a tenth of it)
// holds a useful number of series, and at most a million (about a gigabyte of series).
MetricsConfig read_metrics(const Reader& reader, const toml::table& metrics) {
  reader.check_keys(metrics, "metrics.", {"reply_series_limit"});
  MetricsConfig result;
  result.reply_series_limit = static_cast<std::size_t>(reader.integer(
      metrics, "reply_series_limit", "metrics.", static_cast<std::int64_t>(result.reply_series_limit), 100, 1000000));
  return result;
}

}  // namespace

Config parse_config(std::string_view text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& error) {
    const toml::source_region& where = error.source();
    throw ConfigError(origin + ":" + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column) +
                      ": " + std::string(error.description()));
  }
  const Reader reader(origin);
  reader.check_keys(root, "", {"web", "log", "checkpoint", "metrics", "alerting", "source", "rule"});
  Config config;
  const std::filesystem::path base = std::filesystem::path(origin).parent_path();
  if (const toml::node* web_node = root.get("web")) {
    const toml::table* web = web_node->as_table();
    if (!web) reader.fail(*web_node, "web", "must be a table ([web])");
    config.web = read_web(reader, *web, base);
  }
  if (const toml::node* log_node = root.get("log")) {
    const toml::table* log = log_node->as_table();
    if (!log) reader.fail(*log_node, "log", "must be a table ([log])");
    reader.check_keys(*log, "log.", {"level", "format"});
    config.log_level = reader.string(*log, "level", "log.", config.log_level);
    static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
    if (!levels.contains(config.log_level)) {
      reader.fail(*log->get("level"), "log.level", "must be one of trace, debug, info, warn, error, off");
    }
    config.log_format = reader.string(*log, "format", "log.", config.log_format);
    if (config.log_format != "logfmt" && config.log_format != "json") {
      reader.fail(*log->get("format"), "log.format", "must be logfmt or json");
    }
  }
  if (const toml::node* checkpoint_node = root.get("checkpoint")) {
    const toml::table* checkpoint = checkpoint_node->as_table();
    if (!checkpoint) reader.fail(*checkpoint_node, "checkpoint", "must be a table ([checkpoint])");
    reader.check_keys(*checkpoint, "checkpoint.", {"path", "interval_seconds"});
    config.checkpoint.path = reader.string(*checkpoint, "path", "checkpoint.", "");
    if (config.checkpoint.path.empty()) reader.fail(*checkpoint, "checkpoint.path", "missing (the checkpoint file)");
    if (std::filesystem::path(config.checkpoint.path).is_relative()) {
      config.checkpoint.path = (base / config.checkpoint.path).lexically_normal().string();
    }
    config.checkpoint.interval_seconds =
        reader.positive_number(*checkpoint, "interval_seconds", "checkpoint.", 5, 86400);
  }
  if (const toml::node* metrics_node = root.get("metrics")) {
    const toml::table* metrics = metrics_node->as_table();
    if (!metrics) reader.fail(*metrics_node, "metrics", "must be a table ([metrics])");
    config.metrics = read_metrics(reader, *metrics);
  }
  if (const toml::node* alerting_node = root.get("alerting")) {
    const toml::table* alerting = alerting_node->as_table();
    if (!alerting) reader.fail(*alerting_node, "alerting", "must be a table ([alerting])");
    config.alerting = read_alerting(reader, *alerting, base);
  }
  if (const toml::node* sources_node = root.get("source")) {
    const toml::array* sources = sources_node->as_array();
    if (!sources) reader.fail(*sources_node, "source", "must be an array of tables ([[source]])");
    std::set<std::string> names;
    for (std::size_t i = 0; i < sources->size(); ++i) {
      const toml::table* table = (*sources)[i].as_table();
      if (!table) reader.fail((*sources)[i], "source[" + std::to_string(i) + "]", "must be a table");
      SourceConfig source = parse_source(reader, *table, i, base, !config.checkpoint.path.empty());
      if (!names.insert(source.name).second) {
        reader.fail(*table, "source[" + std::to_string(i) + "].name",
                    "duplicate source name \"" + source.name + "\" (set a distinct name)");
      }
      config.sources.push_back(std::move(source));
    }
  }
  if (const toml::node* rules_node = root.get("rule")) {
    const toml::array* rules = rules_node->as_array();
    if (!rules) reader.fail(*rules_node, "rule", "must be an array of tables ([[rule]])");
    auto site_rules = std::make_shared<SiteRules>();
    for (std::size_t i = 0; i < rules->size(); ++i) {
      const toml::table* table = (*rules)[i].as_table();
      if (!table) reader.fail((*rules)[i], "rule[" + std::to_string(i) + "]", "must be a table");
      site_rules->push_back(parse_rule(reader, *table, i));
    }
    config.site_rules = std::move(site_rules);
  }
  return config;
}

Config load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the configuration file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace mta
