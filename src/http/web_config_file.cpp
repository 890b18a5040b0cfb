#include "http/web_config_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace mta {
namespace {

// Go's cipher suite names (what exporter-toolkit accepts) and OpenSSL's names for the same suites.
// RC4 suites are left out: OpenSSL 3 no longer offers them. TLS 1.3 suites are not configurable in Go.
constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kCipherSuites = {{
    {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kCurves = {
    {{"CurveP256", "P-256"}, {"CurveP384", "P-384"}, {"CurveP521", "P-521"}, {"X25519", "X25519"}}};

constexpr std::array<std::pair<std::string_view, ClientAuth>, 5> kClientAuth = {{
    {"NoClientCert", ClientAuth::none},
    {"RequestClientCert", ClientAuth::request},
    {"RequireAnyClientCert", ClientAuth::require_any},
    {"VerifyClientCertIfGiven", ClientAuth::verify_if_given},
    {"RequireAndVerifyClientCert", ClientAuth::require_and_verify},
}};

constexpr std::array<std::pair<std::string_view, TlsVersion>, 4> kVersions = {{{"TLS10", TlsVersion::tls10},
                                                                               {"TLS11", TlsVersion::tls11},
                                                                               {"TLS12", TlsVersion::tls12},
                                                                               {"TLS13", TlsVersion::tls13}}};

// The headers exporter-toolkit lets a web config set, and the values it allows (empty: any value).
const std::map<std::string, std::vector<std::string>, std::less<>> kSettableHeaders = {
    {"Strict-Transport-Security", {}},
    {"X-Content-Type-Options", {"nosniff"}},
    {"X-Frame-Options", {"deny", "sameorigin"}},
    {"X-XSS-Protection", {}},
    {"Content-Security-Policy", {}},
};

template <typename Table>
std::string choices(const Table& table) {
  std::string list;
  for (const auto& [name, value] : table) list += (list.empty() ? "" : ", ") + std::string(name);
  return list;
}

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const YAML::Node& node, std::string_view key, std::string_view problem) const {
    const std::string line = node.Mark().is_null() ? "" : std::to_string(node.Mark().line + 1) + ":";
    throw WebConfigError(path_ + ":" + line + " " + std::string(key) + ": " + std::string(problem));
  }

  void expect_map(const YAML::Node& node, std::string_view key, std::initializer_list<std::string_view> allowed) const {
    if (!node.IsMap()) fail(node, key, "must be a mapping");
    for (const auto& entry : node) {
      const std::string name = entry.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string list;
        for (std::string_view known : allowed) list += (list.empty() ? "" : ", ") + std::string(known);
        fail(entry.first, join(key, name), "unknown key (expected one of: " + list + ")");
      }
    }
  }

  std::string string(const YAML::Node& node, std::string_view key) const {
    if (!node.IsScalar()) fail(node, key, "must be a string");
    return node.as<std::string>();
  }

  bool boolean(const YAML::Node& node, std::string_view key) const {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) fail(node, key, "must be true or false");
    return value;
  }

  std::vector<std::string> strings(const YAML::Node& node, std::string_view key) const {
    if (node.IsNull()) return {};
    if (!node.IsSequence()) fail(node, key, "must be a list of strings");
    std::vector<std::string> result;
    for (const YAML::Node& item : node) result.push_back(string(item, key));
    return result;
  }

  template <typename Table>
  auto lookup(const Table& table, const YAML::Node& node, std::string_view key) const {
    const std::string name = string(node, key);
    for (const auto& [known, value] : table) {
      if (known == name) return value;
    }
    fail(node, key, "\"" + name + "\" is not one of: " + choices(table));
  }

  // Relative certificate paths are read from the web config file's folder, as exporter-toolkit does.
  std::string path(const YAML::Node& node, std::string_view key) const {
    const std::string value = string(node, key);
    if (value.empty()) return value;
    return (std::filesystem::path(path_).parent_path() / value).lexically_normal().string();
  }

  static std::string join(std::string_view parent, std::string_view key) {
    return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
  }

 private:
  std::string path_;
};

std::optional<TlsServerSettings> read_tls(const Reader& reader, const YAML::Node& node) {
  constexpr std::string_view kKey = "tls_server_config";
  if (!node || node.IsNull()) return std::nullopt;
  reader.expect_map(node, kKey,
                    {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version",
                     "cipher_suites", "prefer_server_cipher_suites", "curve_preferences"});
  TlsServerSettings tls;
  for (const auto& entry : node) tls.key_lines[entry.first.as<std::string>()] = entry.first.Mark().line + 1;
  const auto key = [&](std::string_view name) { return Reader::join(kKey, name); };
  if (node["cert_file"]) tls.cert_file = reader.path(node["cert_file"], key("cert_file"));
  if (node["key_file"]) tls.key_file = reader.path(node["key_file"], key("key_file"));
  if (node["client_ca_file"]) tls.client_ca_file = reader.path(node["client_ca_file"], key("client_ca_file"));
  if (node["client_auth_type"]) {
    tls.client_auth = reader.lookup(kClientAuth, node["client_auth_type"], key("client_auth_type"));
  }
  if (node["min_version"]) tls.min_version = reader.lookup(kVersions, node["min_version"], key("min_version"));
  if (node["max_version"]) tls.max_version = reader.lookup(kVersions, node["max_version"], key("max_version"));
  if (node["prefer_server_cipher_suites"]) {
    tls.prefer_server_cipher_suites =
        reader.boolean(node["prefer_server_cipher_suites"], key("prefer_server_cipher_suites"));
  }
  if (node["cipher_suites"]) {
    reader.strings(node["cipher_suites"], key("cipher_suites"));
    for (const YAML::Node& item : node["cipher_suites"]) {
      tls.cipher_suites.emplace_back(reader.lookup(kCipherSuites, item, key("cipher_suites")));
    }
  }
  if (node["curve_preferences"]) {
    reader.strings(node["curve_preferences"], key("curve_preferences"));
    for (const YAML::Node& item : node["curve_preferences"]) {
      tls.curve_preferences.emplace_back(reader.lookup(kCurves, item, key("curve_preferences")));
    }
  }
  // As exporter-toolkit: a tls_server_config without certificate and key leaves the server on plain HTTP.
  if (tls.cert_file.empty() && tls.key_file.empty()) return std::nullopt;
  if (tls.cert_file.empty()) reader.fail(node, key("cert_file"), "missing (key_file is set)");
  if (tls.key_file.empty()) reader.fail(node, key("key_file"), "missing (cert_file is set)");
  const bool verifies =
      tls.client_auth == ClientAuth::verify_if_given || tls.client_auth == ClientAuth::require_and_verify;
  if (verifies && tls.client_ca_file.empty()) {
    reader.fail(node, key("client_ca_file"), "missing: client_auth_type verifies client certificates against it");
  }
  if (!tls.client_ca_file.empty() && tls.client_auth == ClientAuth::none) {
    reader.fail(node["client_ca_file"], key("client_ca_file"),
                "set without a client_auth_type that checks client certificates");
  }
  if (tls.max_version && *tls.max_version < tls.min_version) {
    reader.fail(node["max_version"], key("max_version"), "is lower than min_version");
  }
  return tls;
}

std::vector<std::pair<std::string, std::string>> read_headers(const Reader& reader, const YAML::Node& node) {
  constexpr std::string_view kKey = "http_server_config";
  std::vector<std::pair<std::string, std::string>> headers;
  if (!node || node.IsNull()) return headers;
  reader.expect_map(node, kKey, {"http2", "headers"});
  // http2 is accepted for compatibility; the server speaks HTTP/1.1, which every scraper understands.
  if (node["http2"]) reader.boolean(node["http2"], Reader::join(kKey, "http2"));
  const YAML::Node list = node["headers"];
  if (!list || list.IsNull()) return headers;
  if (!list.IsMap()) reader.fail(list, Reader::join(kKey, "headers"), "must be a mapping of header to value");
  for (const auto& entry : list) {
    const std::string name = entry.first.as<std::string>();
    const std::string key = Reader::join(kKey, "headers." + name);
    const auto allowed = kSettableHeaders.find(name);
    if (allowed == kSettableHeaders.end()) {
      reader.fail(entry.first, key, "this header cannot be configured (allowed: " + choices(kSettableHeaders) + ")");
    }
    const std::string value = reader.string(entry.second, key);
    const std::vector<std::string>& values = allowed->second;
    if (!values.empty() && std::find(values.begin(), values.end(), value) == values.end()) {
      std::string list_text;
      for (const std::string& known : values) list_text += (list_text.empty() ? "" : ", ") + known;
      reader.fail(entry.second, key, "\"" + value + "\" is not one of: " + list_text);
    }
    headers.emplace_back(name, value);
  }
  return headers;
}

bool looks_like_bcrypt(std::string_view hash) {
  return hash.size() == 60 && (hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$"));
}

std::map<std::string, std::string> read_users(const Reader& reader, const YAML::Node& node) {
  std::map<std::string, std::string> users;
  if (!node || node.IsNull()) return users;
  if (!node.IsMap()) reader.fail(node, "basic_auth_users", "must be a mapping of user name to bcrypt hash");
  for (const auto& entry : node) {
    const std::string user = entry.first.as<std::string>();
    const std::string key = "basic_auth_users." + user;
    if (user.empty() || user.find(':') != std::string::npos)
      reader.fail(entry.first, key, "user names cannot hold ':'");
    const std::string hash = reader.string(entry.second, key);
    if (!looks_like_bcrypt(hash)) {
      reader.fail(entry.second, key, "must be a bcrypt hash ($2y$...), not a password (htpasswd -nBC 10 USER)");
    }
    users.emplace(user, hash);
  }
  return users;
}

}  // namespace

WebConfigFile load_web_config_file(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw WebConfigError(path + ": cannot read the web configuration file");
  } catch (const YAML::Exception& error) {
    throw WebConfigError(path + ":" + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
  const Reader reader(path);
  WebConfigFile config;
  config.path = path;
  if (root.IsNull()) return config;  // an empty file: plain HTTP, no authentication
  try {
    reader.expect_map(root, "", {"tls_server_config", "http_server_config", "basic_auth_users"});
    config.tls = read_tls(reader, root["tls_server_config"]);
    config.headers = read_headers(reader, root["http_server_config"]);
    config.basic_auth_users = read_users(reader, root["basic_auth_users"]);
  } catch (const YAML::Exception& error) {
    throw WebConfigError(path + ":" + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
  return config;
}

}  // namespace mta
