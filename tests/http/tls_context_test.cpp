#include "http/tls_context.hpp"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "source/tls_test_pki.hpp"
#include "support/temp_folder.hpp"

namespace mta {
namespace {

namespace fs = std::filesystem;

std::string common_name(SSL* ssl) {
  X509* certificate = SSL_get_certificate(ssl);
  if (certificate == nullptr) return "";
  char name[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, name, sizeof name);
  return name;
}

class TlsContextTest : public test::TempFolderTest {
 protected:
  TlsContextTest() : TempFolderTest("tls_context") {}
  void SetUp() override {
    TempFolderTest::SetUp();
    pki = std::make_unique<test::TestPki>(folder_);
  }

  WebConfigFile config(const std::string& cert, const std::string& key) const {
    WebConfigFile file;
    file.path = path("web.yml");
    file.tls.emplace();
    file.tls->cert_file = cert;
    file.tls->key_file = key;
    return file;
  }

  std::string error_of(const WebConfigFile& file) const {
    try {
      check_tls_settings(file);
    } catch (const WebConfigError& error) {
      return error.what();
    }
    return "";
  }

  std::unique_ptr<test::TestPki> pki;
};

TEST_F(TlsContextTest, AGoodPairAndEverySettingPass) {
  WebConfigFile file = config(pki->server_cert, pki->server_key);
  file.tls->client_auth = ClientAuth::require_and_verify;
  file.tls->client_ca_file = pki->ca_cert;
  file.tls->cipher_suites = {"ECDHE-ECDSA-AES128-GCM-SHA256"};
  file.tls->curve_preferences = {"X25519", "P-256"};
  file.tls->max_version = TlsVersion::tls13;
  EXPECT_EQ(error_of(file), "");
}

TEST_F(TlsContextTest, UnusableFilesAreNamedWithTheirKey) {
  const std::string web = path("web.yml");
  EXPECT_EQ(error_of(config(path("absent.crt"), pki->server_key)),
            web + ": tls_server_config.cert_file: " + path("absent.crt") + ": cannot be read");
  EXPECT_EQ(error_of(config(pki->server_key, pki->server_key)),
            web + ": tls_server_config.cert_file: " + pki->server_key + ": holds no PEM certificate");
  EXPECT_EQ(error_of(config(pki->server_cert, pki->client_key)),
            web + ": tls_server_config.key_file: " + pki->client_key + ": does not match the certificate in " +
                pki->server_cert);
  EXPECT_EQ(error_of(config(pki->server_cert, pki->server_cert))
                .rfind(web + ": tls_server_config.key_file: " + pki->server_cert + ": holds no PEM private key", 0),
            0u);
  WebConfigFile with_lines = config(pki->server_cert, pki->client_key);
  with_lines.tls->key_lines = {{"cert_file", 2}, {"key_file", 3}};
  EXPECT_EQ(error_of(with_lines).rfind(web + ":3: tls_server_config.key_file: " + pki->client_key + ": does not match", 0),
            0u);
  WebConfigFile bad_ca = config(pki->server_cert, pki->server_key);
  bad_ca.tls->client_auth = ClientAuth::require_and_verify;
  bad_ca.tls->client_ca_file = path("absent-ca.crt");
  EXPECT_EQ(error_of(bad_ca).rfind(web + ": tls_server_config.client_ca_file: " + path("absent-ca.crt"), 0), 0u);
}

TEST_F(TlsContextTest, ARenewedCertificateIsUsedWithoutRestartAndAHalfWrittenOneIsNot) {
  const std::string cert = path("live.crt");
  const std::string key = path("live.key");
  fs::copy_file(pki->server_cert, cert);
  fs::copy_file(pki->server_key, key);
  ServerCertificate certificate(path("web.yml"), *config(cert, key).tls);
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_method()), SSL_CTX_free);
  const auto served_name = [&] {
    const std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(context.get()), SSL_free);
    EXPECT_TRUE(certificate.use_in(ssl.get()));
    return common_name(ssl.get());
  };
  EXPECT_EQ(served_name(), "server");

  // Renewed the way certbot and most tools do it: new files renamed over the old ones.
  fs::copy_file(pki->client_cert, path("new.crt"));
  fs::copy_file(pki->client_key, path("new.key"));
  fs::rename(path("new.crt"), cert);
  fs::rename(path("new.key"), key);
  EXPECT_EQ(served_name(), "client");

  // The certificate replaced, its key not yet: the pair in use stays until both match.
  fs::copy_file(pki->stranger_cert, path("next.crt"));
  fs::rename(path("next.crt"), cert);
  EXPECT_EQ(served_name(), "client");
  fs::copy_file(pki->stranger_key, path("next.key"));
  fs::rename(path("next.key"), key);
  EXPECT_EQ(served_name(), "stranger");
}

}  // namespace
}  // namespace mta
