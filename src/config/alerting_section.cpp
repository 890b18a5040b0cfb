#include "config/alerting_section.hpp"

#include <fstream>
#include <sstream>

#include "alerting/builtin_rules.hpp"
#include "alerting/duration.hpp"

namespace mta {
namespace {

// A Prometheus duration from `min` to `max` seconds.
double duration(const Reader& reader, const toml::table& table, std::string_view key, const std::string& context,
                double fallback, double min, double max) {
  const toml::node* node = table.get(key);
  if (!node) return fallback;
  const std::optional<std::string_view> text = node->value<std::string_view>();
  const std::optional<double> seconds = text ? parse_prometheus_duration(*text) : std::nullopt;
  if (!seconds || *seconds < min || *seconds > max) {
    std::ostringstream range;
    range << "must be a duration such as \"30s\", \"5m\" or \"1h30m\", from " << min << "s to " << max << "s";
    reader.fail(*node, context + std::string(key), range.str());
  }
  return *seconds;
}

const toml::table* sub_table(const Reader& reader, const toml::table& table, std::string_view key,
                             const std::string& context) {
  const toml::node* node = table.get(key);
  if (!node) return nullptr;
  const toml::table* result = node->as_table();
  if (!result) reader.fail(*node, context + std::string(key), "must be a table");
  return result;
}

std::string file_path(const Reader& reader, const toml::table& table, std::string_view key, const std::string& context,
                      const std::filesystem::path& base) {
  std::string path = reader.string(table, key, context, "");
  if (!path.empty() && std::filesystem::path(path).is_relative()) path = (base / path).lexically_normal().string();
  return path;
}

// The first line of a secret file, which must be readable now.
std::string read_secret(const Reader& reader, const toml::table& table, std::string_view key,
                        const std::string& context, const std::filesystem::path& base) {
  const std::string path = file_path(reader, table, key, context, base);
  std::ifstream in(path);
  std::string secret;
  if (!in || !std::getline(in, secret)) reader.fail(*table.get(key), context + std::string(key), "cannot read " + path);
  return secret;
}

bool is_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void read_client(const Reader& reader, const toml::table& alerting, const std::filesystem::path& base,
                 AlertmanagerClientConfig& client) {
  client.timeout_seconds = duration(reader, alerting, "timeout", "alerting.", client.timeout_seconds, 0.1, 600);
  if (const toml::table* auth = sub_table(reader, alerting, "basic_auth", "alerting.")) {
    const std::string context = "alerting.basic_auth.";
    reader.check_keys(*auth, context, {"username", "password", "password_file"});
    client.basic_auth_username = reader.string(*auth, "username", context, "");
    if (client.basic_auth_username.empty()) reader.fail(*auth, context + "username", "missing");
    if (auth->contains("password") && auth->contains("password_file")) {
      reader.fail(*auth->get("password_file"), context + "password_file", "give password or password_file, not both");
    }
    client.basic_auth_password = auth->contains("password_file")
                                     ? read_secret(reader, *auth, "password_file", context, base)
                                     : reader.string(*auth, "password", context, "");
  }
  if (const toml::table* authorization = sub_table(reader, alerting, "authorization", "alerting.")) {
    const std::string context = "alerting.authorization.";
    reader.check_keys(*authorization, context, {"type", "credentials", "credentials_file"});
    if (reader.string(*authorization, "type", context, "Bearer") != "Bearer") {
      reader.fail(*authorization->get("type"), context + "type", "must be \"Bearer\"");
    }
    client.bearer_token = authorization->contains("credentials_file")
                              ? read_secret(reader, *authorization, "credentials_file", context, base)
                              : reader.string(*authorization, "credentials", context, "");
    if (client.bearer_token.empty()) reader.fail(*authorization, context + "credentials", "missing");
    if (!client.basic_auth_username.empty()) {
      reader.fail(*authorization, context.substr(0, context.size() - 1), "give basic_auth or authorization, not both");
    }
  }
  if (const toml::table* tls = sub_table(reader, alerting, "tls_config", "alerting.")) {
    const std::string context = "alerting.tls_config.";
    reader.check_keys(*tls, context, {"ca_file", "cert_file", "key_file", "insecure_skip_verify"});
    client.ca_file = file_path(reader, *tls, "ca_file", context, base);
    client.cert_file = file_path(reader, *tls, "cert_file", context, base);
    client.key_file = file_path(reader, *tls, "key_file", context, base);
    if (client.cert_file.empty() != client.key_file.empty()) {
      reader.fail(*tls, context + (client.cert_file.empty() ? "cert_file" : "key_file"),
                  "cert_file and key_file go together");
    }
    client.insecure_skip_verify = reader.boolean(*tls, "insecure_skip_verify", context, false);
  }
}

AlertRuleOverride read_rule(const Reader& reader, const toml::table& rule, const std::string& context) {
  reader.check_keys(rule, context, {"enabled", "for", "threshold", "severity", "window"});
  AlertRuleOverride result;
  if (rule.contains("enabled")) result.enabled = reader.boolean(rule, "enabled", context, true);
  if (rule.contains("for")) result.for_seconds = duration(reader, rule, "for", context, 0, 0, 7 * 86400);
  if (const toml::node* threshold = rule.get("threshold")) {
    const std::optional<double> value = threshold->value<double>();
    if (!value || !(*value >= 0) || *value > 1e12) {
      reader.fail(*threshold, context + "threshold", "must be a number of at least 0");
    }
    result.threshold = *value;
  }
  if (rule.contains("severity")) {
    result.severity = reader.string(rule, "severity", context, "");
    if (result.severity->empty()) reader.fail(*rule.get("severity"), context + "severity", "must not be empty");
  }
  if (rule.contains("window")) result.window_seconds = duration(reader, rule, "window", context, 0, 1, 3600);
  return result;
}

}  // namespace

AlertingConfig read_alerting(const Reader& reader, const toml::table& alerting, const std::filesystem::path& base) {
  reader.check_keys(alerting, "alerting.",
                    {"alertmanager_urls", "evaluation_interval", "resend_interval", "external_labels", "queue_capacity",
                     "timeout", "basic_auth", "authorization", "tls_config", "rules"});
  AlertingConfig result;
  result.enabled = true;
  const toml::node* urls = alerting.get("alertmanager_urls");
  const toml::array* list = urls ? urls->as_array() : nullptr;
  if (!list || list->empty()) {
    reader.fail(urls ? *urls : static_cast<const toml::node&>(alerting), "alerting.alertmanager_urls",
                "must be a non-empty list of http:// or https:// URLs");
  }
  for (const toml::node& item : *list) {
    const std::optional<std::string_view> url = item.value<std::string_view>();
    if (!url || !(url->starts_with("http://") || url->starts_with("https://")) ||
        url->find_first_of(" \t\r\n") != std::string_view::npos || url->size() < 10 || url->size() > 2048) {
      reader.fail(item, "alerting.alertmanager_urls", "must be a list of http:// or https:// URLs");
    }
    result.alertmanager_urls.emplace_back(*url);
  }
  result.evaluation_interval_seconds =
      duration(reader, alerting, "evaluation_interval", "alerting.", result.evaluation_interval_seconds, 1, 3600);
  result.resend_interval_seconds =
      duration(reader, alerting, "resend_interval", "alerting.", result.resend_interval_seconds, 1, 86400);
  result.queue_capacity = static_cast<std::size_t>(reader.positive_integer(
      alerting, "queue_capacity", "alerting.", static_cast<std::int64_t>(result.queue_capacity), 1000000));
  if (const toml::table* labels = sub_table(reader, alerting, "external_labels", "alerting.")) {
    for (auto&& [name, value] : *labels) {
      const std::string key = "alerting.external_labels." + std::string(name.str());
      if (!is_label_name(name.str()))
        reader.fail_at(name.source(), key, "is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
      if (name.str() == "alertname") reader.fail_at(name.source(), key, "is set by each rule");
      if (!value.is_string()) reader.fail(value, key, "must be a string");
      result.external_labels.emplace(std::string(name.str()), std::string(*value.value<std::string_view>()));
    }
  }
  read_client(reader, alerting, base, result.client);
  if (const toml::table* rules = sub_table(reader, alerting, "rules", "alerting.")) {
    for (auto&& [name, value] : *rules) {
      const std::string context = "alerting.rules." + std::string(name.str());
      if (!find_builtin_rule(name.str())) {
        std::string names;
        for (const BuiltinRule& rule : kBuiltinRules) names += (names.empty() ? "" : ", ") + std::string(rule.name);
        reader.fail_at(name.source(), context, "is not a rule the agent evaluates (one of: " + names + ")");
      }
      const toml::table* rule = value.as_table();
      if (!rule) reader.fail(value, context, "must be a table");
      result.rules.emplace(std::string(name.str()), read_rule(reader, *rule, context + "."));
    }
  }
  return result;
}

}  // namespace mta
