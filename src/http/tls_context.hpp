#pragma once
// The TLS side of the web server, from the web config's tls_server_config: protocol versions, cipher
// suites, curves, client certificates, and a certificate that is read again when its files change on
// disk, so that a renewed certificate needs no restart (as exporter-toolkit re-reads it per handshake).

#include <openssl/ssl.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "http/web_config_file.hpp"

namespace mta {

class ServerCertificate {
 public:
  // Reads certificate chain and key; throws WebConfigError naming the web config file, line, key and file.
  ServerCertificate(const std::string& web_config_path, const TlsServerSettings& settings);
  ~ServerCertificate();
  ServerCertificate(const ServerCertificate&) = delete;
  ServerCertificate& operator=(const ServerCertificate&) = delete;

  // Gives `ssl` the current certificate, first reading the files again if they changed. A renewal
  // caught half-written (a key that does not match yet) keeps the previous pair and is retried.
  bool use_in(SSL* ssl);

 private:
  struct Loaded;
  std::shared_ptr<Loaded> load() const;  // throws WebConfigError
  std::string stamp() const;             // changes whenever either file does

  std::string cert_origin_;  // "web.yml:3: tls_server_config.cert_file", for errors
  std::string key_origin_;
  std::string cert_file_;
  std::string key_file_;
  std::mutex mutex_;
  std::shared_ptr<Loaded> current_;  // guarded by mutex_
  std::string current_stamp_;        // guarded by mutex_
};

// "FILE:LINE: tls_server_config.KEY": where a setting was given, for the errors about it.
std::string setting_origin(const std::string& web_config_path, const TlsServerSettings& settings, std::string_view key);

// Sets up `context` for tls_server_config; throws WebConfigError (bad CA file, cipher list, curves).
void configure_tls(SSL_CTX& context, const TlsServerSettings& settings, const std::string& web_config_path,
                   ServerCertificate& certificate);

// Opens the certificate, key and CA files and applies the settings to a scratch context, so that
// check-config and start-up report what the server would fail on; throws WebConfigError.
void check_tls_settings(const WebConfigFile& web_file);

}  // namespace mta
