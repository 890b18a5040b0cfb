#include "http/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "http/web_access.hpp"
#include "logging/logfmt.hpp"

namespace mta {
namespace {

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

int accept_any_certificate(int, X509_STORE_CTX*) { return 1; }

int select_certificate(SSL* ssl, void* certificate) {
  return static_cast<ServerCertificate*>(certificate)->use_in(ssl) ? 1 : 0;
}

int version_constant(TlsVersion version) {
  switch (version) {
    case TlsVersion::tls10: return TLS1_VERSION;
    case TlsVersion::tls11: return TLS1_1_VERSION;
    case TlsVersion::tls12: return TLS1_2_VERSION;
    case TlsVersion::tls13: return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

}  // namespace

struct ServerCertificate::Loaded {
  X509* leaf = nullptr;
  STACK_OF(X509) * chain = nullptr;
  EVP_PKEY* key = nullptr;
  ~Loaded() {
    X509_free(leaf);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
  }
};

std::string setting_origin(const std::string& web_config_path, const TlsServerSettings& settings,
                           std::string_view key) {
  std::string origin = web_config_path;
  if (const auto line = settings.key_lines.find(key); line != settings.key_lines.end()) {
    origin.append(":").append(std::to_string(line->second));
  }
  return origin.append(": tls_server_config.").append(key);
}

ServerCertificate::ServerCertificate(const std::string& web_config_path, const TlsServerSettings& settings)
    : cert_origin_(setting_origin(web_config_path, settings, "cert_file")),
      key_origin_(setting_origin(web_config_path, settings, "key_file")),
      cert_file_(settings.cert_file),
      key_file_(settings.key_file) {
  current_stamp_ = stamp();
  current_ = load();
}

ServerCertificate::~ServerCertificate() = default;

std::string ServerCertificate::stamp() const { return file_stamp(cert_file_) + "/" + file_stamp(key_file_); }

std::shared_ptr<ServerCertificate::Loaded> ServerCertificate::load() const {
  const auto fail = [](const std::string& origin, const std::string& file, const std::string& problem) {
    throw WebConfigError(origin + ": " + file + ": " + problem);
  };
  auto loaded = std::make_shared<Loaded>();
  std::FILE* cert = std::fopen(cert_file_.c_str(), "r");
  if (!cert) fail(cert_origin_, cert_file_, "cannot be read");
  loaded->leaf = PEM_read_X509(cert, nullptr, nullptr, nullptr);
  loaded->chain = sk_X509_new_null();
  while (loaded->leaf) {
    X509* intermediate = PEM_read_X509(cert, nullptr, nullptr, nullptr);
    if (!intermediate) break;
    sk_X509_push(loaded->chain, intermediate);
  }
  std::fclose(cert);
  ERR_clear_error();  // the end of the file reads as an error
  if (!loaded->leaf) fail(cert_origin_, cert_file_, "holds no PEM certificate");
  std::FILE* key = std::fopen(key_file_.c_str(), "r");
  if (!key) fail(key_origin_, key_file_, "cannot be read");
  loaded->key = PEM_read_PrivateKey(key, nullptr, nullptr, nullptr);
  std::fclose(key);
  if (!loaded->key) fail(key_origin_, key_file_, "holds no PEM private key: " + openssl_error());
  if (X509_check_private_key(loaded->leaf, loaded->key) != 1) {
    ERR_clear_error();
    fail(key_origin_, key_file_, "does not match the certificate in " + cert_file_);
  }
  return loaded;
}

bool ServerCertificate::use_in(SSL* ssl) {
  std::shared_ptr<Loaded> loaded;
  {
    const std::lock_guard lock(mutex_);
    const std::string now = stamp();
    if (now != current_stamp_) {
      try {
        current_ = load();
        current_stamp_ = now;
        spdlog::info("msg=\"TLS certificate read again\" cert_file={}", cert_file_);
      } catch (const WebConfigError& error) {
        spdlog::warn("msg=\"changed TLS certificate cannot be used yet; keeping the previous one\" error={}",
                     log_quoted(error.what()));
      }
    }
    loaded = current_;
  }
  return SSL_use_cert_and_key(ssl, loaded->leaf, loaded->key, loaded->chain, 1) == 1;
}

void configure_tls(SSL_CTX& context, const TlsServerSettings& settings, const std::string& web_config_path,
                   ServerCertificate& certificate) {
  const auto fail = [&](const char* key, const std::string& problem) {
    throw WebConfigError(setting_origin(web_config_path, settings, key) + ": " + problem);
  };
  SSL_CTX_set_options(&context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (settings.prefer_server_cipher_suites) SSL_CTX_set_options(&context, SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_min_proto_version(&context, version_constant(settings.min_version));
  if (settings.max_version) SSL_CTX_set_max_proto_version(&context, version_constant(*settings.max_version));
  if (!settings.cipher_suites.empty()) {
    std::string list;
    for (const std::string& suite : settings.cipher_suites) list += (list.empty() ? "" : ":") + suite;
    if (SSL_CTX_set_cipher_list(&context, list.c_str()) != 1) fail("cipher_suites", openssl_error());
  }
  if (!settings.curve_preferences.empty()) {
    std::string list;
    for (const std::string& curve : settings.curve_preferences) list += (list.empty() ? "" : ":") + curve;
    if (SSL_CTX_set1_groups_list(&context, list.c_str()) != 1) fail("curve_preferences", openssl_error());
  }
  SSL_CTX_set_cert_cb(&context, select_certificate, &certificate);

  if (!settings.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(&context, settings.client_ca_file.c_str(), nullptr) != 1) {
      fail("client_ca_file", settings.client_ca_file + ": " + openssl_error());
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(settings.client_ca_file.c_str());
    if (names == nullptr) fail("client_ca_file", settings.client_ca_file + ": holds no PEM certificate");
    SSL_CTX_set_client_CA_list(&context, names);
  }
  switch (settings.client_auth) {
    case ClientAuth::none: SSL_CTX_set_verify(&context, SSL_VERIFY_NONE, nullptr); break;
    case ClientAuth::request: SSL_CTX_set_verify(&context, SSL_VERIFY_PEER, accept_any_certificate); break;
    case ClientAuth::require_any:
      SSL_CTX_set_verify(&context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate);
      break;
    case ClientAuth::verify_if_given: SSL_CTX_set_verify(&context, SSL_VERIFY_PEER, nullptr); break;
    case ClientAuth::require_and_verify:
      SSL_CTX_set_verify(&context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
}

void check_tls_settings(const WebConfigFile& web_file) {
  if (!web_file.tls) return;
  ServerCertificate certificate(web_file.path, *web_file.tls);
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_method()), SSL_CTX_free);
  if (!context) throw WebConfigError(web_file.path + ": tls_server_config: cannot create a TLS context");
  configure_tls(*context, *web_file.tls, web_file.path, certificate);
}

}  // namespace mta
