#pragma once
// The exporter-toolkit web configuration file (--web.config.file), with the keys and meaning that
// Prometheus' own exporters give it: tls_server_config, http_server_config.headers and
// basic_auth_users. Read strictly, as exporter-toolkit does: an unknown key is an error, not a
// setting silently ignored, since a mistyped security setting must not leave the page open.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mta {

// "FILE:LINE: KEY: problem".
class WebConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ClientAuth {
  none,                // NoClientCert
  request,             // RequestClientCert: asked for, not required, not verified
  require_any,         // RequireAnyClientCert: required, not verified
  verify_if_given,     // VerifyClientCertIfGiven
  require_and_verify,  // RequireAndVerifyClientCert
};

enum class TlsVersion { tls10 = 10, tls11 = 11, tls12 = 12, tls13 = 13 };

struct TlsServerSettings {
  std::string cert_file;  // paths made absolute against the web config file's folder
  std::string key_file;
  std::string client_ca_file;
  ClientAuth client_auth = ClientAuth::none;
  TlsVersion min_version = TlsVersion::tls12;
  std::optional<TlsVersion> max_version;
  std::vector<std::string> cipher_suites;  // OpenSSL names, translated from Go's
  bool prefer_server_cipher_suites = true;
  std::vector<std::string> curve_preferences;         // OpenSSL group names
  std::map<std::string, int, std::less<>> key_lines;  // the line of each key given, for errors about its files
};

struct WebConfigFile {
  std::string path;
  std::optional<TlsServerSettings> tls;  // absent: plain HTTP
  std::vector<std::pair<std::string, std::string>> headers;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

// Reads and checks the file; throws WebConfigError naming file, line, key and problem. Does not open
// the certificates: the web server does, and names them when they cannot be used.
WebConfigFile load_web_config_file(const std::string& path);

}  // namespace mta
